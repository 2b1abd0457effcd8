"""Inventing what publication removed: names, exact places and times, references.

Every invented value of a column that must never be published starts with ``CANARY``,
so that leak tests can search any output for it. Everything is drawn from seeded
generators, so the same seed gives the same database.
"""

from __future__ import annotations

import calendar
import functools
import itertools
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Generic, TypeVar

import numpy as np
from faker import Faker

from .mappoints import MapPoints

CANARY = "CANARY"
POOL_SIZE = 4000
T = TypeVar("T")


@dataclass(frozen=True)
class Weighted(Generic[T]):
    """Choices with their weights accumulated once, to draw from many times."""

    choices: tuple[T, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, choices: Iterable[T], weights: Iterable[float]) -> Weighted[T]:
        return cls(tuple(choices), tuple(itertools.accumulate(weights)))


class Inventor:
    """Seeded source of invented private details."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.numpy = np.random.default_rng(seed)
        faker = Faker("en_GB")
        faker.seed_instance(seed)
        self._first = [faker.first_name() for _ in range(POOL_SIZE)]
        self._last = [faker.last_name() for _ in range(POOL_SIZE)]
        self._words = [faker.word() for _ in range(400)]
        self._officers = [f"{CANARY}-{n:06d}" for n in self.random.sample(range(100000, 999999), 6000)]
        self._sequence: dict[str, int] = {}

    # --- identifiers -------------------------------------------------------------------

    def ref(self, kind: str, year: int) -> str:
        """A new internal reference such as ``CANARY-CR-2024-0000042``."""
        key = f"{kind}-{year}"
        n = self._sequence.get(key, 0) + 1
        self._sequence[key] = n
        return f"{CANARY}-{kind}-{year}-{n:07d}"

    def persistent_id(self) -> str:
        return f"{self.random.getrandbits(256):064x}"

    def officer(self) -> str:
        return self.random.choice(self._officers)

    # --- people and text ---------------------------------------------------------------

    def name(self) -> str:
        return f"{CANARY} {self.random.choice(self._first)} {self.random.choice(self._last)}"

    def codeword(self) -> str:
        return f"{CANARY} Operation {self.random.choice(self._words).capitalize()}"

    def address(self, street: str | None) -> str:
        if street is None:
            return f"{CANARY} no fixed location recorded"
        if not street:
            return f"{CANARY} unnamed location, London"
        return f"{CANARY} {self.random.randint(1, 240)} {street}, London"

    def narrative(self, what: str) -> str:
        who = self.name()[len(CANARY) + 1 :]
        detail = " ".join(self.random.sample(self._words, 6))
        return f"{CANARY} {what}; informant {who} states {detail}."

    def date_of_birth(self, on: date, lowest_age: int, highest_age: int) -> date:
        """A date of birth that makes the person aged within the band on ``on``."""
        age = self.random.randint(lowest_age, highest_age)
        latest = _years_before(on, age)
        earliest = _years_before(on, age + 1) + timedelta(days=1)
        return earliest + timedelta(days=self.random.randint(0, (latest - earliest).days))

    # --- places and times --------------------------------------------------------------

    def locations(self, points: MapPoints, indices: list[int | None]) -> list[tuple[float, float] | None]:
        """Exact eastings and northings, each within its map point's catchment."""
        if len(indices) == 1:
            return [self._location(points, indices[0])]
        idx = np.array([-1 if i is None else i for i in indices], dtype=np.int64)
        located = idx >= 0
        n = len(idx)
        angle = self.numpy.uniform(0, 2 * np.pi, n)
        radius = np.sqrt(self.numpy.uniform(0, 1, n)) * points.max_offset[np.where(located, idx, 0)]
        easting = np.round(points.easting[np.where(located, idx, 0)] + radius * np.cos(angle))
        northing = np.round(points.northing[np.where(located, idx, 0)] + radius * np.sin(angle))
        return [
            (float(e), float(nn)) if ok else None
            for e, nn, ok in zip(easting.tolist(), northing.tolist(), located.tolist(), strict=True)
        ]

    def _location(self, points: MapPoints, index: int | None) -> tuple[float, float] | None:
        """:meth:`locations` for one point: the same draws and arithmetic, without arrays."""
        angle_draw, radius_draw = self.numpy.random(2).tolist()
        if index is None:
            return None
        angle = 2 * math.pi * angle_draw
        radius = math.sqrt(radius_draw) * float(points.max_offset[index])
        easting = round(float(points.easting[index]) + radius * math.cos(angle))
        northing = round(float(points.northing[index]) + radius * math.sin(angle))
        return float(easting), float(northing)

    def moment_in_month(self, month: str) -> datetime:
        """A UTC date-time that falls inside ``month`` in UTC and in London time alike."""
        start, span = _moments(month)
        return start + timedelta(seconds=self.random.randrange(span))

    def day_in_month(self, month: str, not_before: date | None = None) -> date:
        first, last = _days(month)
        if not_before is not None and not_before > first:
            first = min(not_before, last)
        return first + timedelta(days=self.random.randint(0, (last - first).days))

    def weighted(self, choices: list, weights: list[float]):
        return self.random.choices(choices, weights)[0]

    def pick(self, weighted: Weighted[T]) -> T:
        """The same draw as :meth:`weighted` with the same choices and weights, but faster."""
        return self.random.choices(weighted.choices, cum_weights=weighted.cumulative)[0]

    def chance(self, p: float) -> bool:
        return self.random.random() < p


@functools.cache
def _days(month: str) -> tuple[date, date]:
    """The first and last day of ``YYYY-MM``."""
    year, mon = int(month[:4]), int(month[5:7])
    return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])


@functools.cache
def _moments(month: str) -> tuple[datetime, int]:
    """Where :meth:`Inventor.moment_in_month` starts, and how many seconds it spans."""
    first, last = _days(month)
    # From 02:00 on the first day to 21:00 on the last: inside the month in UTC and in London.
    return datetime.combine(first, time(2, 0)), (last.day - 1) * 86400 + 19 * 3600


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def add_months(month: str, n: int) -> str:
    """``YYYY-MM`` plus ``n`` months."""
    year, mon = int(month[:4]), int(month[5:7])
    total = year * 12 + (mon - 1) + n
    return f"{total // 12:04d}-{total % 12 + 1:02d}"
