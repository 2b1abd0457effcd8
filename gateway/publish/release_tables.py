"""Where a release's published tables live.

By default, a SQLite file inside the release folder (``release.sqlite``). In production
they can live in PostgreSQL instead (``GATEWAY_RELEASE_DATABASE_URL``): each release gets
a schema of its own, ``release_<id>``, written while the release is built and dropped
with it, so switching releases never touches the tables being served. The same table
definitions serve both: a PostgreSQL connection is pointed at the release's schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.schema import CreateIndex, CreateTable

from gateway.internal.database import make_engine, parse_database_url

from . import tables

SQLITE_FILE = "release.sqlite"
SCHEMA_PREFIX = "release_"


def schema_name(release_id: str) -> str:
    """The PostgreSQL schema of a release: ``release_20240229t120000z``."""
    return SCHEMA_PREFIX + re.sub(r"[^a-z0-9_]", "_", release_id.lower())


@dataclass(frozen=True)
class ReleaseTables:
    """The published tables of one release, and how the manifest names them."""

    engine: Engine
    described: dict
    file: Path | None = None  # the SQLite file, when they live in one

    def spatial_index(self, conn: Connection) -> None:
        """An index for nearness and area queries on map points."""
        if conn.dialect.name == "sqlite":
            conn.execute(text(tables.RTREE_DDL))
            conn.execute(text(tables.RTREE_FILL))
        else:
            schema = self.described["schema"]
            index = f'CREATE INDEX ix_map_point_gist ON "{schema}".map_point USING gist (point(longitude, latitude))'
            conn.execute(text(index))

    def refresh_spatial_index(self, conn: Connection) -> None:
        """The spatial index again, after the map points changed (SQLite)."""
        conn.execute(text("DELETE FROM map_point_rtree"))
        conn.execute(text(tables.RTREE_FILL))

    def dispose(self) -> None:
        self.engine.dispose()


def create(building: Path, release_id: str, database_url: str | None) -> ReleaseTables:
    """Empty published tables for a release being built."""
    if database_url is None:
        path = building / SQLITE_FILE
        engine = create_engine(f"sqlite:///{path}")
        _create_all(engine)
        return ReleaseTables(engine, {"file": SQLITE_FILE}, path)
    url = parse_database_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError("release tables outside the release folder need PostgreSQL (GATEWAY_RELEASE_DATABASE_URL)")
    schema = schema_name(release_id)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    translated = engine.execution_options(schema_translate_map={None: schema})
    _create_all(translated)
    return ReleaseTables(translated, {"database": url.render_as_string(hide_password=True), "schema": schema})


def open_copy(path: Path) -> ReleaseTables:
    """The published tables of a SQLite file copied from another release, to change.

    Without a rollback journal or syncs: the copy belongs to a release being built, which
    is removed if its publish fails, and hashed and verified before it is served; a
    journal would save pages nobody restores, and a sync at the commit would wait for the
    whole copy to reach the disk (a second at 36 Met months).
    """
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _unjournalled)
    return ReleaseTables(engine, {"file": SQLITE_FILE}, path)


def _unjournalled(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=OFF")
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def _create_all(engine: Engine) -> None:
    """The tables, then their indexes by name: ``metadata.create_all`` creates a table's
    indexes in set order, which differs from one process to the next, and so would the
    release's SQLite file, byte for byte."""
    with engine.begin() as conn:
        for table in tables.metadata.sorted_tables:
            conn.execute(CreateTable(table))
            for index in sorted(table.indexes, key=lambda i: i.name or ""):
                conn.execute(CreateIndex(index))


def open_tables(release_path: Path, manifest: dict, database_url: str | None) -> Engine:
    """An engine on a published release's tables, wherever they live."""
    described = manifest.get("tables", {"file": SQLITE_FILE})
    if "schema" not in described:
        return create_engine(f"sqlite:///{release_path / described['file']}")
    if database_url is None:
        schema = described["schema"]
        raise ValueError(f"release tables are in PostgreSQL schema {schema}: set GATEWAY_RELEASE_DATABASE_URL")
    return make_engine(database_url).execution_options(schema_translate_map={None: described["schema"]})


def discard(release_ids: Iterable[str], database_url: str | None) -> None:
    """Drop the schemas of releases that failed or were pruned (nothing to do for SQLite)."""
    ids = list(release_ids)
    if database_url is None or not ids:
        return
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            for release_id in ids:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema_name(release_id)}" CASCADE'))
    finally:
        engine.dispose()


def clear_orphans(kept: Iterable[str], database_url: str | None) -> list[str]:
    """Drop release schemas that no complete release names (left by a killed publish)."""
    if database_url is None:
        return []
    wanted = {schema_name(r) for r in kept}
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            found = [
                s
                for (s,) in conn.execute(
                    text("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'release\\_%'")
                )
            ]
            orphans = [s for s in found if s not in wanted]
            for schema in orphans:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        return orphans
    finally:
        engine.dispose()
