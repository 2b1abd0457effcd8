"""The OpenAPI document, the documentation page, /datasets and the error envelope."""

from __future__ import annotations

import re

import pytest

from gateway.api.datasets import DATASETS


def test_openapi_document(api):
    spec = api.json("/api/v1/openapi.json")
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for name in DATASETS:
        assert f"/api/v1/{name}" in paths and f"/api/v1/aggregates/{name}" in paths
    assert "/api/v1/datasets" in paths
    parameters = {p["name"] for p in paths["/api/v1/stop-and-search"]["get"]["parameters"]}
    assert {"from", "to", "borough", "ethnic_group", "officer_ethnic_group", "bbox", "poly", "_page", "_pageSize"} <= (
        parameters
    )
    responses = paths["/api/v1/street-crime"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "application/geo+json"} <= set(responses)
    assert "StreetCrimePage" in spec["components"]["schemas"]


def test_documentation_page_is_served_from_the_package(api):
    response = api.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "/api/v1/openapi.json" in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assets = [s for s in sources if s.endswith((".js", ".css"))]
    assert assets and all(s.startswith("/static/") for s in assets)
    for asset in assets:
        with api.get(asset) as served:
            assert served.status_code == 200


def test_datasets(api, sql, published_release):
    body = api.json("/api/v1/datasets")
    assert body["release"] == published_release.id
    assert body["base"] == "https://data.met.police.uk/"
    by_name = {d["name"]: d for d in body["datasets"]}
    assert set(by_name) == set(DATASETS)
    (crimes,) = sql("SELECT count(*) FROM street WHERE record = 'RecordedCrime'")[0]
    (asb,) = sql("SELECT count(*) FROM street WHERE record = 'AntiSocialBehaviourIncident'")[0]
    assert by_name["street-crime"]["count"] == crimes
    assert by_name["anti-social-behaviour"]["count"] == asb
    assert by_name["stop-and-search"]["counts"] == published_release.manifest["counts"]["stop-and-search"]
    assert by_name["street-crime"]["records"].endswith("/api/v1/street-crime")
    hrefs = {k: v["href"] for k, v in body["links"].items()}
    for path in ("/api/", "/sparql", "/catalog", "/downloads", "/def/policing", "/api/v1/openapi.json"):
        assert any(h.endswith(path) for h in hrefs.values()), path


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_other_methods_are_405_in_the_envelope(release_client, method):
    response = getattr(release_client, method)("/api/v1/street-crime")
    assert response.status_code == 405
    assert response.get_json()["error"]["status"] == 405
    assert "GET" in response.headers["Allow"]


def test_app_wide_envelope_still_applies_elsewhere(release_client):
    # flask-smorest would have replaced the app's handler for every HTTP error.
    response = release_client.get("/no-such-page")
    assert response.status_code == 404
    assert set(response.get_json()["error"]) == {"status", "title", "message"}
