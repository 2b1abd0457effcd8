"""The embedded backend: the release's pyoxigraph store, queried in killable processes.

Each gunicorn worker keeps a small pool of worker processes (``SPARQL_WORKERS``, started
on the first query, so after fork), each running ``gateway.sparql.worker`` with the
store opened read-only. A query goes to an idle process; if no answer comes by its
deadline, the process is killed (SIGKILL: pyoxigraph cannot be interrupted otherwise) and
a fresh one is started in the background, so the work really stops while other queries,
on the other processes and threads, keep being answered.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import re
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .backend import Answer, BackendUnavailable, Query, QueryFailed, QueryTimeout
from .worker import read_message, write_message

if TYPE_CHECKING:
    from gateway.current import Release

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


class SyntaxFailure(QueryFailed):
    """The engine found a syntax error the gateway's own parser let through."""


class WorkerDied(BackendUnavailable):
    """The engine process stopped while answering (it is replaced)."""


class WorkerProcess:
    """One ``gateway.sparql.worker`` process and its pipes."""

    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from gateway.sparql.worker import main; main()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            env=env,
            close_fds=True,
        )
        self.pid = self.process.pid
        ready = self._answer(time.monotonic() + START_TIMEOUT)
        if ready is None or ready[0] != "ready":
            self.kill()
            raise BackendUnavailable("The SPARQL engine could not start.")

    def _answer(self, deadline: float):
        """The next message, or None when the deadline passes first."""
        stdout = self.process.stdout
        assert stdout is not None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        readable, _, _ = select.select([stdout], [], [], remaining)
        if not readable:
            return None
        return read_message(stdout)

    def ask(self, job: dict, deadline: float):
        assert self.process.stdin is not None
        write_message(self.process.stdin, job)
        return self._answer(deadline)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):  # a pipe to a dead process
                    stream.close()


class EmbeddedBackend:
    """Runs queries on the release's store in a pool of worker processes."""

    name = "embedded"

    def __init__(self, workers: int = 2, prefixes: dict[str, str] | None = None) -> None:
        if workers < 1:
            raise ValueError("SPARQL_WORKERS must be at least 1")
        self.size = workers
        self.prefixes = prefixes
        # Last in, first out: the process that answered last takes the next query, its
        # store's caches warm (handing queries round the pool cost ~3 ms on a 44 ms query).
        self._idle: queue.LifoQueue[WorkerProcess] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._started = 0
        self._closed = False
        self._owner = os.getpid()

    def _ensure_started(self) -> None:
        # Started lazily in the process that serves requests (a gunicorn worker after
        # fork); a forked copy of a started pool starts its own.
        with self._lock:
            if self._owner != os.getpid():
                self._idle, self._started, self._owner = queue.LifoQueue(), 0, os.getpid()
            missing = self.size - self._started
            self._started = self.size
        for _ in range(missing):
            self._start_one()

    def _start_one(self) -> None:
        try:
            worker = WorkerProcess()
        except (OSError, BackendUnavailable):
            log.exception("sparql worker failed to start")
            with self._lock:
                self._started -= 1
            return
        if self._closed:
            worker.kill()
            return
        self._idle.put(worker)

    def _replace(self, worker: WorkerProcess) -> None:
        """Kill ``worker`` and start its successor in the background."""
        worker.kill()
        if self._closed:
            with self._lock:
                self._started -= 1
            return
        threading.Thread(target=self._start_one, name="sparql-worker-start", daemon=True).start()

    def run(self, release: Release, query: Query) -> Answer:
        self._ensure_started()
        started = time.monotonic()
        try:
            worker = self._idle.get(timeout=query.timeout)
        except queue.Empty:
            raise BackendUnavailable("Every SPARQL engine process is busy; try again in a moment.") from None
        deadline = time.monotonic() + max(0.0, query.timeout - (time.monotonic() - started))
        job = {
            "store": str(release.store_path),
            "text": query.text,
            "default_graphs": list(query.default_graphs),
            "named_graphs": list(query.named_graphs),
            "media_type": query.media_type,
            "max_rows": query.max_rows,
            "base_iri": release.base + "sparql",
            "prefixes": self.prefixes,
        }
        try:
            answer = worker.ask(job, deadline)
        except (OSError, EOFError, ValueError):
            log.exception("sparql worker %s died", worker.pid)
            self._replace(worker)
            raise WorkerDied("The SPARQL engine stopped while answering; try again in a moment.") from None
        if answer is None:
            log.warning("sparql worker %s killed: query ran past %.1f s", worker.pid, query.timeout)
            self._replace(worker)
            raise QueryTimeout(
                f"The query ran longer than the {query.timeout:g} s limit and was stopped. "
                "Narrow it (a LIMIT, a month's graph, fewer joins) and try again."
            )
        self._idle.put(worker)
        kind = answer[0]
        if kind == "ok":
            _, body, rows, truncated = answer
            return Answer(query.media_type, body, rows, truncated)
        log.info("sparql engine refused the query (%s): %s", kind, answer[1][:500])
        if kind == "unavailable":
            raise BackendUnavailable("The current release's RDF store cannot be opened; try again later.")
        if kind == "syntax":
            raise SyntaxFailure(syntax_message(answer[1]))
        raise QueryFailed("The SPARQL engine could not evaluate this query.")

    @property
    def worker_pids(self) -> list[int]:
        """Pids of the idle worker processes (for the query log and the tests)."""
        return [w.pid for w in list(self._idle.queue)]

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return


ENGINE_POSITION = re.compile(r"^error at (\d+):(\d+)")


def syntax_message(engine_text: str) -> str:
    """The gateway's words for a syntax error only the engine found: where, and a hint."""
    message = "The SPARQL engine could not parse this query"
    position = ENGINE_POSITION.match(engine_text)
    if position:
        message += f" at line {position[1]}, column {position[2]}"
    if "Prefix not found" in engine_text:
        message += ": a prefix is used without a PREFIX declaration"
    elif "expected" in engine_text:
        message += ": check the function names and the punctuation there"
    return message + "."
