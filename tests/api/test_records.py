"""Record endpoints on the demo release: answers checked against the published tables."""

from __future__ import annotations

import csv
import io

import pyoxigraph
import pytest

from gateway.api.datasets import DATASETS
from gateway.api.values import group_of_spelling
from gateway.queries.geometry import Polygon

BASE = "https://data.met.police.uk/"
TABLE = {
    "street-crime": "street WHERE record = 'RecordedCrime'",
    "anti-social-behaviour": "street WHERE record = 'AntiSocialBehaviourIncident'",
    "outcomes": "crime_outcome",
    "stop-and-search": "stop_search",
    "use-of-force": "use_of_force",
}
URI = {
    "street-crime": "crime/{id}",
    "anti-social-behaviour": "anti-social-behaviour/{id}",
    "outcomes": "crime/{crime_id}/outcome/{id}",
    "stop-and-search": "stop-and-search/{id}",
    "use-of-force": "use-of-force/{id}",
}


@pytest.mark.parametrize("name", DATASETS)
def test_first_page_counts_fields_and_uris(api, sql, published_release, name):
    body = api.json(f"/api/v1/{name}?_pageSize=7")
    (total,) = sql(f"SELECT count(*) FROM {TABLE[name]}")[0]
    assert body["total"] == total > 0
    assert body["dataset"] == name and body["release"] == published_release.id
    assert len(body["items"]) == 7 and body["page"] == 1 and body["prev"] is None
    assert "_page=2" in body["next"]
    store = pyoxigraph.Store.read_only(str(published_release.store_path))
    for item in body["items"]:
        assert set(item) == set(DATASETS[name].fields)
        assert item["uri"] == BASE + "id/" + URI[name].format(**item)
        # The URI is the subject the RDF store describes.
        assert list(store.quads_for_pattern(pyoxigraph.NamedNode(item["uri"]), None, None, None))


def test_link_header_names_the_json_ld_context(api):
    response = api.get("/api/v1/street-crime?_pageSize=1")
    assert '</def/policing/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"' in response.headers["Link"]
    assert 'rel="next"' in response.headers["Link"]
    assert "Accept" in response.headers["Vary"]


def test_pages_are_disjoint_and_cover_the_records(api, sql):
    pages = [api.json(f"/api/v1/use-of-force?_page={n}&_pageSize=500") for n in (1, 2)]
    ids = [item["id"] for page in pages for item in page["items"]]
    assert len(ids) == len(set(ids)) == 1000
    first = pages[0]["items"]
    assert [i["month"] for i in first] == sorted((i["month"] for i in first), reverse=True)
    (total,) = sql("SELECT count(*) FROM use_of_force")[0]
    last = -(-total // 500)
    final = api.json(f"/api/v1/use-of-force?_page={last}&_pageSize=500")
    assert final["next"] is None and len(final["items"]) == total - 500 * (last - 1)
    assert api.json(f"/api/v1/use-of-force?_page={last + 1}&_pageSize=500")["items"] == []


def test_sorting(api):
    items = api.json("/api/v1/street-crime?_sort=category,-month&_pageSize=300&from=2024-01&to=2024-02")["items"]
    keys = [(i["category"], i["month"]) for i in items]
    assert keys == sorted(keys, key=lambda k: (k[0], [-ord(c) for c in k[1]]))
    items = api.json("/api/v1/stop-and-search?_sort=datetime&_pageSize=50")["items"]
    assert [i["datetime"] for i in items] == sorted(i["datetime"] for i in items)


def test_month_range_borough_and_category(api, sql):
    url = "/api/v1/street-crime?from=2024-01&to=2024-02&category=burglary&borough=E09000001&_pageSize=500"
    body = api.json(url)
    expected = sql(
        "SELECT count(*) FROM street WHERE record = 'RecordedCrime' AND month BETWEEN '2024-01' AND '2024-02' "
        "AND category = 'burglary' AND borough_code = 'E09000001'"
    )[0][0]
    assert body["total"] == expected > 0
    assert all(i["category"] == "burglary" and "2024-01" <= i["month"] <= "2024-02" for i in body["items"])


def test_a_value_may_be_a_label_or_a_notation(api):
    by_label = api.json("/api/v1/stop-and-search?legislation=Misuse of Drugs Act 1971 (section 23)&_pageSize=1")
    by_notation = api.json("/api/v1/stop-and-search?legislation=misuse-of-drugs-act-1971-s23&_pageSize=1")
    assert by_label["total"] == by_notation["total"] > 0
    assert by_label["items"][0]["legislation"] == "Misuse of Drugs Act 1971 (section 23)"


def test_repeated_values_are_any_of(api):
    one = api.json("/api/v1/street-crime?category=burglary&_pageSize=1")["total"]
    two = api.json("/api/v1/street-crime?category=drugs&_pageSize=1")["total"]
    both = api.json("/api/v1/street-crime?category=burglary&category=drugs&_pageSize=1")["total"]
    assert both == one + two and one and two


@pytest.mark.parametrize(
    ("param", "column", "scheme"),
    [
        ("ethnic_group", "self_defined_ethnicity", "self-defined-ethnicity"),
        ("officer_ethnic_group", "officer_defined_ethnicity", "officer-defined-ethnicity"),
    ],
)
def test_five_group_ethnicity(api, sql, param, column, scheme):
    groups = group_of_spelling(scheme, BASE)
    values = [row[0] for row in sql(f"SELECT {column} FROM stop_search")]
    expected = sum(1 for v in values if groups.get(v) == "black")
    body = api.json(f"/api/v1/stop-and-search?{param}=black&_pageSize=100")
    assert body["total"] == expected > 0
    assert all(groups[item[column]] == "black" for item in body["items"])


@pytest.mark.parametrize("param", ["perceived_ethnicity", "ethnic_group", "age_band", "gender"])
def test_use_of_force_records_neither_filter_by_nor_show_the_subject(api, param):
    """The subject's characteristics are counted only (the aggregates), never listed."""
    value = {"ethnic_group": "asian", "age_band": "18 - 34 years", "gender": "female"}.get(param, "White")
    error = api.error(f"/api/v1/use-of-force?{param}={value}&_pageSize=1")
    assert f"{param}: Unknown field" in error["message"] or param in error["errors"]
    body = api.json("/api/v1/use-of-force?location_type=street-highway&_pageSize=100")
    assert body["total"] > 0
    protected = {"perceived_ethnicity", "age_band", "gender", "physical_disability", "mental_disability"}
    assert all(not protected & set(item) for item in body["items"])
    csv_text = api.get("/api/v1/use-of-force?_pageSize=5&_format=csv").get_data(as_text=True)
    assert not protected & set(csv_text.splitlines()[0].split(","))


def test_bbox_and_polygon(api):
    box = api.json("/api/v1/street-crime?bbox=-0.095,51.51,-0.08,51.52&_pageSize=500")
    assert box["total"] > 0
    assert all(51.51 <= i["latitude"] <= 51.52 and -0.095 <= i["longitude"] <= -0.08 for i in box["items"])
    triangle = [(51.51, -0.095), (51.52, -0.095), (51.51, -0.08)]
    poly = ":".join(f"{lat},{lng}" for lat, lng in triangle)
    inside = api.json(f"/api/v1/street-crime?poly={poly}&_pageSize=500")
    assert 0 < inside["total"] < box["total"]
    assert all(Polygon(tuple(triangle)).contains(i["latitude"], i["longitude"]) for i in inside["items"])
    far = api.json("/api/v1/street-crime?poly=10,10:10.1,10:10,10.1")
    assert far["total"] == 0 and far["items"] == []


def test_csv_by_accept_and_by_format(api):
    for kwargs, url in (
        ({"headers": {"Accept": "text/csv"}}, "/api/v1/outcomes?_pageSize=20"),
        ({}, "/api/v1/outcomes?_pageSize=20&_format=csv"),
    ):
        response = api.get(url, **kwargs)
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert len(rows) == 20
        assert list(rows[0]) == list(DATASETS["outcomes"].fields)
        assert rows[0]["crime_uri"].startswith(BASE + "id/crime/")


def test_geojson(api):
    response = api.get("/api/v1/stop-and-search?_pageSize=30", headers={"Accept": "application/geo+json"})
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    body = response.get_json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 30
    located = [f for f in body["features"] if f["geometry"]]
    assert located
    for feature in located:
        lon, lat = feature["geometry"]["coordinates"]
        assert 51 < lat < 52 and -1 < lon < 1
        assert feature["id"] == feature["properties"]["uri"]


def test_use_of_force_has_no_geojson(api):
    error = api.error("/api/v1/use-of-force?_format=geojson")
    assert "_format" in error["message"]
    assert api.get("/api/v1/use-of-force", headers={"Accept": "application/geo+json"}).status_code == 406


@pytest.mark.parametrize(
    ("url", "names"),
    [
        ("/api/v1/street-crime?colour=red", ["colour", "unknown parameter"]),
        ("/api/v1/street-crime?from=2024-13", ["from", "YYYY-MM"]),
        ("/api/v1/street-crime?from=2024-03&to=2024-01", ["'from' (2024-03) is after 'to' (2024-01)"]),
        ("/api/v1/street-crime?borough=Westminster", ["borough", "GSS"]),
        ("/api/v1/street-crime?lsoa=E09000001", ["lsoa", "GSS"]),
        ("/api/v1/street-crime?category=stealing", ["category", "'stealing' is not a value of crime-category"]),
        ("/api/v1/street-crime?outcome=prison", ["outcome", "crime-outcome"]),
        ("/api/v1/stop-and-search?ethnic_group=purple", ["ethnic_group", "Must be one of"]),
        ("/api/v1/stop-and-search?age_range=ancient", ["age_range", "age-band/stop-search"]),
        ("/api/v1/stop-and-search?object_of_search=cake", ["object_of_search", "search-object"]),
        ("/api/v1/street-crime?bbox=1,2,3", ["bbox", "four numbers"]),
        ("/api/v1/street-crime?bbox=0,52,-1,51", ["bbox", "min < max"]),
        ("/api/v1/street-crime?poly=51.5,-0.1:51.6,-0.1", ["poly", "between 3 and 100"]),
        ("/api/v1/street-crime?poly=51.5,-0.1:foo:51.6,-0.2", ["poly", "'foo' is not a point"]),
        ("/api/v1/street-crime?poly=95,0:96,0:95,1", ["poly", "latitude"]),
        ("/api/v1/street-crime?_pageSize=501", ["_pageSize"]),
        ("/api/v1/street-crime?_pageSize=0", ["_pageSize"]),
        ("/api/v1/street-crime?_page=0", ["_page"]),
        ("/api/v1/street-crime?_page=two", ["_page", "integer"]),
        ("/api/v1/street-crime?_sort=colour", ["_sort", "Must be one of"]),
        ("/api/v1/use-of-force?bbox=-1,51,0,52", ["bbox", "unknown parameter"]),
        ("/api/v1/anti-social-behaviour?outcome=no-further-action", ["outcome", "unknown parameter"]),
    ],
)
def test_bad_parameters_are_400_saying_which(api, url, names):
    error = api.error(url)
    for name in names:
        assert name in error["message"]


def test_page_size_cap_is_configurable(published_dir):
    from gateway import create_app
    from tests.conftest import RELEASE_KEY, UNLIMITED

    app = create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(published_dir),
            "PSEUDONYM_KEY": RELEASE_KEY,
            "API_MAX_PAGE_SIZE": 10,
            **UNLIMITED,
        }
    )
    client = app.test_client()
    response = client.get("/api/v1/street-crime?_pageSize=11")
    assert response.status_code == 400
    assert "at most 10" in response.get_json()["error"]["message"]
    assert client.get("/api/v1/street-crime").get_json()["pageSize"] == 10


def test_not_acceptable(api):
    error = api.error("/api/v1/street-crime", 406, headers={"Accept": "image/png"})
    assert "text/csv" in error["message"]


def test_booleans_are_booleans_in_csv_and_geojson(api):
    text = api.get("/api/v1/use-of-force?_pageSize=50&_format=csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["subject_injured"] for r in rows} <= {"true", "false"}
    features = api.json("/api/v1/stop-and-search?_pageSize=50&_format=geojson")["features"]
    assert {f["properties"]["operation"] for f in features} <= {True, False, None}
