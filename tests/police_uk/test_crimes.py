"""crimes-street (point and polygon, GET and POST), crimes-at-location, crimes-no-location."""

import math

import pytest

from gateway.police_uk import params, views

from .conftest import check_crime, miles

CITY = (51.515, -0.09)
POLY = "51.505,-0.10:51.525,-0.10:51.525,-0.075:51.505,-0.075"


def _inside(poly: str, lat: float, lng: float) -> bool:
    vertices = [tuple(map(float, p.split(","))) for p in poly.split(":")]
    inside, j = False, len(vertices) - 1
    for i, (yi, xi) in enumerate(vertices):
        yj, xj = vertices[j]
        if (yi > lat) != (yj > lat) and lng < xi + (lat - yi) * (xj - xi) / (yj - yi):
            inside = not inside
        j = i
    return inside


def _located(db, month, category=None):
    sql = "SELECT s.*, p.latitude, p.longitude FROM street s JOIN map_point p ON p.id = s.map_point WHERE s.month = ?"
    rows = db.execute(sql, (month,)).fetchall()
    return [r for r in rows if category is None or r["category"] == category]


@pytest.mark.parametrize("month", ["2024-01", "2023-06"])
def test_point_returns_every_crime_within_a_mile(release_client, db, month):
    lat, lng = CITY
    answer = release_client.get(f"/api/crimes-street/all-crime?lat={lat}&lng={lng}&date={month}").get_json()
    expected = {r["id"] for r in _located(db, month) if miles(lat, lng, r["latitude"], r["longitude"]) <= 1}
    assert expected and {c["id"] for c in answer} == expected
    assert len(answer) == len(expected)
    for crime in answer:
        check_crime(crime)
        assert crime["month"] == month


def test_values_match_the_published_row(release_client, db):
    answer = release_client.get("/api/crimes-street/all-crime?lat=51.515&lng=-0.09&date=2024-01").get_json()
    by_id = {c["id"]: c for c in answer}
    sql = (
        "SELECT s.*, p.latitude, p.longitude, coalesce(s.street_name, p.street_name) AS name "
        "FROM street s JOIN map_point p ON p.id = s.map_point"
    )
    ids = list(by_id)[:50]
    rows = db.execute(sql + f" WHERE s.id IN ({','.join('?' * len(ids))})", ids).fetchall()
    assert len(rows) == len(ids)
    for row in rows:
        crime = by_id[row["id"]]
        assert crime["category"] == row["category"]
        assert crime["persistent_id"] == row["persistent_id"]
        assert crime["location"]["street"] == {"id": row["map_point"], "name": f"On or near {row['name']}"}
        assert float(crime["location"]["latitude"]) == pytest.approx(row["latitude"], abs=5e-7)
        assert float(crime["location"]["longitude"]) == pytest.approx(row["longitude"], abs=5e-7)
        if row["last_outcome"]:
            assert crime["outcome_status"]["date"] == row["last_outcome_month"]
        else:
            assert crime["outcome_status"] is None


def test_category_filter_and_unknown_category(release_client, db):
    base = "/api/crimes-street/{}?lat=51.515&lng=-0.09&date=2024-01"
    burglaries = release_client.get(base.format("burglary")).get_json()
    expected = {
        r["id"] for r in _located(db, "2024-01", "burglary") if miles(51.515, -0.09, r["latitude"], r["longitude"]) <= 1
    }
    assert {c["id"] for c in burglaries} == expected and expected
    everything = release_client.get(base.format("all-crime")).get_json()
    # an unknown slug widens to all crime, as upstream does (the R client relies on it)
    assert release_client.get(base.format("outcomes-at-location")).get_json() == everything


def test_date_defaults_to_the_latest_month(release_client, db):
    latest = db.execute("SELECT max(month) FROM street").fetchone()[0]
    answer = release_client.get("/api/crimes-street/all-crime?lat=51.515&lng=-0.09").get_json()
    assert answer and {c["month"] for c in answer} == {latest}


def test_months_outside_the_data(release_client):
    before = release_client.get("/api/crimes-street/all-crime?lat=51.515&lng=-0.09&date=2001-01")
    assert before.status_code == 404 and "2001-01" in before.get_data(as_text=True)
    after = release_client.get("/api/crimes-street/all-crime?lat=51.515&lng=-0.09&date=2099-01")
    assert after.status_code == 200 and after.get_json() == []


def test_point_outside_coverage_is_empty(release_client):
    assert release_client.get("/api/crimes-street/all-crime?lat=53.48&lng=-2.24&date=2024-01").get_json() == []


def test_polygon_by_get_and_by_post_form(release_client, db):
    got = release_client.get(f"/api/crimes-street/all-crime?poly={POLY}&date=2024-01").get_json()
    posted = release_client.post("/api/crimes-street/all-crime", data={"poly": POLY, "date": "2024-01"}).get_json()
    assert got == posted
    expected = {r["id"] for r in _located(db, "2024-01") if _inside(POLY, r["latitude"], r["longitude"])}
    assert expected and {c["id"] for c in got} == expected


def test_post_point_form(release_client):
    posted = release_client.post(
        "/api/crimes-street/all-crime", data={"lat": "51.515", "lng": "-0.09", "date": "2024-01"}
    )
    got = release_client.get("/api/crimes-street/all-crime?lat=51.515&lng=-0.09&date=2024-01")
    assert posted.get_json() == got.get_json()


def test_too_many_crimes_is_503(release_client, monkeypatch):
    url = "/api/crimes-street/all-crime?lat=51.515&lng=-0.09&date=2024-01"
    count = len(release_client.get(url).get_json())
    monkeypatch.setattr(views, "MAX_RESULTS", count - 1)
    response = release_client.get(url)
    assert response.status_code == 503
    assert f"{count:,}" in response.get_data(as_text=True)
    monkeypatch.setattr(views, "MAX_RESULTS", count)
    assert release_client.get(url).status_code == 200


def _ring(points: int, closed: bool = False) -> str:
    """A poly of ``points`` distinct points round the City (about 1 km across)."""
    turns = [2 * math.pi * i / points for i in range(points)]
    ring = [f"{51.515 + 0.005 * math.sin(t):.10f},{-0.09 + 0.008 * math.cos(t):.10f}" for t in turns]
    return ":".join(ring + ring[:1] if closed else ring)


@pytest.mark.parametrize("path", ["/api/crimes-street/all-crime", "/api/outcomes-at-location", "/api/stops-street"])
def test_poly_points_are_capped_with_a_clear_400(release_client, path):
    """100,000 points took 13 s; now at most MAX_POLY_POINTS (10,000), said in a 400."""
    for points in (params.MAX_POLY_POINTS + 1, 100_000):
        response = release_client.post(path, data={"poly": _ring(points), "date": "2024-01"})
        assert response.status_code == 400 and response.mimetype == "text/plain"
        assert response.get_data(as_text=True) == (
            f"400 Bad Request: poly has {points:,} points, more than the 10,000 allowed: simplify the area's outline\n"
        )
    # the cap itself, written closed (its first point again at the end), is served
    at_cap = release_client.post(path, data={"poly": _ring(params.MAX_POLY_POINTS, closed=True), "date": "2024-01"})
    assert at_cap.status_code == 200


def test_a_detailed_boundary_finds_what_a_simple_one_does(release_client):
    """A 10,000-point ring and the same circle drawn with 2,000 points hold the same crimes
    (the points are within millimetres of each other here, far from any map point)."""
    fine = release_client.post("/api/crimes-street/all-crime", data={"poly": _ring(10_000), "date": "2024-01"})
    coarse = release_client.post("/api/crimes-street/all-crime", data={"poly": _ring(2_000), "date": "2024-01"})
    assert fine.status_code == coarse.status_code == 200
    assert fine.get_json() and {c["id"] for c in fine.get_json()} == {c["id"] for c in coarse.get_json()}


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("lat=51.5", "lng is missing"),
        ("lng=-0.1", "lat is missing"),
        ("", "give lat and lng"),
        ("lat=north&lng=-0.1", "lat must be a number"),
        ("lat=95&lng=-0.1", "between -90 and 90"),
        ("lat=51.5&lng=-0.1&date=2024-1", "YYYY-MM"),
        ("lat=nan&lng=-0.1", "lat"),
        ("poly=51.5,-0.1:51.6,-0.1", "at least 3"),
        ("poly=51.5,-0.1:51.6:51.6,-0.2", "point 2"),
        ("poly=51.5;-0.1", "lat,lng pairs"),
        ("poly=91,-0.1:51.6,-0.1:51.6,-0.2", "point 1"),
    ],
)
def test_bad_parameters_are_400_and_say_what(release_client, query, words):
    response = release_client.get(f"/api/crimes-street/all-crime?{query}")
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)


def test_crimes_at_location(release_client, db):
    point, month = db.execute(
        "SELECT map_point, month FROM street WHERE map_point IS NOT NULL GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    answer = release_client.get(f"/api/crimes-at-location?location_id={point}&date={month}").get_json()
    expected = {r[0] for r in db.execute("SELECT id FROM street WHERE map_point = ? AND month = ?", (point, month))}
    assert {c["id"] for c in answer} == expected
    for crime in answer:
        check_crime(crime)
        assert crime["location"]["street"]["id"] == point
    # by lat/lng: the nearest location's crimes
    lat, lng = db.execute("SELECT latitude, longitude FROM map_point WHERE id = ?", (point,)).fetchone()
    near = release_client.get(f"/api/crimes-at-location?lat={lat + 0.00001}&lng={lng}&date={month}").get_json()
    assert near == answer


def test_crimes_at_unknown_location(release_client):
    response = release_client.get("/api/crimes-at-location?location_id=12&date=2024-01")
    assert response.status_code == 404 and "12" in response.get_data(as_text=True)
    assert release_client.get("/api/crimes-at-location?date=2024-01").status_code == 400
    assert release_client.get("/api/crimes-at-location?location_id=x").status_code == 400


@pytest.mark.parametrize("location_id", [2**31, 2**63 - 1, 2**63, 10**30])
def test_location_ids_beyond_any_map_point_are_unknown_not_500(release_client, location_id):
    """9223372036854775808 overflowed the database driver (a 500); it names no location."""
    for method in ("crimes-at-location", "outcomes-at-location"):
        response = release_client.get(f"/api/{method}?location_id={location_id}&date=2024-01")
        assert response.status_code == 404, (method, response.get_data(as_text=True))
        assert f"no location with id {location_id}" in response.get_data(as_text=True)
    # upstream answers [] for an unknown location here
    response = release_client.get(f"/api/stops-at-location?location_id={location_id}&date=2022-09")
    assert response.status_code == 200 and response.get_json() == []


def test_crimes_no_location(release_client, db):
    month = "2024-01"
    answer = release_client.get(
        f"/api/crimes-no-location?force=city-of-london&category=all-crime&date={month}"
    ).get_json()
    expected = {
        r[0]
        for r in db.execute(
            "SELECT id FROM street WHERE map_point IS NULL AND force = 'city-of-london' AND month = ?", (month,)
        )
    }
    assert expected and {c["id"] for c in answer} == expected
    for crime in answer:
        check_crime(crime)
        assert crime["location"] is None and crime["location_type"] is None
    drugs = release_client.get(f"/api/crimes-no-location?force=city-of-london&category=drugs&date={month}").get_json()
    assert {c["category"] for c in drugs} <= {"drugs"}


def test_crimes_no_location_forces(release_client):
    # a force without data in the release: empty, like upstream; an unknown one: 404
    assert release_client.get("/api/crimes-no-location?force=kent&date=2024-01").get_json() == []
    assert release_client.get("/api/crimes-no-location?force=btp&date=2024-01").get_json() == []
    unknown = release_client.get("/api/crimes-no-location?force=gotham&date=2024-01")
    assert unknown.status_code == 404 and "gotham" in unknown.get_data(as_text=True)
    missing = release_client.get("/api/crimes-no-location?date=2024-01")
    assert missing.status_code == 400 and "force" in missing.get_data(as_text=True)
