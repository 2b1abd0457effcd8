"""Street-level crimes of a month, as ready-made JSON, grouped by map point.

``crimes-street`` is the hot path: a 1-mile query in central London returns thousands of
crimes. Each process keeps the crimes of the months asked for most recently (at most
``MONTHS_KEPT`` per release) as JSON fragments keyed by map point, built once from the
release's tables; an answer is then the map-point search (the R*Tree or GiST index),
then a join of bytes. The release is immutable, so nothing ever goes stale; the months
of a release are dropped when the process retires it.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from sqlalchemy import Connection

from gateway.queries import records

from . import shapes

MONTHS_KEPT = 3


@dataclass
class PointCrimes:
    """The crimes at one map point: every one joined, and joined per category."""

    joined: bytes
    count: int
    by_category: dict[str, tuple[bytes, int]]


@dataclass
class CrimeMonth:
    """One month's located crimes, by map point id."""

    by_point: dict[int, PointCrimes] = field(default_factory=dict)

    def select(self, point_ids: list[int], category: str | None) -> tuple[bytes, int]:
        """The JSON array of the crimes at these points (of one category, or all), and their count."""
        parts: list[bytes] = []
        count = 0
        for point_id in point_ids:
            found = self.by_point.get(point_id)
            if found is None:
                continue
            if category is None:
                parts.append(found.joined)
                count += found.count
            elif category in found.by_category:
                joined, n = found.by_category[category]
                parts.append(joined)
                count += n
        return b"[" + b",".join(parts) + b"]", count


def build(conn: Connection, month: str) -> CrimeMonth:
    fragments: dict[int, list[tuple[str, bytes]]] = {}
    for row in records.street(conn, month, located=True):
        fragment = json.dumps(shapes.crime(row), separators=(",", ":"), ensure_ascii=False).encode()
        fragments.setdefault(row.map_point, []).append((row.category, fragment))
    month_cache = CrimeMonth()
    for point_id, crimes in fragments.items():
        by_category: dict[str, list[bytes]] = {}
        for category, fragment in crimes:
            by_category.setdefault(category, []).append(fragment)
        month_cache.by_point[point_id] = PointCrimes(
            b",".join(f for _, f in crimes),
            len(crimes),
            {c: (b",".join(fs), len(fs)) for c, fs in by_category.items()},
        )
    return month_cache


class CrimeCache:
    """Per process: (release id, month) to ``CrimeMonth``, a few months per release."""

    def __init__(self, months_kept: int = MONTHS_KEPT) -> None:
        self.months_kept = months_kept
        self._months: OrderedDict[tuple[str, str], CrimeMonth] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[str, str], threading.Lock] = {}

    def get(self, release_id: str, month: str, conn: Connection) -> CrimeMonth:
        key = (release_id, month)
        with self._lock:
            found = self._months.get(key)
            if found is not None:
                self._months.move_to_end(key)
                return found
            building = self._building.setdefault(key, threading.Lock())
        with building:  # one thread builds a month; the others wait for it
            with self._lock:
                found = self._months.get(key)
            if found is None:
                found = build(conn, month)
                with self._lock:
                    self._months[key] = found
                    self._building.pop(key, None)
                    ours = [k for k in self._months if k[0] == release_id]
                    for old in ours[: max(0, len(ours) - self.months_kept)]:
                        del self._months[old]
        return found

    def forget(self, release_id: str) -> None:
        with self._lock:
            for key in [k for k in self._months if k[0] == release_id]:
                del self._months[key]
