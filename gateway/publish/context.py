"""What the transforms need from the source tables, gathered once per publish.

The source is the internal tables (:mod:`gateway.internal.schema`) unless the caller
names another set of tables with the same reference tables (``map_point``, ``lsoa``,
``extract_info`` and code/published lookup tables), such as the archive tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, MetaData, select

from gateway.internal import lookups, schema
from mappings import InternalSchema
from mappings.transforms import SnapIndex

# Age bands by scheme: (published label, lowest age, highest age).
AGE_BANDS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "stop-search": lookups.STOP_AGE_BANDS,
    "use-of-force": lookups.UOF_AGE_BANDS,
}


@dataclass(frozen=True)
class SourceTables:
    """The tables a publish reads: their metadata, and which of them are lookup tables."""

    metadata: MetaData
    lookup_tables: tuple[str, ...]


INTERNAL_TABLES = SourceTables(schema.metadata, tuple(schema.LOOKUP_TABLES))


def internal_schema(source: SourceTables = INTERNAL_TABLES) -> InternalSchema:
    """The source tables (by default the internal tables) as the mapping loader sees them."""
    columns = {
        table.name: {c.name: c.info["disclosure"] for c in table.columns} for table in source.metadata.sorted_tables
    }
    return InternalSchema(columns=columns, lookups=frozenset(source.lookup_tables))


@dataclass
class MapPoint:
    id: int
    latitude: float
    longitude: float
    street_name: str
    lsoa_code: str | None
    lsoa_name: str | None
    borough_code: str | None


@dataclass
class PublishContext:
    """Lookups, map points and the pseudonym key for one publish."""

    key: bytes
    lookups: dict[str, dict[str, str | None]]
    points: dict[int, MapPoint]
    snap_index: SnapIndex
    lsoas: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # code -> (name, borough)
    # Whether a published value is a concept of a scheme; values that are not are dropped.
    has_concept: Callable[[str, str], bool] = lambda _scheme, _value: True
    extracted_at: str = ""
    extract_info: dict[str, str] = field(default_factory=dict)
    metadata: MetaData = field(default_factory=lambda: schema.metadata)  # the source tables


def load_context(conn: Connection, key: bytes, source: SourceTables = INTERNAL_TABLES) -> PublishContext:
    """Read the lookup tables, the map points and the extract details of the source tables."""
    tables = {}
    for name in source.lookup_tables:
        table = source.metadata.tables[name]
        tables[name] = dict(conn.execute(select(table.c.code, table.c.published)).all())
    mp, ls = source.metadata.tables["map_point"], source.metadata.tables["lsoa"]
    rows = conn.execute(
        select(mp.c.id, mp.c.latitude, mp.c.longitude, mp.c.easting, mp.c.northing, mp.c.street_name,
               mp.c.lsoa_code, ls.c.name, mp.c.borough_code)
        .select_from(mp.outerjoin(ls, mp.c.lsoa_code == ls.c.code))
        .order_by(mp.c.id)
    ).all()  # fmt: skip
    points = {
        r.id: MapPoint(r.id, r.latitude, r.longitude, r.street_name, r.lsoa_code, r.name, r.borough_code) for r in rows
    }
    index = SnapIndex([r.id for r in rows], [r.easting for r in rows], [r.northing for r in rows])
    extract_info = source.metadata.tables["extract_info"]
    info = dict(conn.execute(select(extract_info.c.key, extract_info.c.value)).all())
    lsoas = {r.code: (r.name, r.borough_code) for r in conn.execute(select(ls))}
    return PublishContext(
        key=key,
        lookups=tables,
        points=points,
        snap_index=index,
        lsoas=lsoas,
        extracted_at=info.get("extracted_at", ""),
        extract_info=info,
        metadata=source.metadata,
    )
