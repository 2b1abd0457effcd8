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
    # Where the demo database and the releases live; a relative path is taken from the
    # working directory at startup (load_settings makes it absolute).
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
    # /sparql: "embedded" (the release's pyoxigraph store) or "remote" (a SPARQL store over HTTP).
    "SPARQL_BACKEND": "embedded",
    # /sparql remote backend (gateway/sparql/remote.py): the store's SPARQL query URL;
    # gateway publish loads releases into it (gateway/publish/remote_store.py) through
    # Virtuoso's isql (host:port, user, password), from a folder the server can read
    # (None: DATA_DIR/virtuoso-load), with this many parallel bulk loaders.
    "SPARQL_ENDPOINT": None,
    "VIRTUOSO_ISQL": "127.0.0.1:1111",
    "VIRTUOSO_USER": "dba",
    "VIRTUOSO_PASSWORD": None,
    "VIRTUOSO_LOAD_DIR": None,
    "VIRTUOSO_LOADERS": 2,
    # /sparql: seconds before a query is stopped (503); result rows kept (more: truncated, said so).
    "SPARQL_TIMEOUT": 30,
    "SPARQL_MAX_ROWS": 10000,
    # /sparql: the longest query text in bytes; queries one client may run at once.
    "SPARQL_MAX_QUERY_BYTES": 65536,
    "SPARQL_MAX_CONCURRENT_PER_CLIENT": 4,
    # /sparql embedded backend: killable engine processes per gunicorn worker.
    "SPARQL_WORKERS": 2,
    # /sparql: bytes of answers cached per process (per release, query and format); 0: off.
    "SPARQL_CACHE_BYTES": 67108864,
    # /sparql: the query log: "-" stderr, a file path, or "" (only the logging tree).
    "SPARQL_QUERY_LOG": "-",
    # /sparql: where per-client query slots (lock files) live; None: DATA_DIR/run/sparql-clients.
    "SPARQL_SLOTS_DIR": None,
    # HTTP (gateway/http.py): seconds a release-derived answer may be cached.
    "HTTP_MAX_AGE": 300,
    # /api/v1: the largest _pageSize, and the default one.
    "API_MAX_PAGE_SIZE": 500,
    "API_PAGE_SIZE": 50,
    # /api/v1/aggregates: counts below this are withheld (small-cell suppression).
    "SUPPRESSION_THRESHOLD": 5,
    # /api/v1/aggregates: a CSV of area_code,population for rates per 1,000; None: no rates.
    "DENOMINATORS": None,
    # /catalog: the e-mail address of the catalogue's contact point (dcat:contactPoint).
    "CONTACT_EMAIL": "opendata@met.police.uk",
    # /api/ and /api/v1/: requests a second per client, and the burst allowed (0: no limit).
    "RATE_LIMIT": 15,
    "RATE_BURST": 30,
    # Proxies (addresses or networks, comma-separated; "*" any) whose X-Forwarded-For names
    # the client, for the rate limit, SPARQL's per-client slots and gunicorn's
    # forwarded_allow_ips. Empty: no proxy header is trusted, the client is the peer.
    "TRUSTED_PROXIES": "",
}

# Old names still read: GATEWAY_FORWARDED_ALLOW_IPS is GATEWAY_TRUSTED_PROXIES.
ALIASES = {"FORWARDED_ALLOW_IPS": "TRUSTED_PROXIES"}


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
    for layer in (_from_env(os.environ if environ is None else environ), overrides or {}):
        values = {k: v for k, v in layer.items() if v is not None}
        for old, new in ALIASES.items():
            if old in values:
                values.setdefault(new, values.pop(old))
        settings.update(values)
    # Absolute from here on: Flask resolves relative file paths against the package
    # folder, not the working directory `gateway` or gunicorn was started in.
    data_dir = Path(settings["DATA_DIR"]).expanduser().absolute()
    settings["DATA_DIR"] = str(data_dir)
    if not settings.get("DATABASE_URL"):
        settings["DATABASE_URL"] = default_database_url(data_dir)
    settings["RELEASES_DIR"] = str(Path(settings.get("RELEASES_DIR") or data_dir / "releases").expanduser().absolute())
    return settings


def default_database_url(data_dir: Path) -> str:
    """The embedded default: a SQLite file of internal tables in the data directory."""
    return f"sqlite:///{(data_dir / 'internal.sqlite').resolve()}"
