"""Fixtures for the linked-data tests: paths of real resources of the demo release."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from gateway.publish import tables

BASE = "https://data.met.police.uk/"
PER_TYPE = 3


@dataclass(frozen=True)
class Sample:
    """Resource paths (``crime/123``) of the demo release, a few of each kind."""

    records: dict[str, list[str]]  # by kind: crime, crime/outcome, anti-social-behaviour, ...
    borough: str
    lsoa: str
    snap_point_with_records: int

    def all(self) -> list[str]:
        return [path for paths in self.records.values() for path in paths]


@pytest.fixture(scope="session")
def sample(published_release) -> Sample:
    street, outcome, stops = tables.street, tables.crime_outcome, tables.stop_search
    force, tactic, points = tables.use_of_force, tables.use_of_force_tactic, tables.map_point
    with published_release.engine.connect() as conn:

        def ids(query) -> list:
            return list(conn.execute(query.limit(PER_TYPE)).scalars())

        crimes = ids(select(street.c.id).where(street.c.record == "RecordedCrime").order_by(street.c.id))
        asb = ids(select(street.c.id).where(street.c.record == "AntiSocialBehaviourIncident").order_by(street.c.id))
        outcomes = conn.execute(select(outcome.c.crime_id, outcome.c.id).order_by(outcome.c.id).limit(PER_TYPE)).all()
        tactics = conn.execute(select(tactic.c.uof_id, tactic.c.order).order_by(tactic.c.uof_id).limit(PER_TYPE)).all()
        busiest = conn.execute(
            select(street.c.map_point).where(street.c.map_point.is_not(None)).group_by(street.c.map_point).limit(1)
        ).scalar()
        lsoa = conn.execute(select(tables.lsoa.c.code).order_by(tables.lsoa.c.code).limit(1)).scalar()
        records = {
            "crime": [f"crime/{i}" for i in crimes],
            "anti-social-behaviour": [f"anti-social-behaviour/{i}" for i in asb],
            "crime/outcome": [f"crime/{c}/outcome/{o}" for c, o in outcomes],
            "stop-and-search": [f"stop-and-search/{i}" for i in ids(select(stops.c.id).order_by(stops.c.id))],
            "use-of-force": [f"use-of-force/{i}" for i in ids(select(force.c.id).order_by(force.c.id))],
            "use-of-force/tactic": [f"use-of-force/{u}/tactic/{n}" for u, n in tactics],
            "snap-point": [f"snap-point/{i}" for i in ids(select(points.c.id).order_by(points.c.id))],
            "organisation": ["organisation/metropolitan", "organisation/city-of-london"],
            "borough": ["borough/E09000001", "borough/E09000033"],
            "lsoa": [f"lsoa/{lsoa}"],
        }
    return Sample(records, "E09000001", lsoa, busiest)
