"""Fixtures for the SPARQL endpoint's tests: one app (and its engine processes) per session."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from gateway import create_app
from tests.conftest import RELEASE_KEY, UNLIMITED

POL = "https://data.met.police.uk/def/policing/"


@pytest.fixture(scope="session")
def sparql_app(published_dir, tmp_path_factory):
    """The app on the demo release; its engine processes live for the whole session."""
    app = create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(published_dir),
            "PSEUDONYM_KEY": RELEASE_KEY,
            "SPARQL_QUERY_LOG": "",
            "SPARQL_SLOTS_DIR": str(tmp_path_factory.mktemp("sparql-slots")),
            **UNLIMITED,
        }
    )
    yield app
    app.extensions["gateway.sparql"].backend.close()


@pytest.fixture
def sparql_client(sparql_app):
    return sparql_app.test_client()


@pytest.fixture
def sparql_state(sparql_app):
    """The endpoint's per-process state (backend, cache, client slots)."""
    return sparql_app.extensions["gateway.sparql"]


@contextmanager
def listening() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server recording every connection and request it gets (an SSRF target)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args):
            pass

    class Server(HTTPServer):
        def verify_request(self, request, client_address) -> bool:
            hits.append(f"connection from {client_address[0]}")
            return True

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def listener():
    """``listening()`` for one test: (its URL, what reached it)."""
    with listening() as target:
        yield target
