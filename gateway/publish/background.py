"""Work done in a thread of its own on pieces the publishing thread hands over.

For work that releases the GIL (pyoxigraph's bulk loader, zlib), so that it runs beside
the Python that makes the pieces. A few pieces wait at most; the first error stops the
work, and the publishing thread sees it at its next hand-over or when it closes.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable


class PieceWorker:
    def __init__(
        self,
        consume: Callable[[bytes], None],
        *,
        name: str,
        finish: Callable[[], None] | None = None,
        depth: int = 2,
    ) -> None:
        """``consume`` each piece in turn; then ``finish()``, once every piece was given."""
        self.consume, self.finish = consume, finish
        self.pieces: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.complete = False
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (piece := self.pieces.get()) is not None:
            if self.error is None:
                self._attempt(self.consume, piece)
        if self.error is None and self.complete and self.finish is not None:
            self._attempt(self.finish)

    def _attempt(self, work: Callable, *args: object) -> None:
        try:
            work(*args)
        except BaseException as exc:  # reported to the publishing thread
            self.error = exc

    def put(self, piece: bytes) -> None:
        """Hand a piece over (raises the worker's error, if it had one)."""
        if self.error is not None:
            raise self.error
        self.pieces.put(piece)

    def given_all(self) -> None:
        """Every piece has been given: the rest are consumed, then ``finish`` runs."""
        self.complete = True
        self.pieces.put(None)

    def close(self) -> None:
        """Wait until the thread has done (without ``finish`` unless every piece was given);
        raises the worker's error, if it had one."""
        if self.thread.is_alive():
            if not self.complete:
                self.pieces.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error
