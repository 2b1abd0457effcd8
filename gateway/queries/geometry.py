"""Areas on the WGS84 sphere: a circle (radius in metres), a polygon and a bounding box.

Distances are great-circle (haversine) on a sphere of the mean Earth radius, which is
within 0.5 % of the ellipsoid: well inside the snap points' own imprecision.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
ONE_MILE_M = 1609.344


@dataclass(frozen=True)
class BBox:
    """A latitude/longitude box, edges included."""

    min_lat: float
    min_lng: float
    max_lat: float
    max_lng: float

    def contains(self, lat: float, lng: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lng <= lng <= self.max_lng


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle distance between two points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Circle:
    """Everything within ``radius_m`` metres of a centre."""

    lat: float
    lng: float
    radius_m: float = ONE_MILE_M

    def bbox(self) -> BBox:
        """A box that holds the whole circle (a prefilter for an index)."""
        dlat = math.degrees(self.radius_m / EARTH_RADIUS_M)
        coslat = max(math.cos(math.radians(min(89.9, abs(self.lat) + dlat))), 1e-6)
        dlng = min(180.0, dlat / coslat)
        return BBox(self.lat - dlat, self.lng - dlng, self.lat + dlat, self.lng + dlng)

    def contains(self, lat: float, lng: float) -> bool:
        return haversine_m(self.lat, self.lng, lat, lng) <= self.radius_m


@dataclass(frozen=True)
class Polygon:
    """A simple polygon of (lat, lng) vertices, closed by a straight line back to the first.

    Containment is even-odd ray casting on the plane of latitude and longitude, which for
    areas of a city's size is what a user drawing on a web map means.
    """

    vertices: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if len(self.vertices) < 3:
            raise ValueError("a polygon needs at least 3 points")

    def bbox(self) -> BBox:
        lats = [v[0] for v in self.vertices]
        lngs = [v[1] for v in self.vertices]
        return BBox(min(lats), min(lngs), max(lats), max(lngs))

    def contains(self, lat: float, lng: float) -> bool:
        inside = False
        vertices = self.vertices
        j = len(vertices) - 1
        for i in range(len(vertices)):
            lat_i, lng_i = vertices[i]
            lat_j, lng_j = vertices[j]
            if (lat_i > lat) != (lat_j > lat):
                crossing = lng_i + (lat - lat_i) * (lng_j - lng_i) / (lat_j - lat_i)
                if lng < crossing:
                    inside = not inside
            j = i
        return inside

    def contains_each(self, lats: Sequence[float], lngs: Sequence[float]) -> list[bool]:
        """``contains`` for many places at once, with the same arithmetic and answers.

        An edge can only be crossed by the rays of places whose latitude lies in its own
        latitude range; with the places sorted by latitude those are one slice, found by
        binary search, so a detailed boundary of thousands of short edges costs about one
        look-up per edge rather than one test per edge and place.
        """
        lat = np.asarray(lats, dtype=np.float64)
        lng = np.asarray(lngs, dtype=np.float64)
        order = np.argsort(lat, kind="stable")
        lat, lng = lat[order], lng[order]
        ends = np.asarray(self.vertices, dtype=np.float64)
        starts = np.roll(ends, 1, axis=0)  # edge i runs from vertex i-1 (j) to vertex i
        # (lat_i > lat) != (lat_j > lat)  <=>  min(lat_i, lat_j) <= lat < max(lat_i, lat_j)
        first = np.searchsorted(lat, np.minimum(ends[:, 0], starts[:, 0]), side="left")
        last = np.searchsorted(lat, np.maximum(ends[:, 0], starts[:, 0]), side="left")
        inside = np.zeros(len(lat), dtype=bool)
        for edge in np.flatnonzero(last > first):
            lat_i, lng_i = self.vertices[edge]
            lat_j, lng_j = self.vertices[edge - 1]
            a, b = first[edge], last[edge]
            crossing = lng_i + (lat[a:b] - lat_i) * (lng_j - lng_i) / (lat_j - lat_i)
            inside[a:b] ^= lng[a:b] < crossing
        answer = np.empty(len(lat), dtype=bool)
        answer[order] = inside
        return answer.tolist()


Area = Circle | Polygon | BBox
