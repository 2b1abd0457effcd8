"""gateway/http.py: validators tied to the release, 304s, Cache-Control, gzip, CORS."""

from __future__ import annotations

import gzip
from email.utils import format_datetime, parsedate_to_datetime

import pytest

URL = "/api/v1/street-crime?_pageSize=100"


def test_release_validators_and_cache_control(release_client, published_release):
    response = release_client.get(URL)
    assert response.status_code == 200
    etag = response.headers["ETag"]
    assert etag.startswith('W/"') and published_release.id in etag
    assert parsedate_to_datetime(response.headers["Last-Modified"]) == published_release.created_at
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_if_none_match_gives_304_without_a_body(release_client):
    etag = release_client.get(URL).headers["ETag"]
    response = release_client.get(URL, headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.data == b""
    assert response.headers["ETag"] == etag
    assert release_client.get(URL, headers={"If-None-Match": 'W/"another-release"'}).status_code == 200
    assert release_client.head(URL, headers={"If-None-Match": etag}).status_code == 304


def test_each_representation_has_its_own_etag(release_client):
    as_json = release_client.get(URL).headers["ETag"]
    as_csv = release_client.get(URL, headers={"Accept": "text/csv"}).headers["ETag"]
    assert as_json != as_csv
    assert release_client.get(URL, headers={"Accept": "text/csv", "If-None-Match": as_json}).status_code == 200


def test_if_modified_since(release_client, published_release):
    since = format_datetime(published_release.created_at, usegmt=True)
    assert release_client.get(URL, headers={"If-Modified-Since": since}).status_code == 304
    before = format_datetime(published_release.created_at.replace(year=2000), usegmt=True)
    assert release_client.get(URL, headers={"If-Modified-Since": before}).status_code == 200


@pytest.mark.parametrize(
    "url", ["/api/v1/street-crime?_pageSize=0", "/api/v1/no-such-thing", "/no-such-page", "/api/v1/datasets?x=1"]
)
def test_errors_are_never_stored_and_carry_no_validator(release_client, url):
    response = release_client.get(url)
    assert response.status_code >= 400
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    body = response.get_json()
    assert set(body["error"]) >= {"status", "title", "message"}


def test_health_probes_are_not_cached(release_client):
    response = release_client.get("/healthz")
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers


def test_no_release_is_503_not_cached(client):
    response = client.get("/api/v1/datasets")
    assert response.status_code == 503
    assert response.headers["Cache-Control"] == "no-store"


def test_gzip_when_accepted(release_client):
    plain = release_client.get(URL)
    zipped = release_client.get(URL, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data) / 3
    assert "Accept-Encoding" in zipped.headers["Vary"]
    csv = release_client.get(URL + "&_format=csv", headers={"Accept-Encoding": "gzip"})
    assert csv.headers["Content-Encoding"] == "gzip"
    # A 304 for a gzip client still works (the weak tag survives compression).
    again = release_client.get(URL, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304


def test_cors_on_get_and_preflight(release_client):
    response = release_client.get(URL, headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = release_client.options(
        URL,
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    error = release_client.get("/api/v1/street-crime?bad=1", headers={"Origin": "https://example.org"})
    assert error.headers["Access-Control-Allow-Origin"] == "*"


def test_max_age_is_configurable(published_dir):
    from gateway import create_app
    from tests.conftest import RELEASE_KEY, UNLIMITED

    config = {"TESTING": True, "DATA_DIR": str(published_dir), "PSEUDONYM_KEY": RELEASE_KEY, **UNLIMITED}
    client = create_app({**config, "HTTP_MAX_AGE": 60}).test_client()
    assert client.get("/api/v1/datasets").headers["Cache-Control"] == "public, max-age=60"


def test_over_real_http(live_server):
    response = live_server.get("/api/v1/datasets", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert response.json()["datasets"]
    again = live_server.get("/api/v1/datasets", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_cors_keeps_what_an_interface_exposes(app):
    @app.get("/_exposes")
    def exposes():
        return "x", 200, {"Access-Control-Expose-Headers": "X-Own"}

    exposed = app.test_client().get("/_exposes").headers["Access-Control-Expose-Headers"]
    assert exposed.startswith("X-Own, ") and "ETag" in exposed


# --- CORS for the SPARQL endpoint's POST --------------------------------------------------

ORIGIN = {"Origin": "https://yasgui.example.org"}


@pytest.fixture(scope="module")
def served_app(published_dir, tmp_path_factory):
    """An app on the demo release whose SPARQL engine processes are closed after the module."""
    from gateway import create_app
    from tests.conftest import RELEASE_KEY, UNLIMITED

    app = create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(published_dir),
            "PSEUDONYM_KEY": RELEASE_KEY,
            "SPARQL_QUERY_LOG": "",
            "SPARQL_SLOTS_DIR": str(tmp_path_factory.mktemp("http-sparql-slots")),
            **UNLIMITED,
        }
    )
    yield app
    app.extensions["gateway.sparql"].backend.close()


def test_sparql_preflight_allows_post_with_a_content_type(served_app):
    preflight = served_app.test_client().options(
        "/sparql",
        headers={**ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    methods = [m.strip() for m in preflight.headers["Access-Control-Allow-Methods"].split(",")]
    assert "POST" in methods and "GET" in methods
    allowed = [h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")]
    assert "content-type" in allowed and "if-none-match" in allowed
    assert len(allowed) == len(set(allowed))  # merged with the endpoint's own list, not repeated


@pytest.mark.parametrize(
    "body",
    [
        {"data": "ASK { ?s ?p ?o }", "content_type": "application/sparql-query"},
        {"data": {"query": "ASK { ?s ?p ?o }"}},
        {"data": {"query": "ASK { ?s ?p "}},  # a syntax error is readable cross-origin too
    ],
)
def test_sparql_post_answers_may_be_read_cross_origin(served_app, body):
    response = served_app.test_client().post(
        "/sparql", headers={**ORIGIN, "Accept": "application/sparql-results+json"}, **body
    )
    assert response.status_code in (200, 400)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = response.headers["Access-Control-Expose-Headers"]
    assert "X-SPARQL-Truncated" in exposed and "ETag" in exposed


def test_other_interfaces_stay_get_only_cross_origin(release_client):
    preflight = release_client.options(
        "/api/v1/street-crime", headers={**ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert "POST" not in preflight.headers["Access-Control-Allow-Methods"]
    posted = release_client.post(
        "/api/crimes-street/all-crime", data={"lat": "51.5", "lng": "-0.1", "date": "2024-01"}, headers=ORIGIN
    )
    assert posted.status_code == 200 and "Access-Control-Allow-Origin" not in posted.headers


# --- 304 before the view runs ----------------------------------------------------------------

SHORT_CIRCUITED = {
    "/api/v1/street-crime?_pageSize=5": "api.street-crime-records",
    "/api/v1/datasets": "api.datasets",
    "/api/forces": "police_uk.forces_list",
    "/api/crimes-street/all-crime?lat=51.5&lng=-0.1&date=2024-01": "police_uk.crimes_street",
    "/doc/borough": "linked_data.document",
    "/catalog": "catalog.catalog",
    "/catalog.ttl": "catalog.catalog",
    "/sparql?query=ASK%20%7B%3Fs%20%3Fp%20%3Fo%7D": "sparql.endpoint",
}


@pytest.fixture(scope="module")
def counting_app(served_app):
    """``served_app`` with each view of SHORT_CIRCUITED counting its calls."""
    calls: dict[str, int] = {}
    for endpoint in set(SHORT_CIRCUITED.values()):
        view = served_app.view_functions[endpoint]

        def counting(*args, _view=view, _endpoint=endpoint, **kwargs):
            calls[_endpoint] = calls.get(_endpoint, 0) + 1
            return _view(*args, **kwargs)

        served_app.view_functions[endpoint] = counting
    return served_app, calls


@pytest.fixture
def counted(counting_app):
    """A client of the counting app, and how often each view ran in this test."""
    app, calls = counting_app
    calls.clear()
    return app.test_client(), calls


@pytest.mark.parametrize("url", list(SHORT_CIRCUITED))
def test_a_held_etag_is_answered_before_the_view_runs(counted, published_release, url):
    client, calls = counted
    endpoint = SHORT_CIRCUITED[url]
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and calls[endpoint] == 1
    etag = first.headers["ETag"]
    for method in (client.get, client.head):
        again = method(url, headers={"Accept-Encoding": "gzip", "If-None-Match": f'"other", {etag}'})
        assert again.status_code == 304 and again.data == b""
        assert calls[endpoint] == 1  # the view never ran
        assert again.headers["ETag"] == etag
        assert again.headers["Cache-Control"] == first.headers["Cache-Control"] == "public, max-age=300"
        vary = lambda r: {v.strip() for v in r.headers["Vary"].split(",")}  # noqa: E731
        assert vary(again) == vary(first) >= {"Accept", "Accept-Encoding"}
        assert again.headers["Access-Control-Allow-Origin"] == "*"
    # Another representation (Accept) or another URL does not match that tag.
    other = client.get(url, headers={"Accept": "text/turtle, */*;q=0.1", "If-None-Match": etag})
    assert other.status_code in (200, 406) and calls[endpoint] == 2
    assert other.headers.get("ETag") != etag
    elsewhere = client.get("/api/crime-categories", headers={"If-None-Match": etag})
    assert elsewhere.status_code == 200


def test_a_wildcard_or_stale_tag_runs_the_view(counted):
    client, calls = counted
    url = "/catalog"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 304  # matched after the view ran
    assert calls["catalog.catalog"] == 2
    stale = etag.replace("-", "-0", 1)
    assert client.get(url, headers={"If-None-Match": stale}).status_code == 200
    assert client.get("/no-such-page", headers={"If-None-Match": etag}).status_code == 404


def test_health_probes_and_downloads_are_not_short_circuited(release_client):
    probe = release_client.get("/healthz", headers={"If-None-Match": "*"})
    assert probe.status_code == 200 and "ETag" not in probe.headers
    listing = release_client.get("/downloads", headers={"Accept": "application/json"}).get_json()
    path = listing["files"][1]["path"]
    download = release_client.get(f"/downloads/{path}", headers={"Accept-Encoding": "gzip"})
    assert download.headers["ETag"].strip('"') == listing["files"][1]["sha256"]
    again = release_client.get(f"/downloads/{path}", headers={"If-None-Match": download.headers["ETag"]})
    again.close()
    download.close()
    assert again.status_code == 304 and again.headers["ETag"] == download.headers["ETag"]
