"""PieceWorker: pieces consumed in order in a thread, finish only when all were given, errors surfaced."""

from __future__ import annotations

import threading

import pytest

from gateway.publish.background import PieceWorker


def test_pieces_are_consumed_in_order_then_finished():
    seen: list[bytes] = []
    threads: set[str] = set()
    finished: list[int] = []

    def consume(piece: bytes) -> None:
        threads.add(threading.current_thread().name)
        seen.append(piece)

    worker = PieceWorker(consume, name="test-worker", finish=lambda: finished.append(len(seen)))
    for i in range(10):
        worker.put(b"%d" % i)
    worker.given_all()
    worker.close()
    assert seen == [b"%d" % i for i in range(10)]
    assert threads == {"test-worker"} and finished == [10]


def test_closing_before_every_piece_was_given_does_not_finish():
    finished: list[bool] = []
    worker = PieceWorker(lambda piece: None, name="test-worker", finish=lambda: finished.append(True))
    worker.put(b"a")
    worker.close()
    assert finished == [] and not worker.thread.is_alive()


def test_the_first_error_stops_the_work_and_reaches_the_publishing_thread():
    seen: list[bytes] = []
    finished: list[bool] = []

    def consume(piece: bytes) -> None:
        if piece == b"bad":
            raise ValueError("cannot take this piece")
        seen.append(piece)

    worker = PieceWorker(consume, name="test-worker", finish=lambda: finished.append(True), depth=1)
    worker.put(b"good")
    worker.put(b"bad")
    with pytest.raises(ValueError, match="cannot take this piece"):
        for _ in range(100):  # the error is seen at a hand-over once the thread met it
            worker.put(b"later")
    worker.given_all()
    with pytest.raises(ValueError, match="cannot take this piece"):
        worker.close()
    assert seen == [b"good"] and finished == []
