"""An embedded SPARQL worker process (``gateway.sparql.embedded`` starts it, running ``main()``).

The parent (``gateway.sparql.embedded``) writes one job at a time to this process's
stdin and reads the answer from its stdout, each a length-prefixed pickle. The store is
opened read-only here, after the process started, and reopened for a new release path;
the two most recent stores stay open so queries on the previous release still finish.
The parent kills this process when a query passes its deadline: that is the only way to
stop pyoxigraph (no timeout, no cancellation, aggregates run inside ``query()``).

Answers are ``("ok", body, rows, truncated)``, ``("syntax", message)``, ``("failed",
message)`` or ``("unavailable", message)`` (no store at the path); messages are
pyoxigraph's text, which the parent only logs.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
import threading
import time
from typing import Any, BinaryIO

HEADER = struct.Struct("!I")
KEPT_STORES = 2


def read_message(stream: BinaryIO) -> Any:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        raise EOFError
    (length,) = HEADER.unpack(header)
    payload = stream.read(length)
    if len(payload) < length:
        raise EOFError
    return pickle.loads(payload)


def write_message(stream: BinaryIO, message: Any) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def _die_with_parent() -> None:
    """Exit when the gunicorn worker that started this process is gone, even mid-query.

    (It would never read its stdin again otherwise.) A watcher thread, not
    PR_SET_PDEATHSIG: that signal follows the *thread* that forked, and replacements
    are started from short-lived threads. pyoxigraph releases the GIL while it
    evaluates, so the watcher runs during a query too.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    import pyoxigraph as ox

    from gateway.sparql.evaluate import evaluate

    stores: dict[str, ox.Store] = {}
    write_message(answers, ("ready", os.getpid()))
    while True:
        try:
            job = read_message(requests)
        except EOFError:
            return
        path = job["store"]
        if path not in stores and not os.path.isfile(os.path.join(path, "CURRENT")):
            write_message(answers, ("unavailable", f"no store at {path}"))
            continue
        try:
            store = stores.get(path)
            if store is None:
                store = ox.Store.read_only(path)
                stores[path] = store
                while len(stores) > KEPT_STORES:
                    del stores[next(iter(stores))]
            done = evaluate(
                store,
                job["text"],
                default_graphs=job["default_graphs"],
                named_graphs=job["named_graphs"],
                media_type=job["media_type"],
                max_rows=job["max_rows"],
                base_iri=job["base_iri"],
                prefixes=job.get("prefixes"),
            )
            answer: tuple = ("ok", done.body, done.rows, done.truncated)
        except SyntaxError as error:
            answer = ("syntax", str(error))
        except Exception as error:
            answer = ("failed", f"{type(error).__name__}: {error}")
        write_message(answers, answer)


def main() -> None:
    _die_with_parent()
    answers = os.fdopen(os.dup(1), "wb")
    # Anything printed by accident goes to stderr, never into the answer stream.
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
