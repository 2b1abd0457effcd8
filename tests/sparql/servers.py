"""gunicorn for the SPARQL tests, with the defaults these tests want.

``tests.live.gunicorn`` polls ``/healthz`` with a 2 s read timeout and treats only a
refused connection as "not yet", so on a loaded machine a worker still importing the
app (about 2 s here) fails the start with ``ReadTimeout``. These servers are started
with ``--preload``: the app is imported before gunicorn listens, so the first poll finds
it ready. Nothing SPARQL opens happens at import (the engine processes and the store
start on the first query, in the worker), so preloading changes nothing under test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.live import LiveServer, gunicorn

QUIET = {"SPARQL_QUERY_LOG": "", "RATE_LIMIT": 100_000, "RATE_BURST": 100_000}


@contextmanager
def sparql_server(
    data_dir: Path, settings: Mapping[str, object] | None = None, workers: int = 1, threads: int = 4
) -> Iterator[LiveServer]:
    previous = os.environ.get("GUNICORN_CMD_ARGS")
    os.environ["GUNICORN_CMD_ARGS"] = "--preload"
    try:
        server_context = gunicorn(data_dir, {**QUIET, **(settings or {})}, workers=workers, threads=threads)
        server = server_context.__enter__()
    finally:
        if previous is None:
            os.environ.pop("GUNICORN_CMD_ARGS", None)
        else:
            os.environ["GUNICORN_CMD_ARGS"] = previous
    try:
        yield server
    finally:
        server_context.__exit__(None, None, None)
