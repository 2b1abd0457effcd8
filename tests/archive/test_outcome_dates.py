"""A crime's outcome_status always has its month, as data.police.uk gives it.

A street file names the last outcome but not its month. The month is the latest month in
which an outcomes file of the folder records that outcome for the crime; failing that, the
latest month of any of its outcomes there (the last outcome came no earlier); failing that,
the crime's own month. ``outcome_status`` is null only for a crime without a last outcome,
and for anti-social behaviour.
"""

from __future__ import annotations

import re

from sqlalchemy import create_engine, func, select

from gateway.publish import tables

from .conftest import crime_id, serving

EXPECTED = {
    crime_id(11): {"category": "Unable to prosecute suspect", "date": "2023-03"},  # its outcomes-file row
    crime_id(12): {"category": "Status update unavailable", "date": "2023-02"},  # its latest outcome
    crime_id(13): {"category": "Investigation complete; no suspect identified", "date": "2023-01"},  # its month
    crime_id(14): None,  # no last outcome
    crime_id(15): {"category": "Under investigation", "date": "2023-02"},  # its month
}


def test_every_outcome_status_has_a_month(names_release, tmp_path):
    client = serving(names_release, tmp_path)
    found = {}
    for month in ("2023-01", "2023-02"):
        for crime in client.get(f"/api/crimes-street/all-crime?lat=51.54995&lng=-0.13812&date={month}").get_json():
            if crime["persistent_id"]:
                found[crime["persistent_id"]] = crime["outcome_status"]
            else:
                assert crime["outcome_status"] is None
    assert found == EXPECTED
    items = client.get("/api/v1/street-crime?_pageSize=100").get_json()["items"]
    assert {c["persistent_id"]: c["last_outcome_month"] for c in items} == {
        pid: status and status["date"] for pid, status in EXPECTED.items()
    }


def test_no_real_crime_with_a_last_outcome_lacks_its_month(archive_release, sources):
    """The shipped real files: Met burglaries of 2024-01 and 2024-02 with two months of
    outcomes, and 36 City months with no outcomes file at all."""
    engine = create_engine(f"sqlite:///{archive_release.path / 'release.sqlite'}")
    s = tables.street
    with engine.connect() as conn:
        with_outcome = select(func.count()).where(s.c.last_outcome.is_not(None))
        total = conn.execute(with_outcome).scalar()
        undated = conn.execute(with_outcome.where(s.c.last_outcome_month.is_(None))).scalar()
        months = {m for (m,) in conn.execute(select(s.c.last_outcome_month).distinct()) if m}
        earlier = conn.execute(with_outcome.where(s.c.last_outcome_month < s.c.month)).scalar()
    engine.dispose()
    assert total == sum(r.last_outcome is not None for r in sources.street) > 20_000
    assert undated == 0 and earlier == 0
    assert all(re.fullmatch(r"\d{4}-\d{2}", m) for m in months)
