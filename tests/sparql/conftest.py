"""Fixtures for the SPARQL endpoint's tests: one app (and its engine processes) per session."""

from __future__ import annotations

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
