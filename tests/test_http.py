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
