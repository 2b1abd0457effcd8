"""forces, forces/{id}, crime-categories, crime-last-updated, crimes-street-dates."""

from gateway.internal import lookups


def test_forces_lists_every_force_but_btp(release_client):
    response = release_client.get("/api/forces")
    assert response.status_code == 200 and response.mimetype == "application/json"
    forces = response.get_json()
    assert len(forces) == 44
    assert all(set(f) == {"id", "name"} for f in forces)
    ids = {f["id"] for f in forces}
    assert {"metropolitan", "city-of-london", "northern-ireland", "kent"} <= ids
    assert "btp" not in ids
    assert {"id": "metropolitan", "name": "Metropolitan Police Service"} in forces
    assert {"id": "city-of-london", "name": "City of London Police"} in forces


def test_force_details(release_client):
    met = release_client.get("/api/forces/metropolitan").get_json()
    assert set(met) == {"description", "url", "engagement_methods", "telephone", "id", "name"}
    assert met["id"] == "metropolitan" and met["name"] == "Metropolitan Police Service"
    assert isinstance(met["engagement_methods"], list)
    # a force the release holds no data for answers like any force
    kent = release_client.get("/api/forces/kent").get_json()
    assert kent["name"] == lookups.FORCE_NAMES["kent"]


def test_unknown_force_is_404_and_says_so(release_client):
    response = release_client.get("/api/forces/atlantis")
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert "atlantis" in response.get_data(as_text=True)


def test_crime_categories(release_client):
    categories = release_client.get("/api/crime-categories?date=2024-01").get_json()
    assert len(categories) == 15
    assert categories[0] == {"url": "all-crime", "name": "All crime"}
    assert {"url": "violent-crime", "name": "Violence and sexual offences"} in categories
    assert release_client.get("/api/crime-categories").get_json() == categories


def test_crime_categories_cover_every_month(release_client, db):
    # police-api-client checks each crime's category against crime-categories?date=<its month>
    for (month,) in db.execute("SELECT DISTINCT month FROM street"):
        listed = {c["url"] for c in release_client.get(f"/api/crime-categories?date={month}").get_json()}
        used = {c for (c,) in db.execute("SELECT DISTINCT category FROM street WHERE month = ?", (month,))}
        assert used <= listed


def test_crime_categories_bad_date(release_client):
    response = release_client.get("/api/crime-categories?date=January")
    assert response.status_code == 400
    assert "YYYY-MM" in response.get_data(as_text=True)


def test_crime_last_updated_is_the_latest_month(release_client, db):
    latest = db.execute("SELECT max(month) FROM street").fetchone()[0]
    assert release_client.get("/api/crime-last-updated").get_json() == {"date": f"{latest}-01"}


def test_crimes_street_dates_newest_first_with_stop_forces(release_client, db):
    dates = release_client.get("/api/crimes-street-dates").get_json()
    months = [d["date"] for d in dates]
    assert months == sorted({m for (m,) in db.execute("SELECT DISTINCT month FROM street")}, reverse=True)
    assert all(set(d) == {"date", "stop-and-search"} for d in dates)
    stops = {
        m: sorted(f.split(","))
        for m, f in db.execute("SELECT month, group_concat(DISTINCT force) FROM stop_search GROUP BY month")
    }
    for entry in dates:
        assert entry["stop-and-search"] == stops.get(entry["date"], [])
    assert any(entry["stop-and-search"] for entry in dates)
