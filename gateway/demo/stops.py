"""Stop-and-search records from published stop-and-search rows.

The published date-time is kept (stops publish it), the location becomes an exact place
in the map point's catchment, the age band becomes a date of birth, and the published
labels become the internal codes that publish as them.
"""

from __future__ import annotations

from collections.abc import Iterator

from gateway.internal import lookups

from .crimes import FORCE_CODE, Row
from .invent import Inventor
from .mappoints import MapPoints
from .sources import Sources, StopRow

_INVERSE = {
    name: lookups.published_to_codes(codes)
    for name, codes in {
        "search_type": lookups.SEARCH_TYPES,
        "gender": lookups.GENDERS,
        "sde": lookups.SELF_DEFINED_ETHNICITIES,
        "legislation": lookups.LEGISLATION,
        "object": lookups.SEARCH_OBJECTS,
        "outcome": lookups.SEARCH_OUTCOMES,
    }.items()
}
# Officer-defined ethnicity to IC codes, with how often each is used within the group.
IC_FOR_GROUP = {
    "White": (["IC1", "IC2"], [0.72, 0.28]),
    "Black": (["IC3"], [1.0]),
    "Asian": (["IC4", "IC5"], [0.86, 0.14]),
    "Other": (["IC6"], [1.0]),
}
# Ages invented for the demo stay between 5 and 84, whatever the band allows.
AGE_BANDS = {band: (max(lo, 5), min(hi, 84)) for band, lo, hi in lookups.STOP_AGE_BANDS}
GROUNDS = (
    "smell of cannabis and nervous behaviour",
    "information received about a bladed article",
    "matching the description of a suspect in a recent theft",
    "seen passing a package in a known drug-dealing location",
)
VEHICLE_GROUNDS = "vehicle matched an intelligence report"


class UnmappableValue(ValueError):
    """A published value that no internal code publishes as."""


def _code(inv: Inventor, kind: str, value: str | None) -> str | None:
    if value is None:
        return None
    return inv.random.choice(_INVERSE[kind][value])


def _ic_code(inv: Inventor, row: StopRow) -> str | None:
    group = row.officer_defined_ethnicity
    if group is None:
        # Vehicle-only searches record no person at all.
        return None if row.search_type == "Vehicle search" else "IC9"
    if group not in IC_FOR_GROUP:
        raise UnmappableValue(f"{row.source}:{row.line}: officer-defined ethnicity {group!r} has no Met IC code")
    codes, weights = IC_FOR_GROUP[group]
    return inv.weighted(codes, weights)


def stop_record(
    inv: Inventor, row: StopRow, location: tuple[float, float] | None, point: int | None, points: MapPoints
) -> dict:
    """One internal stop-and-search record for a published row."""
    person = row.search_type != "Vehicle search" or any(
        v is not None for v in (row.gender, row.age_range, row.self_defined_ethnicity, row.officer_defined_ethnicity)
    )
    dob = None
    if row.age_range is not None:
        dob = inv.date_of_birth(row.searched_at.date(), *AGE_BANDS[row.age_range])
    operation_name = None
    if row.part_of_operation or inv.chance(0.05):
        operation_name = inv.codeword()
    street = points.street_name[point] if point is not None else None
    return {
        "internal_ref": inv.ref("SS", row.searched_at.year),
        "searched_at": row.searched_at,
        "search_type": _code(inv, "search_type", row.search_type),
        "force_code": FORCE_CODE[row.force],
        "easting": location[0] if location else None,
        "northing": location[1] if location else None,
        "location_description": inv.address(street) if location else None,
        "subject_name": inv.name() if person else None,
        "subject_dob": dob,
        "sde_code": _code(inv, "sde", row.self_defined_ethnicity),
        "ic_code": _ic_code(inv, row),
        "gender_code": _code(inv, "gender", row.gender) or ("U" if person else None),
        "legislation_code": _code(inv, "legislation", row.legislation),
        "object_code": _code(inv, "object", row.object_of_search),
        "outcome_code": _code(inv, "outcome", row.outcome),
        "outcome_linked_to_object": row.outcome_linked_to_object,
        "outer_clothing_removed": row.outer_clothing_removed,
        "part_of_operation": bool(row.part_of_operation),  # the records system always says
        "operation_name": operation_name,
        "grounds": inv.narrative(f"Grounds: {inv.random.choice(GROUNDS) if person else VEHICLE_GROUNDS}"),
        "officer_warrant_number": inv.officer(),
        "borough_code": points.borough_code[point] if point is not None else None,
    }


def from_stop_files(sources: Sources, points: MapPoints, inv: Inventor) -> Iterator[Row]:
    indices = [points.of(r.point) for r in sources.stops]
    locations = inv.locations(points, indices)
    for row, point, location in zip(sources.stops, indices, locations, strict=True):
        yield "stop_search", stop_record(inv, row, location, point, points)
