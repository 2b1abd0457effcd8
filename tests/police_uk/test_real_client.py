"""Real-client proof: police-api-client (PyPI), unchanged, against the gateway under gunicorn.

The client is pointed at the gateway with ``base_url`` only; every answer it builds is
compared with the release's published tables, read directly.
"""

from __future__ import annotations

import pytest
from police_api import PoliceAPI

from .conftest import miles
from .test_crimes import POLY, _inside


@pytest.fixture(scope="module")
def api(request):
    # Load the app before gunicorn listens (see tests/test_ratelimit.py), in case this
    # module is the first to start the shared live_server.
    patch = pytest.MonkeyPatch()
    patch.setenv("GUNICORN_CMD_ARGS", "--preload")
    try:
        server = request.getfixturevalue("live_server")
    finally:
        patch.undo()
    return PoliceAPI(base_url=server.url + "/api/", timeout=60)


def test_forces(api):
    forces = {f.id: f.name for f in api.get_forces()}
    assert len(forces) == 44
    assert forces["metropolitan"] == "Metropolitan Police Service"
    met = api.get_force("metropolitan")
    assert met.name == "Metropolitan Police Service"  # a lazy GET /forces/metropolitan
    assert met.telephone == "101"


def test_categories_and_dates(api, db):
    categories = api.get_crime_categories(date="2024-01")
    assert len(categories) == 14  # the client drops all-crime
    assert "burglary" in {c.id for c in categories}
    months = sorted({m for (m,) in db.execute("SELECT DISTINCT month FROM street")}, reverse=True)
    assert api.get_dates() == months
    assert api.get_latest_date() == months[0]


def test_crimes_by_point(api, db):
    lat, lng = 51.515, -0.09
    crimes = api.get_crimes_point(lat, lng, date="2024-01")
    rows = db.execute(
        "SELECT s.id, s.category, s.map_point, p.latitude, p.longitude FROM street s "
        "JOIN map_point p ON p.id = s.map_point WHERE s.month = '2024-01'"
    ).fetchall()
    expected = {r[0]: r for r in rows if miles(lat, lng, r[3], r[4]) <= 1}
    assert expected and {c.id for c in crimes} == set(expected)
    for crime in crimes:
        row = expected[crime.id]
        assert crime.category.id == row[1]  # hydrated through crime-categories?date=2024-01
        assert crime.location.id == row[2]
        assert float(crime.location.latitude) == pytest.approx(row[3], abs=5e-7)
    burglaries = api.get_crimes_point(lat, lng, date="2024-01", category="burglary")
    assert {c.id for c in burglaries} == {i for i, r in expected.items() if r[1] == "burglary"}


def test_crimes_by_polygon_posted(api, db):
    points = [tuple(map(float, p.split(","))) for p in POLY.split(":")]
    crimes = api.get_crimes_area(points, date="2024-01")  # POST form body: poly=...&date=...
    rows = db.execute(
        "SELECT s.id, p.latitude, p.longitude FROM street s JOIN map_point p ON p.id = s.map_point "
        "WHERE s.month = '2024-01'"
    ).fetchall()
    expected = {r[0] for r in rows if _inside(POLY, r[1], r[2])}
    assert expected and {c.id for c in crimes} == expected


def test_crimes_by_location(api, db):
    point, month, count = db.execute(
        "SELECT map_point, month, count(*) FROM street WHERE map_point IS NOT NULL GROUP BY 1, 2 "
        "ORDER BY 3 DESC LIMIT 1"
    ).fetchone()
    crimes = api.get_crimes_location(point, date=month)
    assert len(crimes) == count and {c.location.id for c in crimes} == {point}


def test_crimes_without_location(api, db):
    crimes = api.get_crimes_no_location("city-of-london", date="2024-01")
    expected = db.execute(
        "SELECT count(*) FROM street WHERE map_point IS NULL AND force = 'city-of-london' AND month = '2024-01'"
    ).fetchone()[0]
    assert expected and len(crimes) == expected


def test_outcomes_for_a_crime(api, db):
    crime_id, pid = db.execute(  # the only crime with its persistent id: its history is the id's
        "SELECT s.id, s.persistent_id FROM street s JOIN crime_outcome o ON o.crime_id = s.id "
        "WHERE s.persistent_id NOT IN (SELECT persistent_id FROM street GROUP BY persistent_id HAVING count(*) > 1) "
        "GROUP BY s.id HAVING count(*) > 2 ORDER BY s.id LIMIT 1"
    ).fetchone()
    crime = api.get_crime(pid)
    assert crime.id == crime_id and crime.persistent_id == pid
    history = db.execute("SELECT category, month FROM crime_outcome WHERE crime_id = ? ORDER BY seq", (crime_id,))
    assert [(o.category.id, o.date) for o in crime.outcomes] == [tuple(h) for h in history]
    # and lazily, from a crime found by point
    located = api.get_crimes_location(crime.location.id, date=crime.month)
    same = next(c for c in located if c.id == crime_id)
    assert [o.category.name for o in same.outcomes] == [o.category.name for o in crime.outcomes]
    assert same.outcome_status.category.name  # the last outcome's display name
