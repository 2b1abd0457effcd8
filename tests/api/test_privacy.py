"""Nothing a mapping does not publish leaves through /api/v1 (the demo's private values say CANARY)."""

from __future__ import annotations

import pytest

from gateway.api.datasets import DATASETS
from gateway.publish import tables

URLS = [
    "/api/v1/datasets",
    "/api/v1/openapi.json",
    "/api/v1/docs",
    *(f"/api/v1/{name}?_pageSize=500&_format={fmt}" for name in DATASETS for fmt in ("json", "csv")),
    "/api/v1/street-crime?_pageSize=500&_format=geojson",
    "/api/v1/stop-and-search?_pageSize=500&_format=geojson",
    "/api/v1/aggregates/stop-and-search?group=borough,self_defined_ethnicity",
    "/api/v1/aggregates/use-of-force?group=borough,gender&_format=csv",
    # Errors, which might echo what they were given or what a database said.
    "/api/v1/street-crime?category=probe",
    "/api/v1/stop-and-search?legislation=probe",
    "/api/v1/street-crime?probe=1",
    "/api/v1/aggregates/street-crime?group=probe",
    "/api/v1/street-crime?poly=probe",
]


@pytest.mark.parametrize("url", URLS)
def test_no_private_value_in_any_answer(api, url):
    response = api.get(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code < 500
    text = response.get_data(as_text=True)
    assert response.status_code == (400 if "probe" in url else 200)
    assert "CANARY" not in text
    assert "CANARY" not in str(response.headers)


def test_records_carry_only_published_columns():
    published = {c.name for table in tables.metadata.tables.values() for c in table.columns}
    published |= {"uri", "crime_uri", "crime_month", "crime_category", "borough_code"}
    for dataset in DATASETS.values():
        assert set(dataset.fields) <= published, dataset.name
