"""Crime reports, their outcome histories, and anti-social behaviour incidents.

Each published street row becomes one internal record. A crime's outcome history is the
outcomes file rows for it (dated in their months) followed, where the street file's last
outcome differs, by that outcome dated after every month an outcomes file covers: so that
publishing the records reproduces both the street files and the outcomes files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime

from gateway.internal import lookups

from .invent import Inventor, Weighted, add_months
from .mappoints import MapPoints, borough_of_lsoa
from .sources import OutcomeRow, Sources, StreetRow

Row = tuple[str, dict]

FORCE_CODE = {c.published: c.code for c in lookups.FORCES}
OUTCOME_CODES = lookups.published_to_codes(lookups.OUTCOMES)
_BY_CATEGORY: dict[str, list[lookups.Offence]] = defaultdict(list)
for _offence in lookups.OFFENCES:
    _BY_CATEGORY[_offence.category].append(_offence)
# The first offence of a category is the most common one.
OFFENCES_BY_CATEGORY = {
    category: (offences, [1.0 / (i + 1) ** 1.5 for i in range(len(offences))])
    for category, offences in _BY_CATEGORY.items()
}
ASB_TYPES = [c.code for c in lookups.ASB_TYPES]
ASB_WEIGHTS = [0.22, 0.68, 0.10]
# How many months after the last outcomes file an invented last outcome falls.
MONTHS_LATER = ([0, 1, 2, 3], [0.4, 0.3, 0.2, 0.1])
_OFFENCES = {category: Weighted.of(*choices) for category, choices in OFFENCES_BY_CATEGORY.items()}
_ASB_TYPES = Weighted.of(ASB_TYPES, ASB_WEIGHTS)
_MONTHS_LATER = Weighted.of(*MONTHS_LATER)


def crime_report(
    inv: Inventor,
    *,
    category: str,
    month: str,
    force: str,
    persistent_id: str,
    location: tuple[float, float] | None,
    street: str | None,
    lsoa_code: str | None,
    borough_code: str | None,
    restricted: bool = False,
) -> dict:
    """One invented internal crime report for a published category and month."""
    offence = inv.pick(_OFFENCES[category])
    recorded_at = inv.moment_in_month(month)
    violent = category == "violent-crime"
    return {
        "internal_ref": inv.ref("CR", recorded_at.year),
        "persistent_id": persistent_id,
        "recorded_at": recorded_at,
        "offence_code": offence.ho_code,
        "internal_class": offence.internal_class,
        "force_code": FORCE_CODE[force],
        "easting": location[0] if location else None,
        "northing": location[1] if location else None,
        "address": inv.address(street),
        "victim_name": inv.name(),
        "suspect_name": inv.name() if inv.chance(0.45) else None,
        "officer_warrant_number": inv.officer(),
        "narrative": inv.narrative(offence.description),
        "marker_domestic_abuse": (violent and inv.chance(0.25))
        or (category == "criminal-damage-arson" and inv.chance(0.08)),
        "marker_sexual_offence": offence.ho_code in lookups.SEXUAL_OFFENCES,
        "marker_hate_crime": offence.ho_code == "8Q" or (violent and inv.chance(0.02)),
        "marker_restricted": restricted,
        "lsoa_code": lsoa_code,
        "borough_code": borough_code,
    }


def outcome(inv: Inventor, crime: dict, published: str, on: date) -> dict:
    """One entry of a crime's outcome history."""
    return {
        "internal_ref": inv.ref("OC", on.year),
        "crime_ref": crime["internal_ref"],
        "outcome_code": inv.random.choice(OUTCOME_CODES[published]),
        "outcome_date": on,
        "suspect_ref": f"{inv.ref('SU', on.year)}" if crime["suspect_name"] else None,
        "officer_warrant_number": inv.officer(),
    }


def history(
    inv: Inventor, crime: dict, month: str, file_outcomes: list[OutcomeRow], last: str | None, after: str | None
) -> list[dict]:
    """The outcome history of one crime: its outcomes-file rows, then its last outcome.

    ``after`` is the first month in which an outcome may be invented without changing a
    published outcomes file (None when no outcomes file covers the force).
    """
    recorded: date = crime["recorded_at"].date()
    entries = []
    previous = recorded
    for row in file_outcomes:
        on = inv.day_in_month(row.month, not_before=previous if row.month == _month(previous) else None)
        entries.append(outcome(inv, crime, row.outcome, on))
        previous = max(previous, on)
    if last is not None and (not file_outcomes or file_outcomes[-1].outcome != last):
        start = max(month, _month(previous), after or month)
        chosen = add_months(start, inv.pick(_MONTHS_LATER))
        on = inv.day_in_month(chosen, not_before=previous if chosen == _month(previous) else None)
        entries.append(outcome(inv, crime, last, on))
    return entries


def _month(day: date | datetime) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def asb_incident(
    inv: Inventor,
    *,
    month: str,
    force: str,
    location: tuple[float, float] | None,
    street: str | None,
    lsoa_code: str | None,
    borough_code: str | None,
) -> dict:
    reported_at = inv.moment_in_month(month)
    return {
        "internal_ref": inv.ref("ASB", reported_at.year),
        "reported_at": reported_at,
        "asb_type": inv.pick(_ASB_TYPES),
        "force_code": FORCE_CODE[force],
        "easting": location[0] if location else None,
        "northing": location[1] if location else None,
        "address": inv.address(street),
        "reporter_name": inv.name() if inv.chance(0.7) else None,
        "officer_warrant_number": inv.officer() if inv.chance(0.5) else None,
        "narrative": inv.narrative("Caller reports anti-social behaviour"),
        "lsoa_code": lsoa_code,
        "borough_code": borough_code,
    }


def from_street_files(sources: Sources, points: MapPoints, inv: Inventor) -> Iterator[Row]:
    """Internal crime reports, outcome histories and ASB incidents for every street row."""
    outcomes_by_id: dict[str, list[OutcomeRow]] = defaultdict(list)
    for row in sources.outcomes:
        outcomes_by_id[row.crime_id].append(row)
    copies: dict[str, int] = defaultdict(int)
    for row in sources.street:
        if row.crime_id:
            copies[row.crime_id] += 1
    seen: dict[str, int] = defaultdict(int)
    after = {
        force: add_months(max(months), 1) if months else None
        for force in lookups.FORCE_NAMES
        for months in [sources.outcome_months(force)]
    }
    locations = inv.locations(points, [points.of(r.point) for r in sources.street])
    for row, location in zip(sources.street, locations, strict=True):
        place = _place(row, location)
        if row.category == "anti-social-behaviour":
            yield "anti_social_behaviour", asb_incident(inv, month=row.month, force=row.force, **place)
            continue
        # A crime published without a Crime ID (Met files of 2010-12 to 2011-11) had one inside.
        persistent_id = row.crime_id or inv.persistent_id()
        crime = crime_report(
            inv, category=row.category, month=row.month, force=row.force, persistent_id=persistent_id, **place
        )
        yield "crime_report", crime
        # A crime published on several rows shares its outcomes-file rows among them.
        n, k = copies[row.crime_id], seen[row.crime_id]
        seen[row.crime_id] += 1
        mine = outcomes_by_id.get(row.crime_id, [])[k::n] if row.crime_id else []
        for entry in history(inv, crime, row.month, mine, row.last_outcome, after[row.force]):
            yield "crime_outcome", entry


def _place(row: StreetRow, location: tuple[float, float] | None) -> dict:
    return {
        "location": location,
        "street": row.street_name,
        "lsoa_code": row.lsoa_code,
        "borough_code": borough_of_lsoa(row.lsoa_name) if row.lsoa_name else None,
    }
