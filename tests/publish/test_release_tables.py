"""Release tables in PostgreSQL: a schema per release, dropped when the release goes.

Collected only when GATEWAY_TEST_POSTGRES_URL names a server (as in CI); the SQLite
default is what every other publish test uses.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from gateway import releases
from gateway.internal.database import make_engine
from gateway.publish import dumps, release_tables, tables
from gateway.publish.pipeline import publish
from tests.conftest import POSTGRES_URL

from .conftest import KEY


def schemas() -> set[str]:
    engine = make_engine(POSTGRES_URL)
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'release\\_%'")
        )
        names = {s for (s,) in found}
    engine.dispose()
    return names


def source_url(release) -> str:
    described = release.manifest["source"]["database"]
    return POSTGRES_URL if described.startswith("postgresql") else described


if POSTGRES_URL:

    def test_release_tables_in_postgresql(release, tmp_path, monkeypatch):
        first = publish(source_url(release), tmp_path, key=KEY, release_database_url=POSTGRES_URL, keep=1)
        schema = first.manifest["tables"]["schema"]
        assert schema == release_tables.schema_name(first.release_id) and schema in schemas()
        assert not (first.path / "release.sqlite").exists()
        # The same files as a release whose tables are a SQLite file.
        ours = {f["path"]: f["sha256"] for f in first.manifest["files"]}
        theirs = {f["path"]: f["sha256"] for f in release.manifest["files"] if f["path"] != "release.sqlite"}
        assert ours == theirs
        engine = release_tables.open_tables(first.path, first.manifest, POSTGRES_URL)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(tables.stop_search)).scalar() == 12_447
        engine.dispose()

        # A failed publish drops the schema it made; the current release keeps its own.
        monkeypatch.setattr(dumps, "write_csv_dumps", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
        with pytest.raises(OSError):
            publish(source_url(release), tmp_path, key=KEY, release_database_url=POSTGRES_URL, keep=1)
        assert schemas() == {schema}
        monkeypatch.undo()

        # Pruning a release drops its schema too.
        second = publish(source_url(release), tmp_path, key=KEY, release_database_url=POSTGRES_URL, keep=1)
        assert releases.current_release(tmp_path) == second.release_id
        assert schemas() == {second.manifest["tables"]["schema"]}
        release_tables.discard([second.release_id], POSTGRES_URL)
        assert schemas() == set()
