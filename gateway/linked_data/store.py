"""The release's RDF store, opened read-only once per process and release.

Opened lazily on first use (so gunicorn workers open it after fork) and dropped when the
registry retires the release, so an old store is never kept open after a switch.
"""

from __future__ import annotations

import threading

import pyoxigraph as ox
from flask import Flask

from gateway.current import Release, registry

EXTENSION = "gateway.linked_data.stores"


class Stores:
    """Read-only stores by release id, for one process."""

    def __init__(self) -> None:
        self._stores: dict[str, ox.Store] = {}
        self._lock = threading.Lock()

    def get(self, release: Release) -> ox.Store:
        store = self._stores.get(release.id)
        if store is None:
            with self._lock:
                store = self._stores.get(release.id)
                if store is None:
                    store = ox.Store.read_only(str(release.store_path))
                    self._stores[release.id] = store
        return store

    def retire(self, release: Release) -> None:
        """Forget the store of ``release``; pyoxigraph closes it when the last reference goes."""
        with self._lock:
            self._stores.pop(release.id, None)

    def __contains__(self, release_id: str) -> bool:
        return release_id in self._stores


def init_app(app: Flask) -> None:
    stores = Stores()
    app.extensions[EXTENSION] = stores
    registry(app).on_retire(stores.retire)


def store_for(release: Release, app: Flask | None = None) -> ox.Store:
    """The read-only store of ``release`` in this process."""
    from flask import current_app

    return (app or current_app).extensions[EXTENSION].get(release)
