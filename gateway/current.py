"""The release being served, for every interface.

``current_release()`` answers, inside a request, the release that ``releases/current``
points at now. Each process reads the link once per request (one ``readlink``, no file
opened) and keeps what it opened for a release (its manifest, an engine on its published
tables) until a newer release has been current for a while, so a request that started on
the old release finishes on it while new requests get the new one. Nothing is opened
before the first request, so gunicorn workers open their own connections after fork.

A release is served only once verified intact (``gateway.integrity``); while the current
one is not, the newest intact release before it is served (``ReleaseRegistry``).

Interfaces that hold their own per-release resources (the SPARQL store) register a
closer with ``on_retire``; it runs when a release is retired in this process.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine, create_engine
from werkzeug.exceptions import ServiceUnavailable

from . import integrity, releases
from .integrity import Verdict
from .internal.database import make_engine
from .publish.release_tables import SQLITE_FILE

EXTENSION = "gateway.releases"
# How many releases a process keeps open: the current one and the one before it, for
# requests still running on it when the link moved.
KEPT_OPEN = 2
# Seconds between two looks (stat only) at the files of the releases in use.
RECHECK_SECONDS = 10.0

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Release:
    """One complete release as this process sees it."""

    id: str
    path: Path
    manifest: dict[str, Any]
    release_database_url: str | None = None
    verdict: Verdict | None = None  # what verifying it found (gateway.integrity)
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


@dataclass(frozen=True)
class Serving:
    """What this process serves while ``releases/current`` names ``current``."""

    current: str
    path: Path  # the current release's folder
    # The current release itself when it is intact; else the newest intact release before
    # it; None when there is none (or ``current`` has no manifest: nothing is published).
    release: Release | None
    verdict: Verdict | None  # the current release's; None when it has no manifest

    @property
    def published(self) -> bool:
        return self.verdict is not None

    @property
    def fallback(self) -> bool:
        return self.release is not None and self.release.id != self.current


class ReleaseRegistry:
    """Per-process cache of opened releases, keyed by id.

    A release is served only once verified (``gateway.integrity.check``: its files against
    its manifest, a query on each store; the verdict is kept in the release folder, so
    this costs a few ``stat`` calls when the release was verified before). When the
    current release fails, the newest intact release before it is served instead and
    ``/readyz`` says so. Every ``RECHECK_SECONDS`` the files of the releases in use are
    looked at again (``stat`` only); a change sends them through verification again.
    """

    def __init__(self, releases_dir: Path, release_database_url: str | None) -> None:
        self.releases_dir = releases_dir
        self.release_database_url = release_database_url
        self._open: dict[str, Release] = {}
        self._order: list[str] = []
        self._serving: dict[str, Serving] = {}
        self._next_recheck = 0.0
        self._lock = threading.Lock()
        self._retire_hooks: list[Callable[[Release], None]] = []

    def current_id(self) -> str | None:
        try:
            target = os.readlink(self.releases_dir / releases.CURRENT)
        except OSError:
            return None
        return Path(target).name or None

    def current(self) -> Release | None:
        """The release to serve now (see ``serving``)."""
        serving = self.serving()
        return serving.release if serving is not None else None

    def serving(self, recheck: bool = False) -> Serving | None:
        """What is served while the current release is what it is; None when no link.

        ``recheck``: look at the files in use now, not at most ``RECHECK_SECONDS`` ago.
        """
        release_id = self.current_id()
        if release_id is None:
            return None
        if recheck or time.monotonic() >= self._next_recheck:
            self._recheck(release_id)
        found = self._serving.get(release_id)
        return found if found is not None else self._resolve(release_id)

    def recheck_soon(self) -> None:
        """Look at the files in use again at the next request (one was found changed)."""
        self._next_recheck = 0.0

    def _recheck(self, current: str) -> None:
        self._next_recheck = time.monotonic() + RECHECK_SECONDS
        stale = [key for key, serving in list(self._serving.items()) if key != current or _changed(serving)]
        if stale:
            with self._lock:
                for key in stale:
                    self._serving.pop(key, None)

    def _resolve(self, release_id: str) -> Serving:
        retired: list[Release] = []
        with self._lock:
            found = self._serving.get(release_id)
            if found is not None:
                return found
            manifest, verdict = self._verified(release_id, retired)
            if verdict is None:
                return Serving(release_id, self.releases_dir / release_id, None, None)  # no manifest: no release
            if verdict.ok:
                release = self._take(release_id, manifest, verdict)
            else:
                log.error("release %s failed verification: %s", release_id, verdict.summary())
                release = self._newest_intact_before(release_id, retired)
                if release is not None:
                    log.warning("serving release %s, the newest intact one before %s", release.id, release_id)
            serving = Serving(release_id, self.releases_dir / release_id, release, verdict)
            self._serving[release_id] = serving
            while len(self._order) > KEPT_OPEN:
                retired.append(self._open.pop(self._order.pop(0)))
            for key, other in list(self._serving.items()):
                if other.release is not None and other.release in retired:
                    del self._serving[key]
        for old in retired:
            for hook in self._retire_hooks:
                hook(old)
            old.close()
        return serving

    def _verified(self, release_id: str, retired: list[Release]) -> tuple[dict, Verdict | None]:
        """The manifest and verdict of a release (verdict None: it has no manifest)."""
        path = self.releases_dir / release_id
        opened = self._open.get(release_id)
        if opened is not None and opened.verdict is not None and not integrity.changed(path, opened.verdict):
            return opened.manifest, opened.verdict
        try:
            manifest = json.loads((path / releases.MANIFEST).read_text())
        except FileNotFoundError:
            return {}, None
        except (OSError, ValueError):
            manifest = None
        if isinstance(manifest, dict):
            verdict = integrity.check(path, manifest)
        else:
            manifest, verdict = {}, integrity.unreadable_manifest(path)
        if not verdict.ok and opened is not None:
            # Its files changed under this process and are no longer intact: stop using it.
            self._order.remove(release_id)
            retired.append(self._open.pop(release_id))
        return manifest, verdict

    def _take(self, release_id: str, manifest: dict, verdict: Verdict) -> Release:
        """The release opened (or kept open), newest in the order of releases kept open."""
        release = self._open.get(release_id)
        if release is None:
            release = Release(release_id, self.releases_dir / release_id, manifest, self.release_database_url)
            self._open[release_id] = release
        else:
            self._order.remove(release_id)
        release.verdict = verdict
        self._order.append(release_id)
        return release

    def _newest_intact_before(self, release_id: str, retired: list[Release]) -> Release | None:
        """Never a newer release: one newer than current was rolled back from on purpose."""
        candidates = sorted(
            (p.name for p in self.releases_dir.iterdir() if _complete(p) and p.name < release_id), reverse=True
        )
        for candidate in candidates:
            manifest, verdict = self._verified(candidate, retired)
            if verdict is not None and verdict.ok:
                return self._take(candidate, manifest, verdict)
        return None

    def on_retire(self, hook: Callable[[Release], None]) -> None:
        """Call ``hook(release)`` when this process stops serving a release."""
        self._retire_hooks.append(hook)

    def close(self) -> None:
        with self._lock:
            opened, self._open, self._order, self._serving = list(self._open.values()), {}, [], {}
        for release in opened:
            for hook in self._retire_hooks:
                hook(release)
            release.close()


def _complete(path: Path) -> bool:
    return not path.name.startswith(".") and not path.is_symlink() and (path / releases.MANIFEST).is_file()


def _changed(serving: Serving) -> bool:
    """Whether files of the current release, or of the one served for it, changed since checked."""
    if serving.verdict is not None and integrity.changed(serving.path, serving.verdict):
        return True
    served = serving.release
    return served is not None and served.verdict is not None and integrity.changed(served.path, served.verdict)


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
    """The release being served; 503 with a reason when there is none to serve."""
    serving = registry(app).serving()
    if serving is not None and serving.release is not None:
        return serving.release
    if serving is None or not serving.published:
        error = ServiceUnavailable("No release has been published yet: run `gateway publish` (or `make serve`) first.")
    else:
        error = ServiceUnavailable(
            f"The current release {serving.current} failed verification and no release before it is intact: "
            "publish again (gateway publish); /readyz says what is wrong."
        )
    error.retry_after = 60
    raise error
