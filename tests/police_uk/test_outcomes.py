"""outcomes-for-crime and outcomes-at-location."""

from gateway.internal import lookups
from gateway.police_uk import views

from .conftest import check_crime, miles

API_NAMES = {}
for label, code in lookups.OUTCOME_LABELS.items():
    API_NAMES.setdefault(code, label)


def _crime_with_history(db):
    return db.execute(
        "SELECT s.* FROM street s JOIN crime_outcome o ON o.crime_id = s.id "
        "WHERE s.map_point IS NOT NULL GROUP BY s.id HAVING count(*) > 2 ORDER BY s.id LIMIT 1"
    ).fetchone()


def _history(db, persistent_id: str) -> list:
    """The outcomes of every crime with the persistent id, oldest first (data.police.uk
    keeps outcomes by persistent id; several crimes may share one)."""
    return db.execute(
        "SELECT o.crime_id, o.category, o.month FROM crime_outcome o JOIN street s ON s.id = o.crime_id "
        "WHERE s.persistent_id = ? ORDER BY o.month, o.crime_id, o.seq",
        (persistent_id,),
    ).fetchall()


def _expected(history) -> list[dict]:
    return [{"category": {"code": c, "name": API_NAMES[c]}, "date": m, "person_id": None} for _, c, m in history]


def test_outcomes_for_crime(release_client, db):
    crime = _crime_with_history(db)
    answer = release_client.get(f"/api/outcomes-for-crime/{crime['persistent_id']}").get_json()
    assert set(answer) == {"crime", "outcomes"}
    check_crime(answer["crime"], with_status=False)
    history = _history(db, crime["persistent_id"])
    assert (
        answer["crime"]["id"] == history[0]["crime_id"] and answer["crime"]["persistent_id"] == crime["persistent_id"]
    )
    assert answer["outcomes"] == _expected(history) and len(history) > 2


def test_outcomes_for_a_crime_id_several_crimes_share(release_client, db):
    pid = db.execute(
        "SELECT s.persistent_id FROM street s JOIN crime_outcome o ON o.crime_id = s.id "
        "GROUP BY s.persistent_id HAVING count(DISTINCT s.id) > 1 ORDER BY s.persistent_id LIMIT 1"
    ).fetchone()[0]
    history = _history(db, pid)
    answer = release_client.get(f"/api/outcomes-for-crime/{pid}").get_json()
    assert len({h["crime_id"] for h in history}) > 1
    assert answer["outcomes"] == _expected(history)
    assert answer["crime"]["id"] == history[0]["crime_id"] and answer["crime"]["persistent_id"] == pid


def test_outcomes_for_unknown_crime(release_client, db):
    crime = _crime_with_history(db)
    for wrong in ["0" * 64, crime["persistent_id"].upper(), "not-an-id"]:
        response = release_client.get(f"/api/outcomes-for-crime/{wrong}")
        assert response.status_code == 404
        assert wrong in response.get_data(as_text=True)


def _outcome_month(db):
    return db.execute("SELECT month FROM crime_outcome GROUP BY month ORDER BY count(*) DESC LIMIT 1").fetchone()[0]


def test_outcomes_at_location_by_point(release_client, db):
    month = _outcome_month(db)
    lat, lng = 51.515, -0.09
    answer = release_client.get(f"/api/outcomes-at-location?lat={lat}&lng={lng}&date={month}").get_json()
    rows = db.execute(
        "SELECT o.id, p.latitude, p.longitude FROM crime_outcome o JOIN street s ON s.id = o.crime_id "
        "JOIN map_point p ON p.id = s.map_point WHERE o.month = ?",
        (month,),
    )
    expected = sum(1 for r in rows if miles(lat, lng, r[1], r[2]) <= 1)
    assert expected and len(answer) == expected
    for entry in answer:
        assert set(entry) == {"category", "date", "person_id", "crime"}
        assert entry["date"] == month and entry["person_id"] is None
        assert entry["category"]["name"] == API_NAMES[entry["category"]["code"]]
        check_crime(entry["crime"], with_status=False)


def test_outcomes_at_location_by_id_and_poly_post(release_client, db):
    month = _outcome_month(db)
    point = db.execute(
        "SELECT s.map_point FROM crime_outcome o JOIN street s ON s.id = o.crime_id "
        "WHERE o.month = ? AND s.map_point IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
        (month,),
    ).fetchone()[0]
    by_id = release_client.get(f"/api/outcomes-at-location?location_id={point}&date={month}").get_json()
    assert by_id and {e["crime"]["location"]["street"]["id"] for e in by_id} == {point}
    lat, lng = db.execute("SELECT latitude, longitude FROM map_point WHERE id = ?", (point,)).fetchone()
    poly = f"{lat - 1e-4},{lng - 1e-4}:{lat + 1e-4},{lng - 1e-4}:{lat + 1e-4},{lng + 1e-4}:{lat - 1e-4},{lng + 1e-4}"
    posted = release_client.post("/api/outcomes-at-location", data={"poly": poly, "date": month}).get_json()
    assert {e["crime"]["id"] for e in by_id} <= {e["crime"]["id"] for e in posted}


def test_outcomes_at_location_errors(release_client, monkeypatch, db):
    month = _outcome_month(db)
    assert release_client.get(f"/api/outcomes-at-location?date={month}").status_code == 400
    assert release_client.get(f"/api/outcomes-at-location?location_id=3&date={month}").status_code == 404
    url = f"/api/outcomes-at-location?lat=51.515&lng=-0.09&date={month}"
    count = len(release_client.get(url).get_json())
    monkeypatch.setattr(views, "MAX_RESULTS", count - 1)
    response = release_client.get(url)
    assert response.status_code == 503 and "outcomes" in response.get_data(as_text=True)
