"""Validated query parameters -> SQL conditions over a dataset's select.

The conditions apply to the dataset's statement as a subquery, so they work the same on
the SQLite and PostgreSQL release tables. Areas: a bounding box is two ``BETWEEN``s on
the map point's coordinates; a polygon is the map points inside it, found by the spatial
index of the release (``gateway.queries.map_points``, shared with ``/api/``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Subquery, case, false, null
from werkzeug.exceptions import BadRequest

from ..queries import map_points
from ..queries.geometry import Polygon
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
    inside = [point.id for point in map_points.in_area(conn, Polygon(tuple(polygon)))]
    if len(inside) > MAX_POLYGON_POINTS_MATCHED:
        raise BadRequest(
            f"The polygon holds {len(inside):,} map points, more than {MAX_POLYGON_POINTS_MATCHED:,}: "
            "draw a smaller one, or use the monthly downloads."
        )
    if not inside:
        return false()
    return sub.c.map_point.in_(sorted(inside))
