"""Map points (the anonymous snap points) by area: index prefilter, then the exact test.

SQLite releases carry an R*Tree (``map_point_rtree``); PostgreSQL release schemas a GiST
index on ``point(longitude, latitude)``. Both give the points inside the area's bounding
box; the exact circle or polygon test then runs on those few.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from sqlalchemy import Connection, func, select, text

from gateway.publish import tables

from .geometry import Area, BBox, Circle, Polygon, haversine_m

_SQLITE_BOX = text(
    "SELECT p.id, p.latitude, p.longitude, p.street_name FROM map_point_rtree r JOIN map_point p ON p.id = r.id "
    "WHERE r.max_lat >= :min_lat AND r.min_lat <= :max_lat AND r.max_lon >= :min_lng AND r.min_lon <= :max_lng"
)
# Only the ids, for a caller that holds the map points already (``every``).
_SQLITE_BOX_IDS = text(
    "SELECT id FROM map_point_rtree "
    "WHERE max_lat >= :min_lat AND min_lat <= :max_lat AND max_lon >= :min_lng AND min_lon <= :max_lng"
)
_mp = tables.map_point
_COLUMNS = (_mp.c.id, _mp.c.latitude, _mp.c.longitude, _mp.c.street_name)


def _postgres_box(box: BBox):
    # Core, not text: the release's schema comes from the engine's schema_translate_map.
    # The expression matches the GiST index the publish pipeline builds (ix_map_point_gist).
    corner = func.point
    inside = func.point(_mp.c.longitude, _mp.c.latitude).op("<@")(
        func.box(corner(box.min_lng, box.min_lat), corner(box.max_lng, box.max_lat))
    )
    return select(*_COLUMNS).where(inside)


class MapPoint(NamedTuple):
    id: int
    latitude: float
    longitude: float
    street_name: str


def every(conn: Connection) -> dict[int, MapPoint]:
    """Every map point by id (a release holds some 12,000 in London)."""
    return {row[0]: MapPoint(*row) for row in conn.execute(select(*_COLUMNS))}


def in_bbox(conn: Connection, box: BBox, known: Mapping[int, MapPoint] | None = None) -> list[MapPoint]:
    """Every map point inside the box, edges included, in no particular order.

    ``known``: every map point by id (from ``every``), for a caller that keeps them; on
    SQLite the index then answers ids only and no row of ``map_point`` is read.
    """
    params = {"min_lat": box.min_lat, "max_lat": box.max_lat, "min_lng": box.min_lng, "max_lng": box.max_lng}
    if conn.dialect.name == "sqlite" and known is not None:
        points: Iterable[MapPoint] = (known[i] for (i,) in conn.execute(_SQLITE_BOX_IDS, params) if i in known)
    elif conn.dialect.name == "sqlite":
        points = (MapPoint(*row) for row in conn.execute(_SQLITE_BOX, params))
    else:
        points = (MapPoint(*row) for row in conn.execute(_postgres_box(box)))
    # The R*Tree keeps 32-bit floats rounded outwards: exact edges are checked here.
    return [p for p in points if box.contains(p.latitude, p.longitude)]


def in_area(conn: Connection, area: Area, known: Mapping[int, MapPoint] | None = None) -> list[MapPoint]:
    """Every map point inside a circle, polygon or box (``known`` as for ``in_bbox``)."""
    if isinstance(area, BBox):
        return in_bbox(conn, area, known)
    candidates = in_bbox(conn, area.bbox(), known)
    if isinstance(area, Polygon):
        inside = area.contains_each([p.latitude for p in candidates], [p.longitude for p in candidates])
        return [p for p, keep in zip(candidates, inside, strict=True) if keep]
    return [p for p in candidates if area.contains(p.latitude, p.longitude)]


def by_id(conn: Connection, point_id: int) -> MapPoint | None:
    row = conn.execute(select(*_COLUMNS).where(_mp.c.id == point_id)).first()
    return MapPoint(*row) if row else None


def nearest(conn: Connection, lat: float, lng: float, within_m: float) -> MapPoint | None:
    """The map point nearest to a place, if one lies within ``within_m`` metres."""
    candidates = in_area(conn, Circle(lat, lng, within_m))
    if not candidates:
        return None
    return min(candidates, key=lambda p: (haversine_m(lat, lng, p.latitude, p.longitude), p.id))
