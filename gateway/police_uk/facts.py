"""What a release holds that every method needs (its months, its map points), per process."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import Connection, select

from gateway.publish import tables
from gateway.queries import map_points, months

from .errors import not_found


@dataclass(frozen=True)
class Facts:
    street_months: list[str]  # newest first
    stop_forces: dict[str, list[str]]  # month -> forces with stop and search
    points: dict[int, map_points.MapPoint]  # every map point, for the index's ids

    @property
    def latest(self) -> str | None:
        """The latest month: ``date``'s default (the newest month of street-level data)."""
        return self.street_months[0] if self.street_months else None

    @property
    def earliest(self) -> str | None:
        held = self.street_months + list(self.stop_forces)
        return min(held) if held else None

    def month(self, date: str | None) -> str | None:
        """The month a request asks for; None when it is after the data (an empty answer).

        Months before the earliest one answer 404, as upstream does for months that have
        left its window.
        """
        if date is None:
            return self.latest
        if self.earliest is not None and date < self.earliest:
            raise not_found(
                f"no data for {date}: this release starts at {self.earliest} (see /api/crimes-street-dates)"
            )
        return date


def load(conn: Connection) -> Facts:
    return Facts(months.street_months(conn), months.stop_forces_by_month(conn), map_points.every(conn))


def categories_in(conn: Connection, month: str) -> list[str]:
    s = tables.street
    return [c for (c,) in conn.execute(select(s.c.category).distinct().where(s.c.month == month))]


class FactsCache:
    def __init__(self) -> None:
        self._facts: dict[str, Facts] = {}
        self._lock = threading.Lock()

    def get(self, release_id: str, conn: Connection) -> Facts:
        found = self._facts.get(release_id)
        if found is None:
            found = load(conn)
            with self._lock:
                self._facts[release_id] = found
        return found

    def forget(self, release_id: str) -> None:
        with self._lock:
            self._facts.pop(release_id, None)
