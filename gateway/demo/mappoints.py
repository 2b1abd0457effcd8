"""The master list of anonymous map points, derived from published coordinates.

Every distinct published coordinate is a map point. Street names and LSOAs come from the
street and outcomes files; points seen only in stop-and-search files (which carry
neither) borrow them from the nearest named point, within limits, as an approximation
that the README states.

For each point we also work out how far an invented exact location may stray from it and
still snap back to it: less than half the distance to its nearest neighbour.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from gateway.geo import wgs84_to_bng
from gateway.internal import lookups

from .sources import Point, Sources

# Exact locations lie at most this far (metres) from their published point.
MAX_OFFSET_M = 200.0
# A stop-only point takes the nearest named point's street name within this distance...
BORROW_NAME_M = 60.0
# ...and its LSOA and borough within this one.
BORROW_AREA_M = 1500.0
LSOA_NAME = re.compile(r"^(?P<borough>.+) \d{3}[A-Z]$")
# Street files title-case names ("Vauxhall Bus Station", "Alderman'S Walk"); outcomes
# files keep them as the master list has them ("Vauxhall bus station", "Alderman's Walk").
TITLE_CASED_APOSTROPHE = re.compile(r"'S\b")
FIRST_ID = 1_000_001


@dataclass
class MapPoints:
    """Arrays indexed by point number, plus a lookup from published coordinates."""

    ids: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    easting: np.ndarray
    northing: np.ndarray
    street_name: list[str]
    lsoa_code: list[str | None]
    borough_code: list[str | None]
    max_offset: np.ndarray
    index: dict[tuple[float, float], int]
    lsoa_names: dict[str, str]
    tree: cKDTree

    def __len__(self) -> int:
        return len(self.ids)

    def of(self, point: Point | None) -> int | None:
        return None if point is None else self.index[point.key]

    def rows(self) -> list[dict]:
        return [
            {
                "id": int(self.ids[i]),
                "latitude": float(self.latitude[i]),
                "longitude": float(self.longitude[i]),
                "easting": round(float(self.easting[i]), 2),
                "northing": round(float(self.northing[i]), 2),
                "street_name": self.street_name[i],
                "lsoa_code": self.lsoa_code[i],
                "borough_code": self.borough_code[i],
            }
            for i in range(len(self))
        ]

    def lsoa_rows(self) -> list[dict]:
        return [
            {"code": code, "name": name, "borough_code": borough_of_lsoa(name)}
            for code, name in sorted(self.lsoa_names.items())
        ]

    def near(self, i: int, k: int = 8) -> np.ndarray:
        """The point numbers of the ``k`` points nearest to point ``i`` (itself first)."""
        _dist, idx = self.tree.query([self.easting[i], self.northing[i]], k=min(k, len(self)))
        return np.atleast_1d(idx)


def master_name(street_file_name: str) -> str:
    """The best guess at the master list's name from a street file's title-cased one."""
    return TITLE_CASED_APOSTROPHE.sub("'s", street_file_name)


def borough_of_lsoa(lsoa_name: str) -> str | None:
    """The GSS code of the London borough an LSOA belongs to, from its name."""
    match = LSOA_NAME.match(lsoa_name)
    return lookups.BOROUGH_BY_NAME.get(match["borough"]) if match else None


def derive_map_points(sources: Sources) -> MapPoints:
    """Every distinct published point, with its name, LSOA, borough and snapping margin."""
    names: dict[tuple[float, float], Counter] = defaultdict(Counter)
    lsoas: dict[tuple[float, float], Counter] = defaultdict(Counter)
    lsoa_names: dict[str, str] = {}
    for row in sources.street:
        if row.point is not None:
            names[row.point.key][master_name(row.street_name)] += 1
            if row.lsoa_code:
                lsoas[row.point.key][row.lsoa_code] += 1
                # Files are read oldest first: an LSOA renamed between vintages keeps its newest name.
                lsoa_names[row.lsoa_code] = row.lsoa_name or ""
    # Outcomes files carry names as the master list has them: they win where known.
    original: dict[tuple[float, float], Counter] = defaultdict(Counter)
    for o in sources.outcomes:
        if o.point is not None:
            original[o.point.key][o.street_name] += 1
    for key, counter in original.items():
        names[key] = counter
    keys = set(names)
    keys.update(s.point.key for s in sources.stops if s.point is not None)
    ordered = sorted(keys)
    lat = np.array([k[0] for k in ordered])
    lon = np.array([k[1] for k in ordered])
    easting, northing = wgs84_to_bng(lat, lon)
    tree = cKDTree(np.column_stack([easting, northing]))

    street_name = [names[k].most_common(1)[0][0] if names[k] else None for k in ordered]
    lsoa_code = [lsoas[k].most_common(1)[0][0] if lsoas[k] else None for k in ordered]
    _borrow_from_named(street_name, lsoa_code, easting, northing)

    borough_code = [borough_of_lsoa(lsoa_names[c]) if c else None for c in lsoa_code]
    if len(ordered) > 1:
        distance, _ = tree.query(np.column_stack([easting, northing]), k=2)
        nearest = distance[:, 1]
    else:
        nearest = np.full(len(ordered), np.inf)
    # Stay strictly inside the point's catchment, with a metre to spare for rounding.
    max_offset = np.clip(np.minimum(MAX_OFFSET_M, 0.45 * nearest - 1.0), 0.0, None)
    return MapPoints(
        ids=np.arange(FIRST_ID, FIRST_ID + len(ordered)),
        latitude=lat,
        longitude=lon,
        easting=easting,
        northing=northing,
        street_name=[n if n is not None else "" for n in street_name],
        lsoa_code=lsoa_code,
        borough_code=borough_code,
        max_offset=max_offset,
        index={k: i for i, k in enumerate(ordered)},
        lsoa_names=lsoa_names,
        tree=tree,
    )


def _borrow_from_named(
    street_name: list[str | None], lsoa_code: list[str | None], easting: np.ndarray, northing: np.ndarray
) -> None:
    named = [i for i, n in enumerate(street_name) if n is not None and lsoa_code[i] is not None]
    unnamed = [i for i, n in enumerate(street_name) if n is None]
    if not named or not unnamed:
        return
    tree = cKDTree(np.column_stack([easting[named], northing[named]]))
    distance, nearest = tree.query(np.column_stack([easting[unnamed], northing[unnamed]]), k=1)
    for i, d, j in zip(unnamed, distance, nearest, strict=True):
        source = named[j]
        street_name[i] = street_name[source] if d <= BORROW_NAME_M else ""
        lsoa_code[i] = lsoa_code[source] if d <= BORROW_AREA_M else None
