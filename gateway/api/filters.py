"""Validated query parameters -> SQL conditions over a dataset's select.

The conditions apply to the dataset's statement as a subquery, so they work the same on
the SQLite and PostgreSQL release tables. Areas: a bounding box is two ``BETWEEN``s on
the map point's coordinates; a polygon is its bounding box plus the map points inside it
(ray casting over the candidates; map points, not records, are tested).

(The spatial functions of the data.police.uk-compatible API live in ``gateway/queries``;
this module needs only boxes and polygons over the same map points.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Subquery, and_, case, false, null, select
from werkzeug.exceptions import BadRequest

from ..publish import tables as t
from . import values
from .datasets import Dataset, Dimension, column_name

# More map points than this inside one polygon is a query for a download, not an API page.
MAX_POLYGON_POINTS_MATCHED = 20_000


def dimension_expression(dataset: Dataset, dim: Dimension, sub: Subquery, base: str) -> ColumnElement:
    """The value of ``dim`` for a row of ``sub`` (a five-group crosswalk is a CASE)."""
    if dim.kind != "group":
        return sub.c[column_name(dataset, dim)]
    source = dataset.dimension(dim.of)
    groups = values.group_of_spelling(source.scheme, base)
    column = sub.c[column_name(dataset, source)]
    if not groups:
        return null()
    return case(groups, value=column, else_=None)


def conditions(
    dataset: Dataset, args: dict[str, Any], sub: Subquery, base: str, conn: Connection
) -> list[ColumnElement]:
    """The WHERE conditions for ``args``; a value naming no concept is a 400."""
    found: list[ColumnElement] = []
    if args.get("from_"):
        found.append(sub.c.month >= args["from_"])
    if args.get("to"):
        found.append(sub.c.month <= args["to"])
    problems = []
    for dim in dataset.dimensions:
        wanted = args.get(dim.name)
        if dim.kind == "month" or not wanted:
            continue
        try:
            found.append(_dimension_condition(dataset, dim, wanted, sub, base))
        except values.UnknownValue as exc:
            problems.append(f"{dim.name}: {exc}")
    if problems:
        raise BadRequest("; ".join(problems))
    if args.get("bbox"):
        west, south, east, north = args["bbox"]
        found += [sub.c.latitude.between(south, north), sub.c.longitude.between(west, east)]
    if args.get("poly"):
        found.append(_in_polygon(args["poly"], sub, conn))
    return found


def _dimension_condition(dataset: Dataset, dim: Dimension, wanted: Sequence[str], sub: Subquery, base: str):
    if dim.kind in ("borough", "lsoa"):
        return sub.c[column_name(dataset, dim)].in_(sorted(set(wanted)))
    if dim.kind == "group":
        source = dataset.dimension(dim.of)
        spellings = {s for group in wanted for s in values.members_of_group(source.scheme, group, base)}
        return sub.c[column_name(dataset, source)].in_(sorted(spellings))
    spellings = {s for value in wanted for s in values.spellings(values.concept(dim.scheme, value, base), base)}
    return sub.c[column_name(dataset, dim)].in_(sorted(spellings))


def _in_polygon(polygon: list[tuple[float, float]], sub: Subquery, conn: Connection) -> ColumnElement:
    lats = [lat for lat, _ in polygon]
    lngs = [lng for _, lng in polygon]
    p = t.map_point
    box = and_(p.c.latitude.between(min(lats), max(lats)), p.c.longitude.between(min(lngs), max(lngs)))
    inside = [
        row.id
        for row in conn.execute(select(p.c.id, p.c.latitude, p.c.longitude).where(box))
        if contains(polygon, row.latitude, row.longitude)
    ]
    if len(inside) > MAX_POLYGON_POINTS_MATCHED:
        raise BadRequest(
            f"The polygon holds {len(inside):,} map points, more than {MAX_POLYGON_POINTS_MATCHED:,}: "
            "draw a smaller one, or use the monthly downloads."
        )
    if not inside:
        return false()
    return sub.c.map_point.in_(inside)


def contains(polygon: Sequence[tuple[float, float]], lat: float, lng: float) -> bool:
    """Whether (lat, lng) is inside ``polygon`` (even-odd rule; the ring closes itself)."""
    inside = False
    j = len(polygon) - 1
    for i, (lat_i, lng_i) in enumerate(polygon):
        lat_j, lng_j = polygon[j]
        if (lat_i > lat) != (lat_j > lat):
            crossing = lng_i + (lat - lat_i) * (lng_j - lng_i) / (lat_j - lat_i)
            if lng < crossing:
                inside = not inside
        j = i
    return inside
