"""Synthetic use-of-force records, in the shape of the Home Office collection.

No published file is at hand, so records are drawn from distributions modelled on the
Met's published use-of-force statistics: one row per officer and subject in an incident,
one to three officers per incident, tactics in the order used with their effectiveness,
CED (Taser) modes on CED tactics.
"""

from __future__ import annotations

from collections.abc import Iterator

from .crimes import Row
from .invent import Inventor
from .mappoints import MapPoints

LOCATION_TYPES = (
    ["STR", "DWL", "VHC", "CUS", "RET", "PTR", "OPG", "HOS", "MHS", "LIC", "PST", "VHN", "AMB", "STD", "OTH"],
    [0.38, 0.17, 0.08, 0.08, 0.06, 0.05, 0.04, 0.03, 0.03, 0.02, 0.02, 0.01, 0.01, 0.005, 0.015],
)
ETHNICITIES = (["PW", "PB", "PA", "PC", "PM", "PO", "PN"], [0.44, 0.31, 0.12, 0.01, 0.04, 0.06, 0.02])
GENDERS = (["M", "F", "X", "U"], [0.84, 0.15, 0.003, 0.007])
AGES = ([(5, 10), (11, 17), (18, 34), (35, 49), (50, 64), (65, 90), None],
        [0.003, 0.09, 0.50, 0.28, 0.09, 0.02, 0.017])  # fmt: skip
OUTCOMES = (["ARR", "OTH", "MHA", "HOS", "MOE", "FAT"], [0.62, 0.22, 0.07, 0.05, 0.0399, 0.0001])
OFFICERS_PER_INCIDENT = ([1, 2, 3], [0.6, 0.3, 0.1])
# Tactic, probability that a use of force includes it; listed in the usual order of use.
TACTICS = (
    ("TCOM", 0.72), ("HCC", 0.44), ("HCN", 0.31), ("UNA", 0.24), ("GRD", 0.12), ("LBR", 0.05),
    ("SBG", 0.03), ("TSR", 0.045), ("ISD", 0.015), ("ISU", 0.01), ("BTD", 0.01), ("BTU", 0.005),
    ("SHD", 0.005), ("DOG", 0.005), ("DGB", 0.001), ("ARW", 0.0005), ("FAA", 0.005), ("FAF", 0.00005),
    ("IMP", 0.01),
)  # fmt: skip
CED_MODES = (["DRW", "AIM", "RDT", "ARC", "FIR", "DST", "ADS"], [0.48, 0.2, 0.16, 0.04, 0.09, 0.02, 0.01])


def synthesise(inv: Inventor, points: MapPoints, months: list[str], per_month: int) -> Iterator[Row]:
    """About ``per_month`` use-of-force rows for each month, placed at Met map points."""
    met = [i for i, b in enumerate(points.borough_code) if b is not None and b != "E09000001"]
    if not met:
        return
    for month in months:
        written = 0
        while written < per_month:
            officers = inv.weighted(*OFFICERS_PER_INCIDENT)
            yield from _incident(inv, points, met, month, officers)
            written += officers


def _incident(inv: Inventor, points: MapPoints, met: list[int], month: str, officers: int) -> Iterator[Row]:
    occurred_at = inv.moment_in_month(month)
    point = inv.random.choice(met)
    (location,) = inv.locations(points, [point])
    incident_ref = inv.ref("INC", occurred_at.year)
    age_band = inv.weighted(*AGES)
    subject = {
        "subject_name": inv.name(),
        "subject_age": inv.random.randint(*age_band) if age_band else None,
        "subject_gender": inv.weighted(*GENDERS),
        "subject_ethnicity": inv.weighted(*ETHNICITIES),
        "physical_disability": inv.chance(0.03),
        "mental_disability": inv.chance(0.12),
        "subject_injured": inv.chance(0.07),
        "impact_alcohol": inv.chance(0.25),
        "impact_drugs": inv.chance(0.18),
        "impact_mental_health": inv.chance(0.1),
        "impact_weapon": inv.chance(0.08),
        "outcome_code": inv.weighted(*OUTCOMES),
    }
    location_type = inv.weighted(*LOCATION_TYPES)
    for _ in range(officers):
        ref = inv.ref("UOF", occurred_at.year)
        yield (
            "use_of_force",
            {
                "internal_ref": ref,
                "incident_ref": incident_ref,
                "occurred_at": occurred_at,
                "borough_code": points.borough_code[point],
                "location_type": location_type,
                "easting": location[0] if location else None,
                "northing": location[1] if location else None,
                **subject,
                "staff_injured": inv.chance(0.04),
                "officer_warrant_number": inv.officer(),
                "narrative": inv.narrative("Subject resisted arrest"),
            },
        )
        for order, tactic in enumerate(_tactics(inv), start=1):
            yield (
                "use_of_force_tactic",
                {
                    "uof_ref": ref,
                    "tactic_order": order,
                    "tactic_code": tactic,
                    "effective": inv.chance(0.86),
                    "ced_mode": inv.weighted(*CED_MODES) if tactic == "TSR" else None,
                },
            )


def _tactics(inv: Inventor) -> list[str]:
    draws = inv.numpy.random(len(TACTICS))
    chosen = [code for (code, p), u in zip(TACTICS, draws.tolist(), strict=True) if u < p]
    if "HCC" in chosen and "HCN" in chosen:
        chosen.remove("HCC" if inv.chance(0.5) else "HCN")
    return chosen or ["UNA"]
