"""How many queries one client may have running at once, across every gunicorn worker.

Each client (its address) has ``limit`` slot files in a directory; a query holds an
exclusive ``flock`` on one for as long as it runs. Locks belong to open files, so a
worker that dies frees its slots at once, and every process on the host sees them.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class TooManyQueries(Exception):
    pass


class ClientSlots:
    def __init__(self, directory: Path, limit: int) -> None:
        self.directory = directory
        self.limit = limit
        directory.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def hold(self, client: str) -> Iterator[None]:
        """Hold one of ``client``'s slots for the block; ``TooManyQueries`` if none is free."""
        if self.limit <= 0:
            yield
            return
        name = hashlib.sha256(client.encode()).hexdigest()[:24]
        for slot in range(self.limit):
            fd = os.open(self.directory / f"{name}.{slot}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            return
        raise TooManyQueries
