"""An engine process (``gateway.sparql.pool`` starts it, running ``main()``).

The parent writes one job at a time to this process's stdin and reads the answer from its
stdout, each a length-prefixed pickle. Before anything else the process gives up the
network for good (``gateway.sparql.sandbox``): whatever a query says, SERVICE cannot
reach anything. Jobs then run in a thread with a large stack (pyoxigraph's parser and
evaluator recurse: 5,000 nested groups or a 30,000-term sum overflowed the main thread's
8 MiB and killed the process), and rdflib's parser gets the recursion room it needs.

A job is a query's canonical text and what to do with it: the full check when its form is
not known yet (``checks.check_query``), then, when it names a store (the embedded
backend), the query itself on that store opened read-only (reopened for a new release
path; the two most recent stay open so queries on the previous release still finish).
The parent kills this process when a job passes its deadline: that is the only way to stop
pyoxigraph or rdflib mid-work.

Answers: ``("ok", body, rows, truncated, form, media_type)``, ``("checked", form,
from_graphs, from_named_graphs)`` (a check-only job), ``("refused", status, message)``
(the gateway's words), ``("not_acceptable", form)``, ``("syntax", message)``,
``("failed", message)`` or ``("unavailable", message)`` (no store at the path); engine
messages are pyoxigraph's text, which the parent only logs.
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
ENGINE_STACK = 512 * 1024 * 1024  # reserved address space; pages are used only as deep as a query goes
RECURSION_LIMIT = 200_000


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


class Engine:
    """The stores this process has open, and what it does with a job."""

    def __init__(self) -> None:
        import pyoxigraph

        self.ox = pyoxigraph
        self.stores: dict[str, Any] = {}
        self.graphs: dict[str, frozenset[str]] = {}

    def store(self, path: str) -> Any:
        store = self.stores.get(path)
        if store is None:
            store = self.ox.Store.read_only(path)
            self.stores[path] = store
            while len(self.stores) > KEPT_STORES:
                oldest = next(iter(self.stores))
                del self.stores[oldest]
                self.graphs.pop(oldest, None)
        return store

    def own_graphs(self, path: str) -> frozenset[str]:
        found = self.graphs.get(path)
        if found is None:
            found = frozenset(g.value for g in self.store(path).named_graphs())
            self.graphs[path] = found
        return found

    def handle(self, job: dict) -> tuple:
        from gateway.sparql.backend import RESULT_FORMS
        from gateway.sparql.checks import QueryRefused, check_query
        from gateway.sparql.evaluate import evaluate

        path = job["store"]
        if path is not None and path not in self.stores and not os.path.isfile(os.path.join(path, "CURRENT")):
            return ("unavailable", f"no store at {path}")
        text, form = job["text"], job["form"]
        from_default: tuple[str, ...] = ()
        from_named: tuple[str, ...] = ()
        if form is None:  # the quick reading could not decide: the full check, here, in time
            own = (lambda iri: iri in self.own_graphs(path)) if path is not None else None
            try:
                checked = check_query(text, max_bytes=job["max_bytes"], own_graph=own, base_iri=job["base_iri"])
            except QueryRefused as refused:
                return ("refused", refused.status, refused.message)
            form, from_default, from_named = checked.form, checked.from_graphs, checked.from_named_graphs
        if path is None:
            return ("checked", form, from_default, from_named)
        results_type, graph_type = job["media_types"]
        media_type = results_type if form in RESULT_FORMS else graph_type
        if media_type is None:
            return ("not_acceptable", form)
        default, named = job["default_graphs"], job["named_graphs"]
        if not default and not named:
            default, named = from_default, from_named
        try:
            done = evaluate(
                self.store(path),
                text,
                default_graphs=default,
                named_graphs=named,
                media_type=media_type,
                max_rows=job["max_rows"],
                base_iri=job["base_iri"],
                prefixes=job.get("prefixes"),
            )
        except SyntaxError as error:
            if job["form"] is not None:  # only the quick check saw it: the gateway's words for why
                try:
                    check_query(text, max_bytes=job["max_bytes"], own_graph=None, base_iri=job["base_iri"])
                except QueryRefused as refused:
                    return ("refused", refused.status, refused.message)
            return ("syntax", str(error))
        except Exception as error:
            return ("failed", f"{type(error).__name__}: {error}")
        return ("ok", done.body, done.rows, done.truncated, form, media_type)


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    write_message(answers, ("ready", os.getpid()))
    engine = Engine()
    import gateway.sparql.checks  # noqa: F401  (rdflib's grammar, built before the first job needs it)

    while True:
        try:
            job = read_message(requests)
        except EOFError:
            return
        try:
            answer = engine.handle(job)
        except Exception as error:  # never leave the parent waiting for an answer
            answer = ("failed", f"{type(error).__name__}: {error}")
        write_message(answers, answer)


def main() -> None:
    answers = os.fdopen(os.dup(1), "wb")
    # Anything printed by accident goes to stderr, never into the answer stream.
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    from gateway.sparql.sandbox import SandboxUnavailable, forbid_network

    try:
        forbid_network()
    except SandboxUnavailable as error:
        write_message(answers, ("no-sandbox", str(error)))
        return
    _die_with_parent()
    sys.setrecursionlimit(RECURSION_LIMIT)
    threading.stack_size(ENGINE_STACK)
    engine = threading.Thread(target=serve, args=(sys.stdin.buffer, answers), name="engine")
    engine.start()
    engine.join()


if __name__ == "__main__":
    main()
