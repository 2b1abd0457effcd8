"""Settings shared by the web app and the command line.

Layered, later layers winning: the defaults below, then environment variables prefixed
``GATEWAY_`` (``GATEWAY_DATA_DIR`` sets ``DATA_DIR``), then the mapping a caller passes
(a test, or the options of a CLI command). Settings that depend on others, such as the
default database URL, are derived after layering.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ENV_PREFIX = "GATEWAY_"

DEFAULTS: dict[str, Any] = {
    # Where the demo database and the releases live.
    "DATA_DIR": "./var",
    # The internal tables. None means a SQLite file in the data directory.
    "DATABASE_URL": None,
    # Where gateway publish writes releases. None means DATA_DIR/releases.
    "RELEASES_DIR": None,
    # Every published IRI starts with this (slash URIs: /def, /id, /doc, /data).
    "BASE_URI": "https://data.met.police.uk/",
    # How many releases gateway publish keeps.
    "KEEP_RELEASES": 5,
    # Key for the published numbers of records; None: made once, kept in DATA_DIR.
    "PSEUDONYM_KEY": None,
    # Where releases' published tables live; None: a SQLite file in each release folder.
    "RELEASE_DATABASE_URL": None,
}


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = name[len(ENV_PREFIX) :]
        # Numbers and booleans may be written as JSON (GATEWAY_RATE_LIMIT=15); anything
        # else, paths and URLs included, stays a string.
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        values[key] = value if isinstance(value, (int, float, bool)) else raw
    return values


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Settings from the defaults, then ``GATEWAY_*`` variables, then ``overrides``."""
    settings = dict(DEFAULTS)
    settings.update(_from_env(os.environ if environ is None else environ))
    settings.update({k: v for k, v in (overrides or {}).items() if v is not None})
    data_dir = Path(settings["DATA_DIR"]).expanduser()
    settings["DATA_DIR"] = str(data_dir)
    if not settings.get("DATABASE_URL"):
        settings["DATABASE_URL"] = default_database_url(data_dir)
    if not settings.get("RELEASES_DIR"):
        settings["RELEASES_DIR"] = str(data_dir / "releases")
    return settings


def default_database_url(data_dir: Path) -> str:
    """The embedded default: a SQLite file of internal tables in the data directory."""
    return f"sqlite:///{(data_dir / 'internal.sqlite').resolve()}"
