"""Met-size synthetic months for benchmarks (``gateway demo-data --scale N``).

Scale 1 is the real published files and nothing more. Scale N adds synthetic records so
that the N months ending with the latest real Met month each hold a Met-size volume:
about 90,000 street crimes and ASB incidents (the Met's category mix; real records in a
month count towards it), 12,000 stops (bootstrapped from the real stop-and-search month,
moved in time and to neighbouring map points) and 13,000 use-of-force rows.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from .crimes import Row, asb_incident, crime_report, history, outcome
from .invent import Inventor, Weighted, add_months
from .mappoints import MapPoints
from .sources import Sources
from .stops import stop_record

# Share of each category in a Met month of street-level data (data.police.uk, 2023).
MET_CATEGORY_MIX = {
    "violent-crime": 0.27,
    "anti-social-behaviour": 0.15,
    "other-theft": 0.11,
    "vehicle-crime": 0.10,
    "theft-from-the-person": 0.06,
    "burglary": 0.055,
    "public-order": 0.05,
    "criminal-damage-arson": 0.05,
    "shoplifting": 0.045,
    "robbery": 0.035,
    "drugs": 0.03,
    "bicycle-theft": 0.02,
    "other-crime": 0.015,
    "possession-of-weapons": 0.01,
}
COURT_OUTCOMES = frozenset(
    {"awaiting-court-result", "court-result-unavailable", "unable-to-proceed", "sent-to-crown-court", "imprisoned",
     "fined", "community-penalty", "suspended-sentence", "conditional-discharge", "not-guilty"}
)  # fmt: skip
NO_LOCATION_SHARE = 0.015


@dataclass(frozen=True)
class Volumes:
    """How much each synthetic Met month holds, and the use of force at scale 1."""

    crimes_per_month: int = 90_000
    stops_per_month: int = 12_000
    uof_per_month: int = 13_000
    demo_uof_per_month: int = 1_500


def met_months(sources: Sources, scale: int) -> list[str]:
    """The months that synthetic Met data fills: ``scale`` months ending at the latest."""
    months = [r.month for r in sources.street if r.force == "metropolitan"]
    months += [s.month for s in sources.stops if s.force == "metropolitan"]
    if scale <= 1 or not months:
        return []
    latest = max(months)
    return [add_months(latest, -k) for k in range(scale - 1, -1, -1)]


def real_met_months(sources: Sources) -> list[str]:
    months = {r.month for r in sources.street if r.force == "metropolitan"}
    months |= {s.month for s in sources.stops if s.force == "metropolitan"}
    return sorted(months)


def met_point_pool(points: MapPoints) -> list[int]:
    return [i for i, b in enumerate(points.borough_code) if b is not None and b != "E09000001"]


def synthetic_crimes(
    inv: Inventor, sources: Sources, points: MapPoints, months: list[str], volumes: Volumes
) -> Iterator[Row]:
    """Street crimes and ASB incidents topping each month up to a Met-size volume."""
    real = Counter((r.month, r.category) for r in sources.street if r.force == "metropolitan")
    outcomes = _last_outcome_mix(sources)
    pool = met_point_pool(points)
    for month in months:
        for category, share in MET_CATEGORY_MIX.items():
            n = max(0, round(share * volumes.crimes_per_month) - real[(month, category)])
            if n == 0:
                continue
            chosen = [None if inv.chance(NO_LOCATION_SHARE) else inv.random.choice(pool) for _ in range(n)]
            for point, location in zip(chosen, inv.locations(points, chosen), strict=True):
                place = {
                    "location": location,
                    "street": points.street_name[point] if point is not None else None,
                    "lsoa_code": points.lsoa_code[point] if point is not None else None,
                    "borough_code": points.borough_code[point] if point is not None else None,
                }
                if category == "anti-social-behaviour":
                    yield "anti_social_behaviour", asb_incident(inv, month=month, force="metropolitan", **place)
                    continue
                crime = crime_report(
                    inv,
                    category=category,
                    month=month,
                    force="metropolitan",
                    persistent_id=inv.persistent_id(),
                    restricted=inv.chance(0.001),
                    **place,
                )
                yield "crime_report", crime
                yield from _synthetic_history(inv, crime, month, outcomes.get(category))


def _last_outcome_mix(sources: Sources) -> dict[str, Weighted[str]]:
    """For each category, the published last outcomes weighted by how often they occur."""
    mix: dict[str, Counter] = defaultdict(Counter)
    for r in sources.street:
        if r.last_outcome:
            mix[r.category][r.last_outcome] += 1
    return {category: Weighted.of(counts, counts.values()) for category, counts in mix.items()}


def _synthetic_history(inv: Inventor, crime: dict, month: str, mix: Weighted[str] | None) -> Iterator[Row]:
    if mix is None:
        return
    last = inv.pick(mix)
    entries = []
    if last in COURT_OUTCOMES:
        entries.append(outcome(inv, crime, "charged", inv.day_in_month(month, not_before=crime["recorded_at"].date())))
    entries += history(inv, crime, month, [], last, add_months(month, 1) if entries else None)
    for entry in entries:
        yield "crime_outcome", entry


def synthetic_stops(
    inv: Inventor, sources: Sources, points: MapPoints, months: list[str], volumes: Volumes
) -> Iterator[Row]:
    """Stops bootstrapped from the real Met stop-and-search records into each month."""
    real = [s for s in sources.stops if s.force == "metropolitan"]
    if not real:
        return
    already = Counter(s.month for s in real)
    neighbours: dict[int, list[int]] = {}
    for month in months:
        for _ in range(max(0, volumes.stops_per_month - already[month])):
            template = inv.random.choice(real)
            day = inv.moment_in_month(month)
            day = day.replace(day=min(max(day.day, 2), 27))
            searched_at = day.replace(hour=template.searched_at.hour, minute=template.searched_at.minute, second=0)
            point = points.of(template.point)
            if point is not None and inv.chance(0.3):
                if point not in neighbours:
                    neighbours[point] = [int(i) for i in points.near(point)]
                point = inv.random.choice(neighbours[point])
            (location,) = inv.locations(points, [point])
            row = dataclasses.replace(template, searched_at=searched_at)
            yield "stop_search", stop_record(inv, row, location, point, points)
