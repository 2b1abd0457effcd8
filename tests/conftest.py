"""Shared fixtures: the app, its clients, and demo databases on every available backend.

The database fixtures run on SQLite always and on PostgreSQL as well when
``GATEWAY_TEST_POSTGRES_URL`` names a server (``.ci/run`` starts one).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, MetaData

from gateway import create_app
from gateway.demo.build import build_demo_data
from gateway.demo.sources import Sources, default_sources_dir, read_sources
from gateway.internal.database import make_engine

POSTGRES_URL = os.environ.get("GATEWAY_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(autouse=True)
def _no_gateway_environment(monkeypatch):
    """Tests see only the settings they set themselves."""
    for name in list(os.environ):
        if name.startswith("GATEWAY_") and name != "GATEWAY_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


@pytest.fixture
def app(tmp_path):
    return create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "var")})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture(scope="session")
def sources() -> Sources:
    """The real published files that ship with the gateway."""
    return read_sources(default_sources_dir())


def empty_postgres(url: str) -> None:
    """Drop every table in the test database, so each build starts clean."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            meta = MetaData()
            meta.reflect(conn)
            meta.drop_all(conn)
    finally:
        engine.dispose()


def database_url(backend: str, directory: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{directory / 'internal.sqlite'}"
    assert POSTGRES_URL
    empty_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(scope="session", params=BACKENDS)
def demo_engine(request, tmp_path_factory) -> Engine:
    """The demo internal tables (scale 1), built once per backend for the session."""
    url = database_url(request.param, tmp_path_factory.mktemp(f"demo-{request.param}"))
    build_demo_data(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def scratch_database(request, tmp_path) -> str:
    """An empty database of the parametrised backend, apart from the session's demo one.

    On PostgreSQL it is a fresh schema ``gateway_scratch`` of the test database.
    """
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'scratch.sqlite'}"
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    engine = make_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS gateway_scratch CASCADE"))
        conn.execute(text("CREATE SCHEMA gateway_scratch"))
    engine.dispose()
    url = make_url(POSTGRES_URL).update_query_dict({"options": "-csearch_path=gateway_scratch"})
    return url.render_as_string(hide_password=False)


# --- A published demo release, and apps and servers that serve it -------------------------

RELEASE_KEY = "test-pseudonym-key"
# Tests that are not about rate limiting must never meet it.
UNLIMITED = {"RATE_LIMIT": 100_000, "RATE_BURST": 100_000}


@pytest.fixture(scope="session")
def published_dir(tmp_path_factory) -> Path:
    """A data directory with the demo internal tables (SQLite) and one published release.

    Read-only for tests: copy it (or publish into a directory of your own) to change it.
    """
    from gateway.publish.pipeline import publish

    data_dir = tmp_path_factory.mktemp("published")
    url = f"sqlite:///{data_dir / 'internal.sqlite'}"
    build_demo_data(url)
    publish(url, data_dir / "releases", key=RELEASE_KEY.encode())
    return data_dir


@pytest.fixture(scope="session")
def published_release(published_dir):
    """The demo release as the app sees it (``gateway.current.Release``)."""
    from gateway.current import ReleaseRegistry

    registry = ReleaseRegistry(published_dir / "releases", None)
    release = registry.current()
    yield release
    registry.close()


@pytest.fixture
def release_app(published_dir):
    """The app serving the demo release."""
    return create_app({"TESTING": True, "DATA_DIR": str(published_dir), "PSEUDONYM_KEY": RELEASE_KEY, **UNLIMITED})


@pytest.fixture
def release_client(release_app):
    return release_app.test_client()


@pytest.fixture(scope="session")
def live_server(published_dir):
    """gunicorn serving the demo release on 127.0.0.1 (``live_server.url``)."""
    from tests.live import gunicorn

    with gunicorn(published_dir, {**UNLIMITED, "PSEUDONYM_KEY": RELEASE_KEY}) as server:
        yield server


# --- A private Virtuoso with the demo release loaded (the remote SPARQL backend) ----------


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """Debian's Virtuoso on free 127.0.0.1 ports, own ini and database (tests/virtuoso.py)."""
    from tests.virtuoso import VIRTUOSO_BINARY, virtuoso

    if VIRTUOSO_BINARY is None:
        pytest.fail("virtuoso-t is missing: install the Debian package virtuoso-opensource (.ci/run does)")
    with virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(scope="session")
def remote_release(virtuoso_server, published_dir, published_release):
    """The demo release loaded into ``virtuoso_server``; its settings in ``.settings()``."""
    from gateway.publish.remote_store import RemoteStore

    store = RemoteStore.from_settings({"DATA_DIR": str(published_dir), **virtuoso_server.settings()})
    store.load(published_release.path)
    return published_release
