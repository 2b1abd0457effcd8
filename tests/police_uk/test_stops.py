"""stops-street, stops-at-location, stops-no-location, stops-force."""

import json

from gateway.archive.publish import publish_archive
from tests.archive.conftest import KEY, STOPS, serving, write

from .conftest import check_stop, miles

# A real stops-force record, verbatim (force=city-of-london&date=2023-01; police-uk-api.md
# section 7.1), and the stop-and-search file row it was published from.
UPSTREAM_STOP = """{"age_range": "18-24", "outcome": "Arrest", "involved_person": true,
 "self_defined_ethnicity": "Black/African/Caribbean/Black British - Any other Black/African/Caribbean background",
 "gender": "Male", "legislation": "Misuse of Drugs Act 1971 (section 23)",
 "outcome_linked_to_object_of_search": true, "datetime": "2023-01-04T14:04:52+00:00",
 "removal_of_more_than_outer_clothing": false,
 "outcome_object": {"id": "bu-arrest", "name": "Arrest"},
 "location": {"latitude": "51.508281", "street": {"id": 1694105, "name": "On or near "}, "longitude": "-0.018434"},
 "operation": null, "officer_defined_ethnicity": "Black", "type": "Person search",
 "operation_name": null, "object_of_search": "Controlled drugs"}"""
UPSTREAM_ROW = (
    "Person search,2023-01-04T14:04:52+00:00,,,51.508281,-0.018434,Male,18-24,"
    "Black/African/Caribbean/Black British - Any other Black/African/Caribbean background,Black,"
    "Misuse of Drugs Act 1971 (section 23),Controlled drugs,Arrest,True,False"
)
UPSTREAM_KEYS = list(json.loads(UPSTREAM_STOP))


def _month(db):
    return db.execute("SELECT month FROM stop_search GROUP BY month ORDER BY count(*) DESC LIMIT 1").fetchone()[0]


def test_stops_street_by_point_get_and_post(release_client, db):
    month = _month(db)
    lat, lng = 51.5, -0.1
    got = release_client.get(f"/api/stops-street?lat={lat}&lng={lng}&date={month}").get_json()
    rows = db.execute(
        "SELECT st.id, p.latitude, p.longitude FROM stop_search st JOIN map_point p ON p.id = st.map_point "
        "WHERE st.month = ?",
        (month,),
    )
    expected = sum(1 for r in rows if miles(lat, lng, r[1], r[2]) <= 1)
    assert expected and len(got) == expected
    for stop in got:
        check_stop(stop)
        assert stop["location"] is not None
    posted = release_client.post("/api/stops-street", data={"lat": lat, "lng": lng, "date": month}).get_json()
    assert posted == got


def test_stops_street_values(release_client, db):
    month = _month(db)
    stops = release_client.get(f"/api/stops-street?lat=51.5&lng=-0.1&date={month}").get_json()
    by_key = {(s["datetime"], s["location"]["street"]["id"], s["type"], s["outcome"]) for s in stops}
    sample = db.execute(
        "SELECT datetime, map_point, type, coalesce(outcome, '') FROM stop_search WHERE month = ? "
        "AND map_point IN ({})".format(",".join(str(s["location"]["street"]["id"]) for s in stops[:20])),
        (month,),
    ).fetchall()
    assert sample and all(tuple(r) in by_key for r in sample)
    outcomes = {s["outcome_object"]["id"] for s in stops}
    assert "bu-no-further-action" in outcomes and "bu-arrest" in outcomes


def test_stops_street_by_poly(release_client, db):
    month = _month(db)
    poly = "51.49,-0.12:51.51,-0.12:51.51,-0.08:51.49,-0.08"
    got = release_client.get(f"/api/stops-street?poly={poly}&date={month}").get_json()
    expected = db.execute(
        "SELECT count(*) FROM stop_search st JOIN map_point p ON p.id = st.map_point WHERE st.month = ? "
        "AND p.latitude BETWEEN 51.49 AND 51.51 AND p.longitude BETWEEN -0.12 AND -0.08",
        (month,),
    ).fetchone()[0]
    assert expected and len(got) == expected


def test_stops_at_location(release_client, db):
    month = _month(db)
    point, count = db.execute(
        "SELECT map_point, count(*) FROM stop_search WHERE month = ? AND map_point IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
        (month,),
    ).fetchone()
    got = release_client.get(f"/api/stops-at-location?location_id={point}&date={month}").get_json()
    assert len(got) == count and {s["location"]["street"]["id"] for s in got} == {point}
    posted = release_client.post("/api/stops-at-location", data={"location_id": point, "date": month}).get_json()
    assert posted == got
    # an unknown location has no stops: upstream answers [] here
    assert release_client.get(f"/api/stops-at-location?location_id=5&date={month}").get_json() == []
    assert release_client.get(f"/api/stops-at-location?date={month}").status_code == 400


def test_stops_force_and_no_location(release_client, db):
    month = _month(db)
    everything = release_client.get(f"/api/stops-force?force=metropolitan&date={month}").get_json()
    total, unlocated = db.execute(
        "SELECT count(*), count(*) - count(map_point) FROM stop_search WHERE month = ? AND force = 'metropolitan'",
        (month,),
    ).fetchone()
    assert len(everything) == total
    assert sum(1 for s in everything if s["location"] is None) == unlocated > 0
    for stop in everything[:500]:
        check_stop(stop)
    no_location = release_client.get(f"/api/stops-no-location?force=metropolitan&date={month}").get_json()
    assert len(no_location) == unlocated and all(s["location"] is None for s in no_location)
    assert [s["datetime"] for s in everything] == sorted(s["datetime"] for s in everything)
    assert all(list(stop) == UPSTREAM_KEYS for stop in everything + no_location), "upstream's key order"


def test_stops_of_forces_without_data_or_unknown(release_client, db):
    month = _month(db)
    assert release_client.get(f"/api/stops-force?force=kent&date={month}").get_json() == []
    assert release_client.get(f"/api/stops-no-location?force=city-of-london&date={month}").get_json() == []
    assert release_client.get(f"/api/stops-force?force=narnia&date={month}").status_code == 404
    assert release_client.get(f"/api/stops-force?date={month}").status_code == 400
    # without a date: the latest month, even when the force has no stops in it (as upstream)
    assert release_client.get("/api/stops-force?force=metropolitan").get_json() == []


def test_stops_force_gives_the_upstream_record(tmp_path):
    """The record, key for key and in upstream's order (the map point id is ours);
    an empty "Part of a policing operation" is null, not false."""
    folder = tmp_path / "archive"
    write(folder, "2023-01-city-of-london-stop-and-search.csv", STOPS, [UPSTREAM_ROW])
    client = serving(publish_archive(folder, tmp_path / "releases", key=KEY), tmp_path)
    body = client.get("/api/stops-force?force=city-of-london&date=2023-01").get_data(as_text=True)
    [ours] = json.loads(body)
    theirs = UPSTREAM_STOP.replace('"id": 1694105', f'"id": {ours["location"]["street"]["id"]}')
    assert json.loads(body, object_pairs_hook=list) == [json.loads(theirs, object_pairs_hook=list)]
