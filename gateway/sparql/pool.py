"""A pool of killable engine processes, each running ``gateway.sparql.worker``.

Each gunicorn worker keeps its pools (``SPARQL_WORKERS`` processes each, started on first
use, so after fork). A job goes to an idle process; if no answer comes by its deadline the
process is killed (SIGKILL: neither pyoxigraph nor rdflib's parser can be interrupted
otherwise) and a fresh one is started in the background, so the work really stops while
other jobs, on the other processes and threads, keep being answered. A process that dies
(a crash in the engine) is replaced the same way, and only its own job fails.

The embedded backend runs checks and queries in its pool; the remote backend runs only
the full checks in one (its store does the rest).
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .backend import BackendUnavailable, QueryTimeout, timeout_message
from .worker import read_message, write_message

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


class WorkerDied(BackendUnavailable):
    """The engine process stopped while answering (it is replaced)."""


class EngineProcess:
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
        try:
            ready = self._answer(time.monotonic() + START_TIMEOUT)
        except (OSError, EOFError, ValueError):
            ready = None
        if ready is None or ready[0] != "ready":
            self.kill()
            if ready is not None and ready[0] == "no-sandbox":
                log.error("sparql engine refused to start without its network sandbox: %s", ready[1])
            raise BackendUnavailable("The SPARQL engine could not start.")

    def _answer(self, deadline: float) -> Any:
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

    def ask(self, job: dict, deadline: float) -> Any:
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


class EnginePool:
    """``size`` engine processes; ``ask`` runs one job on one of them, within a deadline."""

    def __init__(self, size: int = 2) -> None:
        if size < 1:
            raise ValueError("SPARQL_WORKERS must be at least 1")
        self.size = size
        # Last in, first out: the process that answered last takes the next job, its
        # store's caches warm (handing queries round the pool cost ~3 ms on a 44 ms query).
        self._idle: queue.LifoQueue[EngineProcess] = queue.LifoQueue()
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
            worker = EngineProcess()
        except (OSError, BackendUnavailable):
            log.exception("sparql engine process failed to start")
            with self._lock:
                self._started -= 1
            return
        if self._closed:
            worker.kill()
            return
        self._idle.put(worker)

    def _replace(self, worker: EngineProcess) -> None:
        """Kill ``worker`` and start its successor in the background."""
        worker.kill()
        if self._closed:
            with self._lock:
                self._started -= 1
            return
        threading.Thread(target=self._start_one, name="sparql-worker-start", daemon=True).start()

    def ask(self, job: dict, deadline: float, limit: float) -> Any:
        """The worker's answer to ``job`` by ``deadline`` (monotonic); ``limit`` words a timeout.

        Raise QueryTimeout (the process was killed), WorkerDied, or BackendUnavailable
        when no process became free in time.
        """
        self._ensure_started()
        if self._started == 0:
            raise BackendUnavailable("The SPARQL engine could not start; try again later.")
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise BackendUnavailable("Every SPARQL engine process is busy; try again in a moment.") from None
        try:
            answer = worker.ask(job, deadline)
        except (OSError, EOFError, ValueError):
            log.error("sparql engine process %s died while answering", worker.pid)
            self._replace(worker)
            raise WorkerDied("The SPARQL engine stopped while answering; try again in a moment.") from None
        if answer is None:
            log.warning("sparql worker %s killed: query ran past %.1f s", worker.pid, limit)
            self._replace(worker)
            raise QueryTimeout(timeout_message(limit))
        self._idle.put(worker)
        return answer

    @property
    def worker_pids(self) -> list[int]:
        """Pids of the idle engine processes (for the tests)."""
        return [w.pid for w in list(self._idle.queue)]

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return
