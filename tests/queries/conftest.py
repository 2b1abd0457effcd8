"""Connections on the demo release's published tables: SQLite always, PostgreSQL when available.

The PostgreSQL release is the same demo data published with its tables in a schema of the
test database (``GATEWAY_RELEASE_DATABASE_URL``), so both index paths (SQLite's R*Tree,
PostgreSQL's GiST) answer the same questions.
"""

from __future__ import annotations

import pytest

from gateway.publish.release_tables import open_tables
from tests.conftest import BACKENDS, POSTGRES_URL, RELEASE_KEY


@pytest.fixture(scope="module", params=BACKENDS)
def any_conn(request, published_dir, published_release, tmp_path_factory):
    """A connection on the demo release's tables, once per backend."""
    if request.param == "sqlite":
        with published_release.engine.connect() as connection:
            yield connection
        return
    from gateway.publish.pipeline import publish

    result = publish(
        f"sqlite:///{published_dir / 'internal.sqlite'}",
        tmp_path_factory.mktemp("releases-pg"),
        key=RELEASE_KEY.encode(),
        release_database_url=POSTGRES_URL,
    )
    engine = open_tables(result.path, result.manifest, POSTGRES_URL)
    with engine.connect() as connection:
        yield connection
    engine.dispose()
