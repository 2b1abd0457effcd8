"""A release's month partitions, and the content digests that tell which ones changed.

A partition is one dataset's records of one month with everything that hangs off them:
``street-crime/2024-01`` is the crimes and ASB incidents of January 2024 with every
outcome of those crimes (whatever the outcome's own month), ``use-of-force/2024-01`` the
uses of force of the month with their tactics. It is exactly one named graph of the
store (``{base}graph/street-crime/2024-01``), one set of rows of the published tables and
one N-Quads file of the dumps. Records whose month cannot be read belong to the
partition ``<dataset>/-`` (they are dropped, with their reason, when it is published),
and so do child rows whose parent is not in the source at all.

A partition's *source digest* is a SHA-256 over the source rows it is made of: every
column its mappings read (nothing else), in key order, parents then children. Two
publishes that see the same digest would publish the same partition, provided nothing
the whole release shares changed: the mappings, the pseudonym key, the vocabulary, the
lookup and reference tables, the code that publishes. Those make the *common digest*;
when it differs from the previous release's, every partition is published again.
"""

from __future__ import annotations

import hashlib
import hmac
import multiprocessing
import os
import threading
from collections import defaultdict
from collections.abc import Collection, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Select,
    Table,
    Text,
    and_,
    case,
    create_engine,
    false,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.expression import Executable

from gateway.internal import changes
from mappings import Field, Mapping, MappingSet

UNDATED = "-"  # the month of a partition whose records have no readable month
_END = b"\x1e"
# The code whose behaviour a published partition depends on: a change to any of it
# publishes every partition again.
_CODE = (
    Path(__file__).parent,
    Path(__file__).parents[2] / "mappings",
    Path(__file__).parents[2] / "vocab",
)


def partition_name(dataset: str, month: str) -> str:
    """``street-crime/2024-01``: the partition's name, as the manifest and the graphs say it."""
    return f"{dataset}/{month}"


def split_name(name: str) -> tuple[str, str]:
    dataset, _, month = name.rpartition("/")
    return dataset, month


def month_field(mapping: Mapping) -> Field:
    """The field a top-level mapping's records take their month from (``month``, else
    ``datetime``: a stop's month is its London month)."""
    for name in ("month", "datetime"):
        for f in mapping.fields:
            if f.name == name:
                return f
    raise ValueError(f"mapping {mapping.name} has no month or datetime field to partition by")


def month_expression(column: Column, dialect: str) -> ColumnElement:
    """SQL for a source column's partition month (``YYYY-MM``, NULL for none), as
    :func:`mappings.transforms.to_month` reads it: the London month of a UTC time, a
    date's own month. Every stage that sorts rows into partitions uses this one reading.

    PostgreSQL converts to London time. SQLite has no time zones, but London's month
    differs from UTC's only in the last hour of a month's last day under British Summer
    Time, which since 1996 runs from the last Sunday of March to the last Sunday of
    October (01:00 UTC both): the last days of March to September. A date has no hour.
    """
    if dialect == "postgresql":
        if isinstance(column.type, DateTime):
            return func.to_char(func.timezone("Europe/London", func.timezone("UTC", column)), "YYYY-MM")
        return func.to_char(column, "YYYY-MM")
    utc_month = func.strftime("%Y-%m", column)
    summer_last_hour = and_(
        func.cast(func.strftime("%m", column), Integer).between(3, 9),
        func.strftime("%H", column) == "23",
        func.strftime("%d", column, "+1 day") == "01",
    )
    return case((summer_last_hour, func.strftime("%Y-%m", column, "+1 hour")), else_=utc_month)


@dataclass(frozen=True)
class Family:
    """A top-level mapping and the child mappings whose rows hang off its records."""

    top: Mapping
    children: tuple[Mapping, ...]

    @property
    def dataset(self) -> str:
        return self.top.dataset


def families(mappings: MappingSet) -> list[Family]:
    """Every top-level mapping with its children, in the mapping set's order."""
    children: dict[str, list[Mapping]] = defaultdict(list)
    for m in mappings.mappings:
        if m.parent:
            children[m.parent.mapping].append(m)
    return [Family(m, tuple(children[m.name])) for m in mappings.mappings if not m.parent]


def _key_column(metadata: MetaData, mapping: Mapping) -> Column:
    """The source column of a mapping's key field (what children reference)."""
    return metadata.tables[mapping.table].c[mapping.field(mapping.key).columns[0]]


def _month_column(metadata: MetaData, mapping: Mapping) -> Column:
    return metadata.tables[mapping.table].c[month_field(mapping).columns[0]]


def _order(table: Table, mapping: Mapping) -> list[Column]:
    keys = ([mapping.parent.column] if mapping.parent else []) + list(mapping.order_by)
    key_field = mapping.field(mapping.key).columns[0]
    return [table.c[c] for c in [*keys, key_field]]


def _row_text(columns: list[Column], dialect: str) -> ColumnElement:
    """SQL for one row as text: every column quoted (NULL distinct from any text)."""
    if dialect == "postgresql":
        return func.concat_ws(chr(31), *(func.quote_nullable(func.cast(c, Text)) for c in columns))
    text = func.quote(columns[0])
    for c in columns[1:]:
        text = text.op("||")(chr(31)).op("||")(func.quote(c))
    return text


def _aggregate(rows: Select, dialect: str) -> Select:
    """Per partition month of ``rows`` (columns ``month`` and ``line``, in key order):
    how many rows, and their lines (SQLite: all of them; PostgreSQL: their MD5), gathered
    in the database, not row by row in Python."""
    ordered = rows.subquery()
    if dialect == "postgresql":
        body = func.md5(func.string_agg(ordered.c.line, aggregate_order_by(literal(chr(30)), *ordered.c[2:])))
        return select(ordered.c.month, func.count(), body).group_by(ordered.c.month)
    # rows reach group_concat in the subquery's order (were it otherwise, the digest would
    # change for nothing, and the partition would be published again: no harm)
    return select(ordered.c.month, func.count(), func.group_concat(ordered.c.line, chr(30))).group_by(ordered.c.month)


def _month_digests(conn: Connection, statement: Executable) -> list[tuple[str | None, int, bytes]]:
    """Each month's row count and the SHA-256 of its rows' text (one month in memory)."""
    return [(month, n, hashlib.sha256((body or "").encode()).digest()) for month, n, body in conn.execute(statement)]


def _month_digests_apart(url: str, sql: str) -> list[tuple[str | None, int, bytes]]:
    """:func:`_month_digests` in a process of its own, on a connection of its own."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return _month_digests(conn, text(sql))
    finally:
        engine.dispose()


def source_digests(
    engine: Engine,
    mappings: MappingSet,
    metadata: MetaData,
    key: bytes,
    workers: int | None = None,
    months: dict[str, frozenset[str]] | None = None,
) -> dict[str, str]:
    """Each partition's source digest, by partition name; one pass over each source table.

    Every mapped column of every row enters it, in key order: parents, then each kind of
    child (the rows' text is made and gathered by month in the database). The cost grows
    with the history, but it is reading only, and the tables are read at the same time, by
    up to ``workers`` processes (default: one per CPU), each with its own connection.
    (Threads do not help: SQLite's allocator serialises them.) Keyed (HMAC with the
    pseudonym key), so that a digest says nothing of the internal rows to whoever lacks
    the key. ``months``: only the partitions of these months of each dataset (their rows
    found through the month columns' indexes), e.g. those the change log names.
    """
    selection = Selection(months, metadata) if months is not None else None
    dialect = engine.dialect.name
    jobs: list[tuple[str, str, Select]] = []  # (dataset, mapping, statement), in digest order
    for family in families(mappings):
        top = family.top
        table = metadata.tables[top.table]
        parent_month = month_expression(_month_column(metadata, top), dialect).label("month")
        for mapping in (top, *family.children):
            own = metadata.tables[mapping.table]
            columns = [own.c[c] for c in mapping.columns()]
            source = own
            if mapping is not top:
                reference = own.c[mapping.parent.column] == _key_column(metadata, top)
                source = own.outerjoin(table, reference)
            order = _order(own, mapping)
            rows = select(parent_month, _row_text(columns, dialect).label("line"), *order).select_from(source)
            if selection is not None:
                rows = rows.where(selection.of(mapping, None if mapping is top else top)[0])
            if dialect != "postgresql":
                rows = rows.order_by(*order)
            jobs.append((family.dataset, mapping.name, _aggregate(rows, dialect)))
    statements = [statement for _, _, statement in jobs]
    workers = min(len(jobs), workers if workers is not None else os.cpu_count() or 1)
    # Processes are forked: only from a process with no other thread (a fork copies no
    # thread, and none of the locks another thread might hold), and not for an in-memory
    # database (each connection has one of its own).
    in_memory = dialect == "sqlite" and engine.url.database in (None, "", ":memory:")
    if workers <= 1 or in_memory or threading.active_count() > 1:
        with engine.connect() as conn:
            gathered = [_month_digests(conn, statement) for statement in statements]
    else:
        url = engine.url.render_as_string(hide_password=False)
        sql = [str(s.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})) for s in statements]
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            gathered = list(pool.map(_month_digests_apart, [url] * len(sql), sql))
    hashers: dict[str, hmac.HMAC] = {}
    for (dataset, mapping_name, _), found in zip(jobs, gathered, strict=True):
        for month, n, rows_digest in found:
            name = partition_name(dataset, month or UNDATED)
            if selection is not None and (month or UNDATED) not in selection.months.get(dataset, ()):
                continue  # a neighbouring month's rows, read with the wanted ones
            if name not in hashers:
                hashers[name] = hmac.new(key, digestmod=hashlib.sha256)
            hashers[name].update(f"{mapping_name}\n{n}\n".encode() + rows_digest + _END)
    return {name: h.hexdigest() for name, h in sorted(hashers.items())}


def tracked_tables(mappings: MappingSet, metadata: MetaData) -> list[changes.Tracked]:
    """The tables the change log watches, each with the column that places a row in a
    partition: a top-level mapping's month column, a child's reference to its parent."""
    found: dict[str, changes.Tracked] = {}
    for family in families(mappings):
        top = family.top
        found.setdefault(top.table, changes.Tracked(top.table, _month_column(metadata, top).name, parent=False))
        for child in family.children:
            found.setdefault(child.table, changes.Tracked(child.table, child.parent.column, parent=True))
    return list(found.values())


def changed_partitions(conn: Connection, mappings: MappingSet, metadata: MetaData, since: ColumnElement) -> set[str]:
    """The partitions the change log's rows ``since`` name (before or after each change):
    a record's by the month logged, a child's by its parent's month now (a parent that is
    gone logged its own month when it went)."""
    dialect = conn.dialect.name
    log = changes.log
    found: set[str] = set()
    for family in families(mappings):
        top = family.top
        statement = select(month_expression(log.c.at, dialect)).where(since, log.c.table_name == top.table)
        months = set(conn.execute(statement.distinct()).scalars())
        parent = metadata.tables[top.table]
        parent_month = month_expression(_month_column(metadata, top), dialect)
        for child in family.children:
            joined = log.outerjoin(parent, _key_column(metadata, top) == log.c.ref)
            statement = select(parent_month).select_from(joined).where(since, log.c.table_name == child.table)
            months |= set(conn.execute(statement.distinct()).scalars())
        found |= {partition_name(family.dataset, m or UNDATED) for m in months}
    return found


def common_digest(
    conn: Connection, mappings: MappingSet, metadata: MetaData, lookup_tables: Collection[str], parts: Iterable[str]
) -> str:
    """A digest of what every partition depends on: the mappings, the reference and lookup
    tables, the code that publishes, and ``parts`` (the key, the base, ...)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(str(part).encode() + _END)
    for m in mappings.mappings:
        h.update(f"{m.name}={m.checksum}".encode() + _END)
    for name in sorted({*lookup_tables, "map_point", "lsoa"}):
        table = metadata.tables[name]
        h.update(name.encode() + _END)
        primary = list(table.primary_key.columns) or list(table.columns)
        for row in conn.execute(select(table).order_by(*primary)):
            h.update(repr(tuple(row)).encode() + _END)
    for root in _CODE:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".yaml", ".ttl", ".json"} and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(root.parent)).encode() + _END + path.read_bytes() + _END)
    return h.hexdigest()


def month_source(mapping: Mapping, parent: Mapping | None, metadata: MetaData, dialect: str):
    """The partition month of a mapping's rows (SQL, labelled ``partition_month``) and what
    to select from to have it: the table itself, or for a child, the table joined to its
    parent's."""
    table = metadata.tables[mapping.table]
    if parent is None:
        return month_expression(_month_column(metadata, mapping), dialect).label("partition_month"), table
    joined = table.outerjoin(
        metadata.tables[parent.table], table.c[mapping.parent.column] == _key_column(metadata, parent)
    )
    return month_expression(_month_column(metadata, parent), dialect).label("partition_month"), joined


# --- Selecting the source rows of some partitions -----------------------------------------


def _month_ranges(months: Collection[str]) -> list[tuple[date, date]]:
    """Date ranges covering the months, a day wider at each end (a London month's UTC
    instants begin the day before; the exact month is checked on each row)."""
    firsts = sorted(date(int(m[:4]), int(m[5:7]), 1) for m in months if m != UNDATED)
    ranges: list[list[date]] = []
    for first in firsts:
        end = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        if ranges and ranges[-1][1] >= first:
            ranges[-1][1] = max(ranges[-1][1], end)
        else:
            ranges.append([first, end])
    return [(start - timedelta(days=1), end + timedelta(days=1)) for start, end in ranges]


def _within(column: Column, months: Collection[str]):
    conditions = [and_(column >= start, column < end) for start, end in _month_ranges(months)]
    if UNDATED in months:
        conditions.append(column.is_(None))
    return or_(*conditions) if conditions else false()


@dataclass(frozen=True)
class Selection:
    """The source rows of some partitions, for :func:`gateway.publish.records.published`:
    a SQL condition that finds them among a few more (an index can serve it), and the
    partitions themselves, which each row's partition month decides."""

    months: dict[str, frozenset[str]]  # dataset -> months to publish
    metadata: MetaData

    def of(self, mapping: Mapping, parent: Mapping | None) -> tuple[object, frozenset[str]]:
        """``(where, partitions)`` for one mapping: a SQL condition on its rows (joined to
        their parent's, for a child) and the names of the partitions to publish."""
        dataset = (parent or mapping).dataset
        months = self.months.get(dataset, frozenset())
        wanted = frozenset(partition_name(dataset, m) for m in months)
        if parent is None:
            return _within(_month_column(self.metadata, mapping), months), wanted
        # A child row is selected with its parent's partition (through the join to its
        # parent); for the undated partition, also when it has no parent at all.
        where = _within(_month_column(self.metadata, parent), months)
        if UNDATED in months:
            where = or_(where, _key_column(self.metadata, parent).is_(None))
        return where, wanted
