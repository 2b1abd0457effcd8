"""Building the internal tables from published files: ``gateway demo-data``.

Everything is read and checked before the database is touched. The new tables are then
written so that a failure leaves any existing database as it was: a SQLite database is
built in a temporary file beside the target and moved over it at the end; on PostgreSQL
the whole build is one transaction.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Boolean, Connection, Float, Index, Table, inspect, text
from sqlalchemy.engine import URL, Dialect
from sqlalchemy.exc import OperationalError
from tqdm import tqdm

from gateway.internal import schema
from gateway.internal.database import make_engine, parse_database_url, sqlite_path

from . import crimes, scale, stops, use_of_force
from .invent import Inventor
from .mappoints import MapPoints, derive_map_points
from .sources import Sources, default_sources_dir, read_sources

Row = tuple[str, dict]
BATCH = 20_000
DEFAULT_SEED = 20240229
# Rows written per synthetic street record (a crime's outcome history; ASB has none) and
# per use-of-force row (its tactics): averages, for the progress bar's total.
CRIME_ROWS = 1.9
UOF_ROWS = 3


class BuildError(RuntimeError):
    """The build could not write its database; nothing was changed."""


@dataclass
class BuildReport:
    database: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: bool = False


def build_demo_data(
    database_url: str,
    *,
    sources_dir: Path | None = None,
    scale_factor: int = 1,
    seed: int = DEFAULT_SEED,
    volumes: scale.Volumes | None = None,
    progress: bool = False,
    if_missing: bool = False,
    change_log: bool = True,
) -> BuildReport:
    """Build the internal tables at ``database_url`` from published files.

    ``change_log``: then add the change log (``gateway.internal.changes``), new and empty,
    so that incremental publishes digest only the months that change.

    :raise DatabaseURLError: the URL is not one the gateway can use.
    :raise SourceError: a published file is malformed (names file and line).
    :raise BuildError: the database could not be written.
    """
    started = time.monotonic()
    url = parse_database_url(database_url)
    report = BuildReport(database=url.render_as_string(hide_password=True))
    if scale_factor < 1:
        raise ValueError("scale must be 1 or more")
    if if_missing and _already_built(url):
        report.skipped = True
        return report
    sources = read_sources(sources_dir or default_sources_dir())
    volumes = volumes or scale.Volumes()
    points = derive_map_points(sources)
    rows = _all_rows(sources, points, scale_factor, seed, volumes)
    total = _estimate(sources, points, scale_factor, volumes)
    with tqdm(total=total, unit=" rows", disable=not progress, desc="internal tables", mininterval=0.5) as bar:
        report.counts = _write(url, rows, bar.update)
        bar.total = bar.n  # the total was an estimate
    if change_log:
        _install_change_log(url)
    report.seconds = time.monotonic() - started
    return report


def _install_change_log(url: URL) -> None:
    from gateway.internal import changes
    from gateway.publish.partitions import tracked_tables
    from gateway.publish.pipeline import DEFAULT_BASE, load_checked_mappings
    from mappings import INTERNAL

    tracked = tracked_tables(load_checked_mappings(INTERNAL, DEFAULT_BASE), schema.metadata)
    engine = make_engine(url)
    try:
        changes.install(engine, tracked, fresh=True)
    finally:
        engine.dispose()


def _already_built(url: URL) -> bool:
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return False
    engine = make_engine(url)
    try:
        return inspect(engine).has_table("extract_info")
    except Exception:  # an unreachable database is not a built one
        return False
    finally:
        engine.dispose()


def _all_rows(
    sources: Sources, points: MapPoints, scale_factor: int, seed: int, volumes: scale.Volumes
) -> Iterator[Row]:
    inv = Inventor(seed)
    for table, table_rows in schema.lookup_rows().items():
        for row in table_rows:
            yield table.name, row
    for row in points.lsoa_rows():
        yield "lsoa", row
    for row in points.rows():
        yield "map_point", row
    for key, value in _extract_info(sources, scale_factor, seed).items():
        yield "extract_info", {"key": key, "value": value}
    yield from crimes.from_street_files(sources, points, inv)
    yield from stops.from_stop_files(sources, points, inv)
    months = scale.met_months(sources, scale_factor)
    yield from scale.synthetic_crimes(inv, sources, points, months, volumes)
    yield from scale.synthetic_stops(inv, sources, points, months, volumes)
    real_months = scale.real_met_months(sources)
    yield from use_of_force.synthesise(
        inv, points, [m for m in real_months if m not in months], volumes.demo_uof_per_month
    )
    yield from use_of_force.synthesise(inv, points, months, volumes.uof_per_month)


def _extract_info(sources: Sources, scale_factor: int, seed: int) -> dict[str, str]:
    return {
        "extracted_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "generator": "gateway demo-data",
        "seed": str(seed),
        "scale": str(scale_factor),
        "sources": ",".join(p.name for p in sources.files),
        "licence": "Contains public sector information licensed under the Open Government Licence v3.0.",
    }


def _estimate(sources: Sources, points: MapPoints, scale_factor: int, volumes: scale.Volumes) -> int:
    """About how many rows the build writes, for the progress bar."""
    months = scale.met_months(sources, scale_factor)
    demo_months = [m for m in scale.real_met_months(sources) if m not in months]
    reference = sum(len(rows) for rows in schema.lookup_rows().values()) + len(points) + len(points.lsoa_names)
    real = len(sources.street) * 2 + len(sources.stops) + len(demo_months) * volumes.demo_uof_per_month * UOF_ROWS
    synthetic = len(months) * (
        round(volumes.crimes_per_month * CRIME_ROWS) + volumes.stops_per_month + volumes.uof_per_month * UOF_ROWS
    )
    return reference + real + synthetic


# --- writing ---------------------------------------------------------------------------


def _write(url: URL, rows: Iterable[Row], advance: Callable[[int], None]) -> dict[str, int]:
    target = sqlite_path(url)
    if target is None:
        return _write_tables(url, rows, advance)
    temporary = target.with_name(f".{target.name}.building-{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.unlink(missing_ok=True)
        counts = _write_tables(url.set(database=str(temporary)), rows, advance, fast_sqlite=True)
        os.replace(temporary, target)
        return counts
    except OSError as exc:
        raise BuildError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def _write_tables(
    url: URL, rows: Iterable[Row], advance: Callable[[int], None], fast_sqlite: bool = False
) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if fast_sqlite:
                # A fresh file that is renamed into place only when complete: no journal needed.
                conn.exec_driver_sql("PRAGMA journal_mode=OFF")
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
                conn.commit()
            with conn.begin():
                schema.metadata.drop_all(conn)
                schema.metadata.create_all(conn)
                deferred = _defer_indexes_and_keys(conn)
                writer = _BatchWriter(conn, advance)
                for name, row in rows:
                    writer.add(name, row)
                writer.flush()
                _restore_indexes_and_keys(conn, deferred)
            return writer.counts
    except OperationalError as exc:
        raise BuildError(f"cannot write {url.render_as_string(hide_password=True)}: {exc.orig}") from None
    finally:
        engine.dispose()


@dataclass
class _Deferred:
    """Secondary indexes and foreign keys set aside while the rows are loaded."""

    indexes: list[Index]
    foreign_keys: list[tuple[str, str, str]]  # (table, constraint, definition), quoted for SQL


def _defer_indexes_and_keys(conn: Connection) -> _Deferred:
    """Drop the secondary indexes, and on PostgreSQL the foreign keys, of the new tables.

    Building an index once over all rows is much faster than growing it row by row, and
    PostgreSQL checks a foreign key added to a full table in one join rather than with a
    trigger for every row. SQLite cannot add a foreign key to a table, so it keeps them.
    """
    indexes = [index for table in schema.metadata.sorted_tables for index in table.indexes]
    for index in indexes:
        index.drop(conn)
    foreign_keys = []
    if conn.dialect.name == "postgresql":
        foreign_keys = [tuple(row) for row in conn.execute(_FOREIGN_KEYS, {"tables": list(schema.metadata.tables)})]
        for table, name, _definition in foreign_keys:
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    return _Deferred(indexes, foreign_keys)


def _restore_indexes_and_keys(conn: Connection, deferred: _Deferred) -> None:
    for index in deferred.indexes:
        index.create(conn)
    for table, name, definition in deferred.foreign_keys:
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


_FOREIGN_KEYS = text(
    """
    SELECT format('%I', t.relname), format('%I', c.conname), pg_get_constraintdef(c.oid)
    FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
    WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables)
    ORDER BY t.relname, c.conname
    """
)


class _BatchWriter:
    """Buffers rows per table and writes them in batches, parents before children."""

    def __init__(self, conn: Connection, advance: Callable[[int], None]) -> None:
        self.conn = conn
        self.advance = advance
        self.tables = {t.name: t for t in schema.metadata.sorted_tables}
        self.order = [t.name for t in schema.metadata.sorted_tables]
        self.buffers: dict[str, list[dict]] = {name: [] for name in self.order}
        self.counts: dict[str, int] = dict.fromkeys(self.order, 0)
        self.pending = 0
        self.backend = conn.dialect.name

    def add(self, name: str, row: dict) -> None:
        self.buffers[name].append(row)
        self.pending += 1
        if self.pending >= BATCH:
            self.flush()

    def flush(self) -> None:
        for name in self.order:
            rows = self.buffers[name]
            if rows:
                self._insert(self.tables[name], rows)
                self.counts[name] += len(rows)
                self.advance(len(rows))
                self.buffers[name] = []
        self.pending = 0

    def _insert(self, table: Table, rows: list[dict]) -> None:
        columns = [c.name for c in table.columns]
        if self.backend == "postgresql":
            raw = self.conn.connection.driver_connection
            names = ", ".join(f'"{c}"' for c in columns)
            with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(tuple(map(row.get, columns)))
        elif self.backend == "sqlite":
            values = _sqlite_values(table, rows, self.conn.dialect)
            marks = ", ".join("?" for _ in columns)
            names = ", ".join(f'"{c}"' for c in columns)
            self.conn.connection.driver_connection.executemany(
                f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', values
            )
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            self.conn.execute(table.insert(), rows)


def _sqlite_values(table: Table, rows: list[dict], dialect: Dialect) -> list[tuple]:
    """The rows as parameter tuples for sqlite3, in the table's column order.

    sqlite3 stores Python booleans (as 0 and 1) and floats as they are and adapts dates
    itself, so only columns of other types with a SQLAlchemy bind processor need converting.
    """
    columns = [c.name for c in table.columns]
    convert = [
        (i, process)
        for i, column in enumerate(table.columns)
        if not isinstance(column.type, Boolean | Float) and (process := column.type.bind_processor(dialect)) is not None
    ]
    if not convert:
        return [tuple(map(row.get, columns)) for row in rows]
    values = []
    for row in rows:
        value = list(map(row.get, columns))
        for i, process in convert:
            if value[i] is not None:
                value[i] = process(value[i])
        values.append(tuple(value))
    return values
