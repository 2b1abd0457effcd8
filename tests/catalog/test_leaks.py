"""No page or download of the catalogue carries a private value (every one holds CANARY)."""

from __future__ import annotations

import gzip

from tests.catalog.conftest import fetch

MARKER = b"CANARY"
PAGES = [
    ("/catalog", "text/html"),
    ("/catalog", "text/turtle"),
    ("/catalog", "application/ld+json"),
    ("/catalog", "application/n-triples"),
    ("/catalog", "application/rdf+xml"),
    ("/.well-known/void", "text/turtle"),
    ("/.well-known/void", "application/ld+json"),
    ("/downloads", "text/html"),
    ("/downloads", "application/json"),
    ("/catalog.xyz", "text/html"),
    ("/downloads/nothing.csv", "text/html"),
]


def _clean(response) -> None:
    body = response.get_data()
    if response.mimetype == "application/gzip":
        body = gzip.decompress(body)
    assert MARKER not in body
    assert not any(MARKER.decode() in value for _, value in response.headers.items())


def test_no_page_leaks(release_client):
    for url, accept in PAGES:
        _clean(fetch(release_client, url, headers={"Accept": accept}))


def test_no_download_leaks(release_client, manifest):
    for entry in manifest["files"]:
        if entry["path"].startswith("dumps/"):
            response = fetch(release_client, f"/downloads/{entry['path']}")
            assert response.status_code == 200
            _clean(response)
