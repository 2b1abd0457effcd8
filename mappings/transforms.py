"""The fixed library of disclosure transforms a mapping may use.

Each transform is a pure function from internal values to a published value, registered
with the disclosure classes of the columns it may read: only a transform that removes
what must not be published may read a ``transform``-class column (an exact place, an
exact time, a date of birth), and only ``pseudonym`` may read a ``private`` one.
A value a transform cannot publish raises :class:`Drop`, which the pipeline counts as a
reported drop with its reason, never a crash.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from scipy.spatial import cKDTree

LONDON = ZoneInfo("Europe/London")
# data.police.uk: "If the nearest map point is more than 20km away, the co-ordinates are zeroed out."
SNAP_LIMIT_M = 20_000.0
PUBLIC, TRANSFORM, PRIVATE = "public", "transform", "private"


class Drop(ValueError):
    """A value that cannot be published; the record is dropped and the reason reported."""


@dataclass(frozen=True)
class Transform:
    name: str
    function: Callable[..., Any]
    accepts: frozenset[str]  # disclosure classes of the columns it may read
    columns: int  # how many columns it reads
    output: str  # what it yields: month, datetime, point, concept, boolean, integer, string
    doc: str


# --- the functions ---------------------------------------------------------------------


def as_is(value: Any) -> Any:
    """Publish a safe value unchanged."""
    return value


def to_month(moment: datetime | date | None) -> str | None:
    """The month (``YYYY-MM``) of a UTC date-time, in London time; a date's own month."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        moment = moment.replace(tzinfo=UTC).astimezone(LONDON) if moment.tzinfo is None else moment.astimezone(LONDON)
    return f"{moment.year:04d}-{moment.month:02d}"


def to_utc_datetime(moment: datetime | None) -> str | None:
    """An ISO 8601 UTC date-time to the second, as stop and search publishes it."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "+00:00"


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def to_age_band(bands: Sequence[tuple[str, int, int]], born: date | None, on: datetime | date | None) -> str | None:
    """The published band of a person's age on the day of the event; no date, no band."""
    if born is None or on is None:
        return None
    day = on.date() if isinstance(on, datetime) else on
    return band_of_age(bands, age_on(born, day))


def band_of_age(bands: Sequence[tuple[str, int, int]], age: int | None) -> str | None:
    """The published band of an age in years."""
    if age is None:
        return None
    for label, lowest, highest in bands:
        if lowest <= age <= highest:
            return label
    raise Drop(f"age {age} is outside every published age band")


def to_boolean(value: Any) -> bool | None:
    """Normalise the spellings of yes and no that records systems use."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in {"true", "t", "yes", "y", "1"}:
        return True
    if text in {"false", "f", "no", "n", "0"}:
        return False
    raise Drop(f"{value!r} is not a yes/no value")


def look_up(table: Mapping[str, str | None], code: str | None) -> str | None:
    """The published value of an internal code; an unknown code is a reported drop."""
    if code is None:
        return None
    try:
        return table[code]
    except KeyError:
        raise Drop(f"unknown code {code!r}") from None


def pseudonym(key: bytes, value: str) -> int:
    """A stable public number for an internal reference, from a keyed hash.

    Without the key nobody can tell which reference a number stands for; with the same
    key, re-publishing gives the same numbers. 53 bits: exact in every JSON parser.
    """
    digest = hmac.digest(key, value.encode(), "sha256")
    return int.from_bytes(digest[:8], "big") >> 11


class SnapIndex:
    """The anonymous map points, in a k-d tree over British National Grid metres."""

    def __init__(self, ids: Sequence[int], easting: Sequence[float], northing: Sequence[float]) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        self._tree = cKDTree(np.column_stack([np.asarray(easting, float), np.asarray(northing, float)]))

    def snap(self, easting: float | None, northing: float | None) -> int | None:
        """The id of the nearest map point, or None beyond 20 km or without a location."""
        if easting is None or northing is None:
            return None
        distance, index = self._tree.query((easting, northing))
        return None if distance > SNAP_LIMIT_M else int(self.ids[index])

    def snap_many(self, easting: np.ndarray, northing: np.ndarray) -> list[int | None]:
        """:meth:`snap` for arrays; NaN stands for no location."""
        located = ~(np.isnan(easting) | np.isnan(northing))
        result: list[int | None] = [None] * len(easting)
        if located.any():
            distance, index = self._tree.query(np.column_stack([easting[located], northing[located]]))
            for position, d, i in zip(np.flatnonzero(located).tolist(), distance.tolist(), index.tolist(), strict=True):
                result[position] = None if d > SNAP_LIMIT_M else int(self.ids[i])
        return result


# --- the registry ----------------------------------------------------------------------

TRANSFORMS: dict[str, Transform] = {
    t.name: t
    for t in (
        Transform("as-is", as_is, frozenset({PUBLIC}), 1, "string", "publish a safe column unchanged"),
        Transform("lookup", look_up, frozenset({PUBLIC}), 1, "concept", "internal code to a code-list concept"),
        Transform("boolean", to_boolean, frozenset({PUBLIC}), 1, "boolean", "normalise yes/no values"),
        Transform("flag", to_boolean, frozenset({PUBLIC}), 1, "flag", "a yes/no column to a concept when yes"),
        Transform("month", to_month, frozenset({PUBLIC, TRANSFORM}), 1, "month", "a date-time to its month"),
        Transform(
            "utc-datetime", to_utc_datetime, frozenset({PUBLIC, TRANSFORM}), 1, "datetime", "date-time to the second"
        ),
        Transform("age-band", to_age_band, frozenset({PUBLIC, TRANSFORM}), 2, "concept", "date of birth to age band"),
        Transform("age-in-band", band_of_age, frozenset({PUBLIC, TRANSFORM}), 1, "concept", "age in years to band"),
        Transform(
            "snap-to-map-point", SnapIndex.snap, frozenset({PUBLIC, TRANSFORM}), 2, "point", "exact place to map point"
        ),
        Transform("pseudonym", pseudonym, frozenset({PUBLIC, PRIVATE}), 1, "integer", "internal reference to a number"),
    )
}
