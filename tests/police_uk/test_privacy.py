"""No answer of /api/, errors included, carries anything a mapping does not publish."""

CANARY = "CANARY"


def _urls(db) -> list[str]:
    pid = db.execute("SELECT persistent_id FROM street WHERE persistent_id != '' LIMIT 1").fetchone()[0]
    point = db.execute("SELECT map_point FROM stop_search WHERE map_point IS NOT NULL LIMIT 1").fetchone()[0]
    crime_point = db.execute(
        "SELECT map_point FROM street WHERE month = '2024-01' AND map_point IS NOT NULL"
    ).fetchone()[0]
    stop_month = db.execute("SELECT month FROM stop_search LIMIT 1").fetchone()[0]
    return [
        "/api/forces",
        "/api/forces/metropolitan",
        "/api/forces/city-of-london",
        "/api/crime-categories?date=2024-01",
        "/api/crime-last-updated",
        "/api/crimes-street-dates",
        "/api/crimes-street/all-crime?lat=51.515&lng=-0.09&date=2024-01",
        "/api/crimes-street/all-crime?poly=51.2,-0.6:51.8,-0.6:51.8,0.4:51.2,0.4&date=2024-01",
        "/api/crimes-street/anti-social-behaviour?poly=51.2,-0.6:51.8,-0.6:51.8,0.4:51.2,0.4&date=2023-01",
        f"/api/crimes-at-location?location_id={crime_point}&date=2024-01",
        "/api/crimes-no-location?force=city-of-london&date=2024-01",
        "/api/crimes-no-location?force=metropolitan&date=2024-01",
        f"/api/outcomes-for-crime/{pid}",
        "/api/outcomes-at-location?poly=51.2,-0.6:51.8,-0.6:51.8,0.4:51.2,0.4&date=2024-02",
        f"/api/stops-street?poly=51.2,-0.6:51.8,-0.6:51.8,0.4:51.2,0.4&date={stop_month}",
        f"/api/stops-at-location?location_id={point}&date={stop_month}",
        f"/api/stops-no-location?force=metropolitan&date={stop_month}",
        f"/api/stops-force?force=metropolitan&date={stop_month}",
        # errors too
        "/api/forces/nowhere",
        "/api/crimes-street/all-crime?lat=x&lng=y",
        "/api/outcomes-for-crime/" + "f" * 64,
        "/api/crimes-at-location?location_id=1",
    ]


def test_no_canary_in_any_answer(release_client, db):
    seen = 0
    for url in _urls(db):
        response = release_client.get(url)
        body = response.get_data(as_text=True)
        assert CANARY not in body, url
        assert CANARY not in str(response.headers), url
        seen += len(body)
    assert seen > 1_000_000  # the answers really held the records
