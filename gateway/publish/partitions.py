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
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Column, Connection, MetaData, Table, and_, false, or_, select

from mappings import Field, Mapping, MappingSet
from mappings.transforms import to_month

UNDATED = "-"  # the month of a partition whose records have no readable month
_SEPARATOR = b"\x1f"
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


def month_of(value: date | datetime | None) -> str:
    """The partition month of a source value (London month of a UTC time; a date's month)."""
    try:
        return to_month(value) or UNDATED
    except (TypeError, ValueError, AttributeError):
        return UNDATED


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


def _encode(row: Iterable[object]) -> bytes:
    return _SEPARATOR.join(b"\x00" if v is None else repr(v).encode() for v in row) + _END


def source_digests(conn: Connection, mappings: MappingSet, metadata: MetaData, key: bytes) -> dict[str, str]:
    """Each partition's source digest, by partition name; one pass over each source table.

    Every mapped column of every row is read and hashed: the cost grows with the history,
    but it is reading only, against publishing a month. Keyed (HMAC with the pseudonym
    key), so that a digest says nothing of the internal rows to whoever lacks the key.
    """
    hashers: dict[str, hmac.HMAC] = {}

    def hasher(name: str) -> hmac.HMAC:
        if name not in hashers:
            hashers[name] = hmac.new(key, digestmod=hashlib.sha256)
        return hashers[name]

    for family in families(mappings):
        top = family.top
        table = metadata.tables[top.table]
        columns = [table.c[c] for c in top.columns()]
        month_at = top.columns().index(month_field(top).columns[0])
        tag = f"{top.name}\n".encode()
        statement = select(*columns).order_by(*_order(table, top))
        for chunk in conn.execution_options(stream_results=True, yield_per=20_000).execute(statement).partitions():
            for row in chunk:
                h = hasher(partition_name(family.dataset, month_of(row[month_at])))
                h.update(tag)
                h.update(_encode(row))
        parent_month = _month_column(metadata, top).label("partition_month")
        for child in family.children:
            child_table = metadata.tables[child.table]
            columns = [child_table.c[c] for c in child.columns()]
            tag = f"{child.name}\n".encode()
            statement = (
                select(*columns, parent_month)
                .select_from(
                    child_table.outerjoin(table, child_table.c[child.parent.column] == _key_column(metadata, top))
                )
                .order_by(*_order(child_table, child))
            )
            result = conn.execution_options(stream_results=True, yield_per=20_000).execute(statement)
            for chunk in result.partitions():
                for row in chunk:
                    h = hasher(partition_name(family.dataset, month_of(row[-1])))
                    h.update(tag)
                    h.update(_encode(row[:-1]))
    return {name: h.hexdigest() for name, h in sorted(hashers.items())}


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
            h.update(_encode(row))
    for root in _CODE:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".yaml", ".ttl", ".json"} and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(root.parent)).encode() + _END + path.read_bytes() + _END)
    return h.hexdigest()


def month_source(mapping: Mapping, parent: Mapping | None, metadata: MetaData) -> tuple[Column, object]:
    """The column a mapping's rows take their partition month from, and what to select
    from to have it: the table itself, or for a child, the table joined to its parent's."""
    table = metadata.tables[mapping.table]
    if parent is None:
        return _month_column(metadata, mapping).label("partition_month"), table
    joined = table.outerjoin(
        metadata.tables[parent.table], table.c[mapping.parent.column] == _key_column(metadata, parent)
    )
    return _month_column(metadata, parent).label("partition_month"), joined


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
    a SQL condition that finds them among a few more, and a test that keeps exactly them."""

    months: dict[str, frozenset[str]]  # dataset -> months to publish
    metadata: MetaData

    def of(self, mapping: Mapping, parent: Mapping | None, conn: Connection) -> tuple[object, object]:
        """``(where, keep)`` for one mapping: ``where`` a SQL condition on its table,
        ``keep(row)`` whether a row (its mapped columns) is in the selection."""
        months = self.months.get((parent or mapping).dataset, frozenset())
        if parent is None:
            column = _month_column(self.metadata, mapping)
            name = column.name
            return _within(column, months), lambda row: month_of(row[name]) in months
        # A child row is selected with its parent's partition: the parents' keys in it
        # (found among the parents of a slightly wider range of dates), and for the undated
        # partition, child rows whose parent is not in the source at all.
        in_range = dict(self.parents_in_range(parent, months, conn))
        keys = {k for k, month in in_range.items() if month in months}
        reference = self.metadata.tables[mapping.table].c[mapping.parent.column]
        parent_key, parent_month = _key_column(self.metadata, parent), _month_column(self.metadata, parent)
        where = reference.in_(select(parent_key).where(_within(parent_month, months)).correlate(None))
        name = reference.name
        if UNDATED in months:
            where = or_(where, ~reference.in_(select(parent_key).correlate(None)))
            return where, lambda row: row[name] in keys or row[name] not in in_range
        return where, lambda row: row[name] in keys

    def parents_in_range(self, parent: Mapping, months: Collection[str], conn: Connection) -> Iterator[tuple]:
        """``(key, partition month)`` of the parents in the months' (widened) date ranges."""
        key, month = _key_column(self.metadata, parent), _month_column(self.metadata, parent)
        for k, m in conn.execute(select(key, month).where(_within(month, months))):
            yield k, month_of(m)
