"""Figures from the release's published tables for the pages of places.

A borough or LSOA page shows the release's counts for it by month; a snap point page
lists its records by month. Everything here is counted from published records only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import func, select

from gateway.current import Release
from gateway.publish import tables

COLUMNS = ("crimes", "anti-social behaviour", "stops and searches", "uses of force")


@dataclass
class AreaFigures:
    """Counts by month (newest first) and recorded crimes by category."""

    by_month: list[tuple[str, dict[str, int]]]
    categories: list[tuple[str, int]]
    columns: tuple[str, ...]

    @property
    def totals(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for _, counts in self.by_month:
            for column, value in counts.items():
                totals[column] += value
        return dict(totals)


@dataclass
class PointRecord:
    path: str  # crime/123, the key of its IRI
    kind: str  # RecordedCrime, AntiSocialBehaviourIncident, StopAndSearch
    label: str  # the category or search type


@dataclass
class PointRecords:
    by_month: list[tuple[str, list[PointRecord]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(records) for _, records in self.by_month)


@lru_cache(maxsize=4)
def record_paths(base: str) -> dict[str, tuple[str, str]]:
    """Each record type's URI template and key field, from the mappings."""
    return {m.record: (m.uri, m.key) for m in internal_mappings(base).mappings}


def record_path(base: str, record: str, key: int) -> str:
    template, key_field = record_paths(base)[record]
    return template.format(**{key_field: key})


def area_figures(release: Release, kind: str, code: str) -> AreaFigures:
    """The release's counts for a borough or an LSOA (``kind``), by month."""
    street, stops, force = tables.street, tables.stop_search, tables.use_of_force
    area = street.c.borough_code if kind == "borough" else street.c.lsoa_code
    stop_area = stops.c.borough_code if kind == "borough" else stops.c.lsoa_code
    months: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    with release.engine.connect() as conn:
        query = select(street.c.month, street.c.record, func.count()).where(area == code)
        for month, record, count in conn.execute(query.group_by(street.c.month, street.c.record)):
            months[month]["crimes" if record == "RecordedCrime" else "anti-social behaviour"] += count
        query = select(stops.c.month, func.count()).where(stop_area == code).group_by(stops.c.month)
        for month, count in conn.execute(query):
            months[month]["stops and searches"] = count
        if kind == "borough":
            query = select(force.c.month, func.count()).where(force.c.borough == code).group_by(force.c.month)
            for month, count in conn.execute(query):
                months[month]["uses of force"] = count
        query = (
            select(street.c.category, func.count())
            .where(area == code, street.c.record == "RecordedCrime")
            .group_by(street.c.category)
            .order_by(func.count().desc(), street.c.category)
        )
        categories = [(category, count) for category, count in conn.execute(query)]
    columns = COLUMNS if kind == "borough" else COLUMNS[:3]
    by_month = [(month, {c: months[month][c] for c in columns}) for month in sorted(months, reverse=True)]
    return AreaFigures(by_month, categories, columns)


def point_records(release: Release, point: int) -> PointRecords:
    """The records snapped to map point ``point``, by month (newest first)."""
    street, stops = tables.street, tables.stop_search
    months: dict[str, list[PointRecord]] = defaultdict(list)
    with release.engine.connect() as conn:
        query = select(street.c.id, street.c.record, street.c.category, street.c.month).where(
            street.c.map_point == point
        )
        for row in conn.execute(query.order_by(street.c.month, street.c.id)):
            months[row.month].append(
                PointRecord(record_path(release.base, row.record, row.id), row.record, row.category)
            )
        query = select(stops.c.id, stops.c.type, stops.c.month).where(stops.c.map_point == point)
        for row in conn.execute(query.order_by(stops.c.month, stops.c.id)):
            path = record_path(release.base, "StopAndSearch", row.id)
            months[row.month].append(PointRecord(path, "StopAndSearch", row.type))
    return PointRecords([(month, months[month]) for month in sorted(months, reverse=True)])


def internal_mappings(base: str):
    """The internal mappings, checked; imported on first use (the mapping loader is heavy)."""
    from gateway.publish.pipeline import load_checked_mappings
    from mappings import INTERNAL

    return load_checked_mappings(INTERNAL, base)
