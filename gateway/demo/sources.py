"""Reading data.police.uk archive files: street crime, outcomes and stop and search.

Each file is checked as it is read; the first problem raises :class:`SourceError` naming
the file, the line and what is wrong. Files are recognised by their archive names,
``YYYY-MM-<force>-street.csv``, ``-outcomes.csv`` and ``-stop-and-search.csv``; a suffix
after the kind (``-street-burglary.csv``, a filtered copy) is allowed.

``read_sources(directory, lenient=True)`` reads on past problems instead: a malformed row
is left out and a file that cannot be read at all (wrong header, not UTF-8) is skipped,
each described ("file:line: problem") in ``Sources.rejected``. Which labels a row may
carry, and what they become, is a :class:`Values` policy: by default the current
data.police.uk labels the internal lookups know.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from gateway.internal import lookups

STREET_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]  # fmt: skip
OUTCOMES_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Outcome type",
]  # fmt: skip
STOPS_HEADER = [
    "Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude",
    "Gender", "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation",
    "Object of search", "Outcome", "Outcome linked to object of search",
    "Removal of more than just outer clothing",
]  # fmt: skip

FILE_NAME = re.compile(
    r"^(?P<month>\d{4}-\d{2})-(?P<force>[a-z-]+?)-(?P<kind>street|outcomes|stop-and-search)(-[a-z0-9-]+)?\.csv$"
)
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CRIME_ID = re.compile(r"^[0-9a-f]{64}$")
LSOA_CODE = re.compile(r"^[EW]0[01]\d{6}$")
LOCATION_PREFIX = "On or near "
NO_LOCATION = {"No Location", "No location"}
FORCE_BY_NAME = {name: force_id for force_id, name in lookups.FORCE_NAMES.items()}
LONDON = ZoneInfo("Europe/London")


class SourceError(ValueError):
    """A published file that cannot be read; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Point:
    """A published (already snapped) location: coordinates kept as published text."""

    latitude: str
    longitude: str

    @property
    def key(self) -> tuple[float, float]:
        # Outcomes files drop trailing zeros ("51.53288"); street files keep six places.
        return (round(float(self.latitude), 6), round(float(self.longitude), 6))


@dataclass(frozen=True, slots=True)
class StreetRow:
    source: str
    line: int
    crime_id: str
    month: str
    force: str
    point: Point | None
    street_name: str | None
    lsoa_code: str | None
    lsoa_name: str | None
    category: str
    last_outcome: str | None
    crime_type: str = ""  # the labels as the file has them
    last_outcome_label: str = ""


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    source: str
    line: int
    crime_id: str
    month: str
    force: str
    point: Point | None
    street_name: str | None
    outcome: str
    outcome_type: str = ""  # the label as the file has it


@dataclass(frozen=True, slots=True)
class StopRow:
    source: str
    line: int
    force: str
    search_type: str
    searched_at: datetime  # naive UTC
    part_of_operation: bool | None  # None: the file leaves it empty
    operation: str | None
    point: Point | None
    gender: str | None
    age_range: str | None
    self_defined_ethnicity: str | None
    officer_defined_ethnicity: str | None
    legislation: str | None
    object_of_search: str | None
    outcome: str | None
    outcome_linked_to_object: bool | None
    outer_clothing_removed: bool | None

    @property
    def month(self) -> str:
        """The month the stop is published under: its month in London time."""
        return f"{self.searched_at.replace(tzinfo=UTC).astimezone(LONDON):%Y-%m}"


@dataclass
class Sources:
    """Everything read from a folder of published files."""

    street: list[StreetRow] = field(default_factory=list)
    outcomes: list[OutcomeRow] = field(default_factory=list)
    stops: list[StopRow] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # lenient reading: "file:line: problem"
    skipped: list[Path] = field(default_factory=list)  # lenient reading: files left out whole

    def outcome_months(self, force: str) -> set[str]:
        return {o.month for o in self.outcomes if o.force == force}


def default_sources_dir() -> Path:
    """The copy of real published files that ships with the package."""
    return Path(__file__).parent / "data" / "police-uk"


class Values(Protocol):
    """Which labels a row may carry and what is kept of them; None: an unknown label."""

    def category(self, label: str) -> str | None:
        """A ``Crime type`` label's category slug."""

    def outcome(self, label: str) -> str | None:
        """An outcome label's outcome code."""

    def stop(self, column: str, label: str) -> str | None:
        """The value kept of a stop-and-search column's label."""


class PublishedValues:
    """The current data.police.uk labels, as the internal lookups know them."""

    def category(self, label: str) -> str | None:
        return lookups.CATEGORY_LABELS.get(label)

    def outcome(self, label: str) -> str | None:
        return lookups.OUTCOME_LABELS.get(label)

    def stop(self, column: str, label: str) -> str | None:
        return label if label in _STOP_VALUES[column] else None


PUBLISHED_VALUES = PublishedValues()


def read_sources(directory: Path, lenient: bool = False, values: Values = PUBLISHED_VALUES) -> Sources:
    """Read every archive file under ``directory`` (recursively), checking each row.

    Strict (the default), the first problem raises :class:`SourceError`. Lenient, problems
    are described in ``rejected`` (paths relative to ``directory``) and reading goes on:
    a bad row is left out, a file that cannot be read is left out whole (``skipped``), and
    so is an outcome whose crime no street row holds.
    """
    if not directory.is_dir():
        raise SourceError(f"{directory}: not a folder of data.police.uk files")
    sources = Sources()
    paths = sorted(directory.rglob("*.csv"))
    for path in paths:
        problems: list[str] | None = [] if lenient else None
        try:
            kind, force = _kind_and_force(path)
            rows = list(_READERS[kind](path, force, values, problems))
        except SourceError as exc:
            if not lenient:
                raise
            sources.rejected.append(_relative(f"{exc} (file skipped)", path, directory))
            sources.skipped.append(path)
            continue
        sources.files.append(path)
        sources.rejected.extend(_relative(p, path, directory) for p in problems or ())
        {"street": sources.street, "outcomes": sources.outcomes}.get(kind, sources.stops).extend(rows)
    if not paths:
        raise SourceError(f"{directory}: no data.police.uk CSV files found")
    _check_outcomes_join(sources, sources.rejected if lenient else None)
    return sources


def _kind_and_force(path: Path) -> tuple[str, str]:
    match = FILE_NAME.match(path.name)
    if match is None:
        raise SourceError(f"{path}: not a data.police.uk archive file name (YYYY-MM-<force>-street.csv, ...)")
    if match["force"] not in lookups.FORCE_NAMES:
        raise SourceError(f"{path}: force {match['force']!r} is not one this records system holds")
    return match["kind"], match["force"]


def _relative(problem: str, path: Path, directory: Path) -> str:
    return problem.replace(str(path), str(path.relative_to(directory)), 1)


def _parsed(
    path: Path, header: list[str], parse: Callable[[int, dict[str, str]], object], problems: list[str] | None
) -> Iterator:
    """Each row through ``parse``; a row's problem raises, or is noted in ``problems``."""
    for line, r in _rows(path, header, problems):
        try:
            yield parse(line, r)
        except SourceError as exc:
            if problems is None:
                raise
            problems.append(str(exc))


def _rows(path: Path, header: list[str], problems: list[str] | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            first = next(reader, None)
            if first != header:
                raise SourceError(f"{path}:1: unexpected header {first!r}; expected {','.join(header)}")
            for row in reader:
                if not row:
                    continue
                if len(row) != len(header):
                    problem = f"{path}:{reader.line_num}: expected {len(header)} fields, found {len(row)}"
                    if problems is None:
                        raise SourceError(problem)
                    problems.append(problem)
                    continue
                yield reader.line_num, dict(zip(header, row, strict=True))
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        raise SourceError(f"{path}: malformed CSV ({exc})") from None


def _fail(path: Path, line: int, message: str) -> SourceError:
    return SourceError(f"{path}:{line}: {message}")


def _point(path: Path, line: int, lat: str, lon: str) -> Point | None:
    if not lat and not lon:
        return None
    try:
        latitude, longitude = float(lat), float(lon)
    except ValueError:
        raise _fail(path, line, f"bad coordinates {lat!r}, {lon!r}") from None
    if not (49.0 <= latitude <= 61.0 and -9.0 <= longitude <= 2.5):
        raise _fail(path, line, f"coordinates {lat}, {lon} are outside Great Britain")
    return Point(lat, lon)


def _month(path: Path, line: int, value: str) -> str:
    if not MONTH.match(value):
        raise _fail(path, line, f"bad month {value!r} (expected YYYY-MM)")
    return value


def _force(path: Path, line: int, name: str) -> str:
    try:
        return FORCE_BY_NAME[name]
    except KeyError:
        raise _fail(path, line, f"unknown force {name!r}") from None


def _location(path: Path, line: int, r: dict[str, str]) -> tuple[Point | None, str | None]:
    point = _point(path, line, r["Latitude"], r["Longitude"])
    location = r["Location"]
    if point is None:
        if location not in NO_LOCATION:
            raise _fail(path, line, f"location {location!r} has no coordinates")
        return None, None
    if not location.startswith(LOCATION_PREFIX):
        raise _fail(path, line, f"location {location!r} does not start with {LOCATION_PREFIX!r}")
    return point, location[len(LOCATION_PREFIX) :]


def _read_street(path: Path, _force_id: str, values: Values, problems: list[str] | None) -> Iterator[StreetRow]:
    return _parsed(path, STREET_HEADER, lambda line, r: _street_row(path, line, r, values), problems)


def _street_row(path: Path, line: int, r: dict[str, str], values: Values) -> StreetRow:
    category = values.category(r["Crime type"])
    if category is None:
        raise _fail(path, line, f"unknown crime type {r['Crime type']!r}")
    crime_id = r["Crime ID"]
    if category == "anti-social-behaviour":
        if crime_id:
            raise _fail(path, line, "anti-social behaviour rows carry no Crime ID")
    elif crime_id and not CRIME_ID.match(crime_id):  # none in Met files of 2010-12 to 2011-11
        raise _fail(path, line, f"bad Crime ID {crime_id!r} (expected 64 hex digits or none)")
    last = r["Last outcome category"]
    last_outcome = None
    if last:
        last_outcome = values.outcome(last)
        if last_outcome is None:
            raise _fail(path, line, f"unknown outcome {last!r}")
    point, street = _location(path, line, r)
    lsoa_code = r["LSOA code"] or None
    if lsoa_code is not None and not LSOA_CODE.match(lsoa_code):
        raise _fail(path, line, f"bad LSOA code {lsoa_code!r}")
    return StreetRow(
        source=path.name,
        line=line,
        crime_id=crime_id,
        month=_month(path, line, r["Month"]),
        force=_force(path, line, r["Reported by"]),
        point=point,
        street_name=street,
        lsoa_code=lsoa_code,
        lsoa_name=r["LSOA name"] or None,
        category=category,
        last_outcome=last_outcome,
        crime_type=r["Crime type"],
        last_outcome_label=last,
    )


def _read_outcomes(path: Path, _force_id: str, values: Values, problems: list[str] | None) -> Iterator[OutcomeRow]:
    return _parsed(path, OUTCOMES_HEADER, lambda line, r: _outcome_row(path, line, r, values), problems)


def _outcome_row(path: Path, line: int, r: dict[str, str], values: Values) -> OutcomeRow:
    if not CRIME_ID.match(r["Crime ID"]):
        raise _fail(path, line, f"bad Crime ID {r['Crime ID']!r} (expected 64 hex digits)")
    outcome = values.outcome(r["Outcome type"])
    if outcome is None:
        raise _fail(path, line, f"unknown outcome {r['Outcome type']!r}")
    point, street = _location(path, line, r)
    return OutcomeRow(
        source=path.name,
        line=line,
        crime_id=r["Crime ID"],
        month=_month(path, line, r["Month"]),
        force=_force(path, line, r["Reported by"]),
        point=point,
        street_name=street,
        outcome=outcome,
        outcome_type=r["Outcome type"],
    )


def _boolean(path: Path, line: int, column: str, value: str) -> bool | None:
    if value == "":
        return None
    if value in ("True", "False"):
        return value == "True"
    raise _fail(path, line, f"{column} must be True, False or empty, not {value!r}")


def _choice(path: Path, line: int, column: str, value: str, values: Values) -> str | None:
    if value == "":
        return None
    kept = values.stop(column, value)
    if kept is None:
        raise _fail(path, line, f"unknown {column} {value!r}")
    return kept


_STOP_VALUES = {
    "Type": {c.published for c in lookups.SEARCH_TYPES},
    "Gender": {c.published for c in lookups.GENDERS if c.published},
    "Age range": {band for band, _lo, _hi in lookups.STOP_AGE_BANDS},
    "Self-defined ethnicity": {c.published for c in lookups.SELF_DEFINED_ETHNICITIES},
    "Officer-defined ethnicity": {"White", "Black", "Asian", "Other", "Mixed"},
    "Legislation": {c.published for c in lookups.LEGISLATION},
    "Object of search": {c.published for c in lookups.SEARCH_OBJECTS},
    "Outcome": {c.published for c in lookups.SEARCH_OUTCOMES},
}


def _read_stops(path: Path, force: str, values: Values, problems: list[str] | None) -> Iterator[StopRow]:
    return _parsed(path, STOPS_HEADER, lambda line, r: _stop_row(path, line, r, force, values), problems)


def _stop_row(path: Path, line: int, r: dict[str, str], force: str, policy: Values) -> StopRow:
    try:
        searched_at = datetime.fromisoformat(r["Date"])
    except ValueError:
        raise _fail(path, line, f"bad date-time {r['Date']!r} (expected ISO 8601)") from None
    if searched_at.tzinfo is not None:
        searched_at = searched_at.astimezone(UTC).replace(tzinfo=None)
    values = {column: _choice(path, line, column, r[column], policy) for column in _STOP_VALUES}
    if values["Type"] is None:
        raise _fail(path, line, "Type is empty")
    return StopRow(
        source=path.name,
        line=line,
        force=force,
        search_type=values["Type"],
        searched_at=searched_at,
        part_of_operation=_boolean(path, line, "Part of a policing operation", r["Part of a policing operation"]),
        operation=r["Policing operation"] or None,
        point=_point(path, line, r["Latitude"], r["Longitude"]),
        gender=values["Gender"],
        age_range=values["Age range"],
        self_defined_ethnicity=values["Self-defined ethnicity"],
        officer_defined_ethnicity=values["Officer-defined ethnicity"],
        legislation=values["Legislation"],
        object_of_search=values["Object of search"],
        outcome=values["Outcome"],
        outcome_linked_to_object=_boolean(
            path, line, "Outcome linked to object of search", r["Outcome linked to object of search"]
        ),
        outer_clothing_removed=_boolean(
            path, line, "Removal of more than just outer clothing", r["Removal of more than just outer clothing"]
        ),
    )


def _check_outcomes_join(sources: Sources, problems: list[str] | None = None) -> None:
    """Every outcome's crime is in a street file; lenient, the others are left out."""
    known = {row.crime_id for row in sources.street if row.crime_id}
    kept = []
    for outcome in sources.outcomes:
        if outcome.crime_id in known:
            kept.append(outcome)
            continue
        problem = (
            f"{outcome.source}:{outcome.line}: outcome for crime {outcome.crime_id[:12]}... which no street file holds"
        )
        if problems is None:
            raise SourceError(problem)
        problems.append(problem)
    sources.outcomes = kept


_READERS: dict[str, Callable[[Path, str, Values, list[str] | None], Iterator]] = {
    "street": _read_street,
    "outcomes": _read_outcomes,
    "stop-and-search": _read_stops,
}
