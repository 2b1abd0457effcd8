"""The release being served, for every interface.

``current_release()`` answers, inside a request, the release that ``releases/current``
points at now. Each process reads the link once per request (one ``readlink``, no file
opened) and keeps what it opened for a release (its manifest, an engine on its published
tables) until a newer release has been current for a while, so a request that started on
the old release finishes on it while new requests get the new one. Nothing is opened
before the first request, so gunicorn workers open their own connections after fork.

Interfaces that hold their own per-release resources (the SPARQL store) register a
closer with ``on_retire``; it runs when a release is retired in this process.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine, create_engine
from werkzeug.exceptions import ServiceUnavailable

from . import releases
from .internal.database import make_engine
from .publish.release_tables import SQLITE_FILE

EXTENSION = "gateway.releases"
# How many releases a process keeps open: the current one and the one before it, for
# requests still running on it when the link moved.
KEPT_OPEN = 2


@dataclass(eq=False)
class Release:
    """One complete release as this process sees it."""

    id: str
    path: Path
    manifest: dict[str, Any]
    release_database_url: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def base(self) -> str:
        """The IRI base the release was published under (``https://data.met.police.uk/``)."""
        return self.manifest.get("base", "https://data.met.police.uk/")

    @property
    def created_at(self) -> datetime:
        return datetime.fromisoformat(self.manifest["created_at"])

    @property
    def etag(self) -> str:
        """A strong validator for anything derived only from this release."""
        return f'"{self.id}"'

    @property
    def store_path(self) -> Path:
        """The release's pyoxigraph store (open it read-only)."""
        return self.path / "store"

    @property
    def dumps_path(self) -> Path:
        return self.path / "dumps"

    @cached_property
    def months(self) -> list[str]:
        """Every month with street-level records, newest first."""
        months = set(self.manifest.get("counts", {}).get("street-crime", {}))
        return sorted(months, reverse=True)

    @property
    def engine(self) -> Engine:
        """An engine on the release's published tables (read-only for a SQLite file)."""
        with self._lock:
            if "_engine" not in self.__dict__:
                self.__dict__["_engine"] = _open_engine(self.path, self.manifest, self.release_database_url)
            return self.__dict__["_engine"]

    def close(self) -> None:
        engine = self.__dict__.pop("_engine", None)
        if engine is not None:
            engine.dispose()


def _open_engine(path: Path, manifest: dict, database_url: str | None) -> Engine:
    described = manifest.get("tables", {"file": SQLITE_FILE})
    if "schema" not in described:
        file = (path / described["file"]).resolve()
        # Read-only and immutable: SQLite skips locking, and nothing can write by mistake.
        return create_engine(f"sqlite:///file:{file}?mode=ro&immutable=1&uri=true")
    if database_url is None:
        raise ServiceUnavailable(
            "The current release keeps its tables in PostgreSQL, but GATEWAY_RELEASE_DATABASE_URL is not set."
        )
    return make_engine(database_url).execution_options(schema_translate_map={None: described["schema"]})


class ReleaseRegistry:
    """Per-process cache of opened releases, keyed by id."""

    def __init__(self, releases_dir: Path, release_database_url: str | None) -> None:
        self.releases_dir = releases_dir
        self.release_database_url = release_database_url
        self._open: dict[str, Release] = {}
        self._order: list[str] = []
        self._lock = threading.Lock()
        self._retire_hooks: list[Callable[[Release], None]] = []

    def current_id(self) -> str | None:
        try:
            target = os.readlink(self.releases_dir / releases.CURRENT)
        except OSError:
            return None
        return Path(target).name or None

    def current(self) -> Release | None:
        release_id = self.current_id()
        if release_id is None:
            return None
        found = self._open.get(release_id)
        if found is not None:
            return found
        return self._load(release_id)

    def _load(self, release_id: str) -> Release | None:
        with self._lock:
            if release_id in self._open:
                return self._open[release_id]
            path = self.releases_dir / release_id
            try:
                manifest = json.loads((path / releases.MANIFEST).read_text())
            except (OSError, ValueError):
                return None
            release = Release(release_id, path, manifest, self.release_database_url)
            self._open[release_id] = release
            self._order.append(release_id)
            retired = []
            while len(self._order) > KEPT_OPEN:
                retired.append(self._open.pop(self._order.pop(0)))
        for old in retired:
            for hook in self._retire_hooks:
                hook(old)
            old.close()
        return release

    def on_retire(self, hook: Callable[[Release], None]) -> None:
        """Call ``hook(release)`` when this process stops serving a release."""
        self._retire_hooks.append(hook)

    def close(self) -> None:
        with self._lock:
            opened, self._open, self._order = list(self._open.values()), {}, []
        for release in opened:
            for hook in self._retire_hooks:
                hook(release)
            release.close()


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = ReleaseRegistry(
        Path(app.config["RELEASES_DIR"]), app.config.get("RELEASE_DATABASE_URL")
    )

    @app.context_processor
    def _release_in_templates() -> dict[str, Any]:
        # Pages show which release they describe; a page without one still renders.
        return {"release": registry(app).current()}


def registry(app: Flask | None = None) -> ReleaseRegistry:
    return (app or current_app).extensions[EXTENSION]


def current_release(app: Flask | None = None) -> Release:
    """The release being served; 503 with a reason when none has been published."""
    release = registry(app).current()
    if release is None:
        error = ServiceUnavailable("No release has been published yet: run `gateway publish` (or `make serve`) first.")
        error.retry_after = 60
        raise error
    return release
