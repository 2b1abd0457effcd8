"""Answers kept per release, query and format, so a repeated query costs almost nothing.

A process-local LRU bounded in bytes. Keys start with the release id, so a new release
never sees an old answer; when a release is retired its entries are dropped.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class ResultCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[Hashable, ...]) -> Any | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: tuple[Hashable, ...], value: Any, size: int) -> None:
        # One answer may take at most a quarter of the cache.
        if self.max_bytes <= 0 or size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._entries[key] = (value, size)
            self._size += size
            while self._size > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped

    def drop_release(self, release_id: str) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[0] == release_id]:
                self._size -= self._entries.pop(key)[1]

    def __len__(self) -> int:
        return len(self._entries)
