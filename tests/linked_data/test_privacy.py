"""No linked-data response carries anything a mapping does not publish (the CANARY check)."""

from __future__ import annotations

MARKER = "CANARY"


def test_no_page_document_or_header_leaks(release_client, sample):
    locals_ = ["/", "/def", "/def.nt", "/def/policing/context.jsonld", "/doc/crime/1", "/doc/crime/1.ttl"]
    for path in sample.all():
        locals_ += [f"/doc/{path}", f"/id/{path}"] + [f"/doc/{path}{ext}" for ext in (".ttl", ".jsonld", ".nt", ".rdf")]
    for local in locals_:
        response = release_client.get(local)
        assert response.status_code in (200, 303, 404), local
        assert MARKER not in response.get_data(as_text=True), local
        assert MARKER not in str(response.headers), local


def test_a_snap_point_with_records_does_not_leak(release_client, sample):
    point = sample.snap_point_with_records
    for local in (f"/doc/snap-point/{point}", f"/doc/snap-point/{point}.ttl"):
        assert MARKER not in release_client.get(local).get_data(as_text=True)
    for code in (sample.borough, sample.lsoa):
        kind = "borough" if code.startswith("E09") else "lsoa"
        assert MARKER not in release_client.get(f"/doc/{kind}/{code}").get_data(as_text=True)
