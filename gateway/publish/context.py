"""What the transforms need from the internal database, gathered once per publish."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from gateway.internal import lookups, schema
from mappings import InternalSchema
from mappings.transforms import SnapIndex

# Age bands by scheme: (published label, lowest age, highest age).
AGE_BANDS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "stop-search": lookups.STOP_AGE_BANDS,
    "use-of-force": lookups.UOF_AGE_BANDS,
}


def internal_schema() -> InternalSchema:
    """The internal tables as the mapping loader sees them."""
    columns = {
        table.name: {c.name: c.info["disclosure"] for c in table.columns} for table in schema.metadata.sorted_tables
    }
    return InternalSchema(columns=columns, lookups=frozenset(schema.LOOKUP_TABLES))


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


def load_context(conn: Connection, key: bytes) -> PublishContext:
    """Read the lookup tables, the map points and the extract details."""
    tables = {}
    for name in schema.LOOKUP_TABLES:
        table = schema.metadata.tables[name]
        tables[name] = dict(conn.execute(select(table.c.code, table.c.published)).all())
    mp, ls = schema.map_point, schema.lsoa
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
    info = dict(conn.execute(select(schema.extract_info.c.key, schema.extract_info.c.value)).all())
    lsoas = {r.code: (r.name, r.borough_code) for r in conn.execute(select(ls))}
    return PublishContext(
        key=key,
        lookups=tables,
        points=points,
        snap_index=index,
        lsoas=lsoas,
        extracted_at=info.get("extracted_at", ""),
        extract_info=info,
    )
