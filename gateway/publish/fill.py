"""Filling a release's published tables from the internal tables, through the mappings."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, select, update

from mappings import Mapping, MappingSet
from mappings.transforms import to_month

from . import tables
from .context import PublishContext
from .partitions import Selection
from .records import PARTITION, Drops, published

BATCH = 10_000


class Counts(Counter):
    """Published records by dataset and month, and by the partition that holds them."""

    def add(self, dataset: str, month: str | None, partition: str = "") -> None:
        self[(dataset, month or "", partition)] += 1

    def report(self) -> dict[str, dict[str, int]]:
        """By dataset and month, every partition's together (the manifest's ``counts``)."""
        total: Counter = Counter()
        for (dataset, month, _p), n in self.items():
            total[(dataset, month)] += n
        out: dict[str, dict[str, int]] = defaultdict(dict)
        for (dataset, month), n in sorted(total.items()):
            out[dataset][month] = n
        return dict(out)

    def by_partition(self) -> dict[str, dict[str, dict[str, int]]]:
        out: dict[str, dict[str, dict[str, int]]] = {}
        for (dataset, month, p), n in sorted(self.items(), key=lambda item: (item[0][2], item[0][0], item[0][1])):
            out.setdefault(p, {}).setdefault(dataset, {})[month] = n
        return out

    def merge(self, partition: str, report: dict[str, dict[str, int]]) -> None:
        """Add a partition's counts as a manifest lists them (a partition shared, not rebuilt)."""
        for dataset, months in report.items():
            for month, n in months.items():
                self[(dataset, month, partition)] += n


class _Inserter:
    """Rows into one published table, a batch at a time, through the driver's executemany.

    Rows are bound as tuples to one plain INSERT: SQLAlchemy's executemany, binding a dict
    per row, took more time than the database took to insert them. The release tables
    have no column defaults, so a column a row leaves out is NULL either way.
    """

    def __init__(self, conn: Connection, table: Table, advance: Callable[[int], None]) -> None:
        self.conn, self.table, self.advance = conn, table, advance
        self.columns = [c.name for c in table.columns]
        self.sql = _insert_sql(conn, table, self.columns)
        self.rows: list[tuple] = []

    def add(self, row: dict) -> None:
        self.rows.append(tuple(row.get(c) for c in self.columns))
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.conn.exec_driver_sql(self.sql, self.rows)
            self.advance(len(self.rows))
            self.rows = []


PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # sqlite3; psycopg


def _insert_sql(conn: Connection, table: Table, columns: list[str]) -> str:
    """``INSERT INTO [schema.]table (columns) VALUES (?, ...)`` for this connection's driver."""
    preparer = conn.dialect.identifier_preparer
    name = preparer.format_table(table, use_schema=False)
    schema = (conn.get_execution_options().get("schema_translate_map") or {}).get(None)
    if schema:
        name = f"{preparer.quote_schema(schema)}.{name}"
    names = ", ".join(preparer.quote(c) for c in columns)
    marks = ", ".join([PLACEHOLDERS[conn.dialect.paramstyle]] * len(columns))
    return f"INSERT INTO {name} ({names}) VALUES ({marks})"


def fill_release(
    source: Connection,
    target: Connection,
    mappings: MappingSet,
    ctx: PublishContext,
    drops: Drops,
    advance: Callable[[int], None] = lambda n: None,
    selection: Selection | None = None,
) -> Counts:
    """Publish every mapping into the release's tables; returns counts by dataset and month.

    With ``selection``, only the source rows of some partitions are published, into tables
    that hold the others already (an incremental publish); the map points and LSOAs are
    then left to :func:`refresh_places`, which sees every partition's records.
    """
    counts = Counts()
    used_points: set[int] = set()
    by_record = {m.record: m for m in mappings.mappings}
    by_name = {m.name: m for m in mappings.mappings}

    def rows(mapping: Mapping) -> Iterator[dict[str, Any]]:
        only = None
        parent = by_name[mapping.parent.mapping] if mapping.parent else None
        if selection is not None:
            only = selection.of(mapping, parent)
        return published(source, mapping, ctx, drops, only, parent)

    parents: dict[str, set[int]] = {}
    for record in ("RecordedCrime", "AntiSocialBehaviourIncident"):
        if record in by_record:
            ids = _street(rows, target, by_record[record], drops, counts, used_points, advance, ctx)
            parents[by_record[record].name] = ids
    if "CrimeOutcome" in by_record:
        mapping = by_record["CrimeOutcome"]
        months = None
        if selection is not None:  # the crimes whose outcomes were published again
            months = selection.months.get(by_name[mapping.parent.mapping].dataset, frozenset())
        _outcomes(rows, target, mapping, drops, counts, parents, advance, months)
    if "StopAndSearch" in by_record:
        _stops(rows, target, by_record["StopAndSearch"], ctx, counts, used_points, advance)
    if "UseOfForce" in by_record:
        mapping = by_record["UseOfForce"]
        parents[mapping.name] = _simple(rows, target, mapping, tables.use_of_force, counts, advance)
    if "TacticUse" in by_record:
        _tactics(rows, target, by_record["TacticUse"], drops, parents, advance)
    if selection is None:
        _map_points(target, ctx, used_points)
        _lsoas(target, ctx)
    return counts


def refresh_places(target: Connection, ctx: PublishContext, candidates: tuple[set[int], set[str]]) -> None:
    """The map points and LSOAs of the records the tables hold now, after an incremental
    publish replaced some partitions' records. ``candidates``: the map points and LSOAs
    the replaced and the new records name; only whether these are still named is asked
    (through the indexes): any other is named as it was."""
    points, lsoas = candidates
    m, lsoa = tables.map_point, tables.lsoa
    before = set(target.execute(select(m.c.id)).scalars())
    still = _still_named(target, "map_point", points)
    used = (before - points) | still
    target.execute(delete(m))
    _map_points(target, ctx, used)
    # LSOAs: those the records name, and the map points'.
    named_before = set(target.execute(select(lsoa.c.code)).scalars())
    of_points = {code for code in target.execute(select(m.c.lsoa_code).distinct()).scalars() if code}
    codes = lsoas | (named_before - of_points)  # a code only a record names may be named no more
    named = (named_before - codes) | of_points | _still_named(target, "lsoa_code", codes)
    target.execute(delete(lsoa))
    _insert_lsoas(target, ctx, named)


def _still_named(target: Connection, column: str, values: set) -> set:
    """Those of ``values`` some published street record or stop names in ``column``."""
    found: set = set()
    values = sorted(values)
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        for table in (tables.street, tables.stop_search):
            c = table.c[column]
            found |= set(target.execute(select(c).where(c.in_(chunk)).distinct()).scalars())
    return found


def _place(ctx: PublishContext, point: int | None, record: dict[str, Any] | None = None) -> dict[str, Any]:
    """The LSOA and borough a record is published under: its own where the mapping
    publishes them, else its map point's; never any for a record without a location."""
    if point is None:
        return {"lsoa_code": None, "borough_code": None}
    p = ctx.points[point]
    record = record or {}
    return {
        "lsoa_code": record.get("lsoa_code", p.lsoa_code),
        "borough_code": record.get("borough_code", p.borough_code),
    }


def _street(rows, target, mapping: Mapping, drops, counts, used_points, advance, ctx) -> set[int]:
    crime = mapping.record == "RecordedCrime"
    id_field = "crime_id" if crime else "asb_id"
    ids: set[int] = set()
    out = _Inserter(target, tables.street, advance)
    for r in rows(mapping):
        if r[id_field] in ids:
            drops.add(mapping, "identifier collision", r[PARTITION])
            continue
        ids.add(r[id_field])
        if r["map_point"] is not None:
            used_points.add(r["map_point"])
        out.add(
            {
                "id": r[id_field],
                "record": mapping.record,
                "persistent_id": r.get("persistent_id") or "",
                "category": r["category"],
                "month": r["month"],
                "map_point": r["map_point"],
                "force": r["force"],
                **_place(ctx, r["map_point"], r),
                # A mapping may publish the last outcome as its source states it (archive
                # files do); else it is the last of the crime's published outcomes.
                "last_outcome": r.get("last_outcome"),
                "last_outcome_month": r.get("last_outcome_month"),
                # What the source said, where a mapping publishes it (archive files).
                "street_name": r.get("street_name"),
                "category_label": r.get("category_label"),
                "last_outcome_label": r.get("last_outcome_label"),
            }
        )
        counts.add(mapping.dataset, r["month"], r[PARTITION])
    out.flush()
    return ids


def _outcomes(rows, target, mapping: Mapping, drops, counts, parents, advance, months) -> None:
    crimes = parents.get(mapping.parent.mapping, set())
    out = _Inserter(target, tables.crime_outcome, advance)
    previous, seq = None, 0
    # Outcomes arrive grouped by crime, in the order of its history.
    for r in rows(mapping):
        crime = r["crime_id"]
        if crime not in crimes:
            drops.add(mapping, "its crime is not published", r[PARTITION])
            continue
        seq = seq + 1 if crime == previous else 1
        previous = crime
        out.add(
            {
                "id": r["outcome_id"],
                "crime_id": crime,
                "seq": seq,
                "category": r["category"],
                "month": r["month"],
                "street_name": r.get("street_name"),
                "category_label": r.get("category_label"),
            }
        )
        counts.add(mapping.dataset, r["month"], r[PARTITION])
    out.flush()
    _set_last_outcomes(target, months)


def _set_last_outcomes(target: Connection, months: Collection[str] | None = None) -> None:
    """Each crime's last outcome is the latest of its history (unless its mapping gave one);
    with ``months``, of the crimes of those months only (the rest are as they were)."""
    street, o = tables.street, tables.crime_outcome.alias("o")

    def latest(column):
        return select(column).where(o.c.crime_id == street.c.id).order_by(o.c.seq.desc()).limit(1).scalar_subquery()

    statement = update(street).where(
        street.c.last_outcome.is_(None), street.c.id.in_(select(tables.crime_outcome.c.crime_id))
    )
    if months is not None:
        statement = statement.where(street.c.month.in_(sorted(months)))
    target.execute(statement.values(last_outcome=latest(o.c.category), last_outcome_month=latest(o.c.month)))


def _stops(rows, target, mapping: Mapping, ctx, counts, used_points, advance) -> None:
    out = _Inserter(target, tables.stop_search, advance)
    columns = {c.name for c in tables.stop_search.columns}
    for r in rows(mapping):
        month = to_month(datetime.fromisoformat(r["datetime"]))
        if r["map_point"] is not None:
            used_points.add(r["map_point"])
        row = {k: v for k, v in r.items() if k in columns}
        row.update(id=r["stop_id"], month=month, **_place(ctx, r["map_point"]))
        out.add(row)
        counts.add(mapping.dataset, month, r[PARTITION])
    out.flush()


def _simple(rows, target, mapping: Mapping, table: Table, counts, advance) -> set[int]:
    out = _Inserter(target, table, advance)
    columns = {c.name for c in table.columns}
    ids: set[int] = set()
    for r in rows(mapping):
        ids.add(r[mapping.key])
        row = {k: v for k, v in r.items() if k in columns}
        row["id"] = r[mapping.key]
        out.add(row)
        counts.add(mapping.dataset, r.get("month"), r[PARTITION])
    out.flush()
    return ids


def _tactics(rows, target, mapping: Mapping, drops, parents, advance) -> None:
    owners = parents.get(mapping.parent.mapping, set())
    out = _Inserter(target, tables.use_of_force_tactic, advance)
    for r in rows(mapping):
        if r["uof_id"] not in owners:
            drops.add(mapping, "its use of force is not published", r[PARTITION])
            continue
        out.add(r)
    out.flush()


def _lsoas(target: Connection, ctx: PublishContext) -> None:
    """The LSOAs the published records and map points name, with their names."""
    used = set()
    for table in (tables.street, tables.stop_search, tables.map_point):
        used |= {code for (code,) in target.execute(select(table.c.lsoa_code).distinct()) if code}
    _insert_lsoas(target, ctx, used)


def _insert_lsoas(target: Connection, ctx: PublishContext, used: set[str]) -> None:
    rows = []
    for code in sorted(used):
        name, borough = ctx.lsoas.get(code, (code, None))
        rows.append({"code": code, "name": name, "borough_code": borough})
    if rows:
        target.execute(tables.lsoa.insert(), rows)


def _map_points(target: Connection, ctx: PublishContext, used: Iterable[int]) -> None:
    out = _Inserter(target, tables.map_point, lambda n: None)
    for i in sorted(used):
        out.add(vars(ctx.points[i]))
    out.flush()
