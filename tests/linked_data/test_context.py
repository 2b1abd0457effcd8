"""The JSON-LD context of the JSON API's records at /def/policing/context.jsonld."""

from __future__ import annotations

import json

from rdflib import URIRef
from sqlalchemy import select

from gateway.publish import tables

from .conftest import BASE
from .rdf import parse_rdf


def _expanded(client, record: dict) -> set:
    context = client.get("/def/policing/context.jsonld").get_json()
    return set(parse_rdf(json.dumps({**context, **record}), "json-ld"))


def test_the_context_is_served_as_json_ld(release_client):
    response = release_client.get("/def/policing/context.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    context = response.get_json()["@context"]
    assert context["uri"] == "@id"
    assert context["month"]["@id"] == f"{BASE}def/policing/month"


def test_a_crime_as_the_api_publishes_it_expands_to_the_statements_of_its_document(release_client, published_release):
    street = tables.street
    with published_release.engine.connect() as conn:
        row = conn.execute(
            select(street).where(street.c.record == "RecordedCrime", street.c.map_point.is_not(None)).limit(1)
        ).one()
    record = {
        "@type": "RecordedCrime",
        "uri": f"{BASE}id/crime/{row.id}",
        "crime_id": row.id,
        "persistent_id": row.persistent_id,
        "category": row.category,
        "month": row.month,
        "force": row.force,
        "lsoa_code": row.lsoa_code,
        "borough_code": row.borough_code,
        "last_outcome": row.last_outcome,
    }
    expanded = _expanded(release_client, {key: value for key, value in record.items() if value is not None})
    document = set(parse_rdf(release_client.get(f"/doc/crime/{row.id}.nt").get_data(as_text=True), "nt"))
    subject = URIRef(record["uri"])
    properties = {p for s, p, o in expanded if s == subject}
    assert URIRef(f"{BASE}def/policing/category") in properties
    assert URIRef(f"{BASE}def/policing/reportedBy") in properties
    assert len(expanded) >= 7
    assert expanded <= document, expanded - document


def test_a_stop_as_the_api_publishes_it_expands_without_type_clashes(release_client, published_release):
    stops = tables.stop_search
    with published_release.engine.connect() as conn:
        row = conn.execute(select(stops).where(stops.c.borough_code.is_not(None)).limit(1)).one()
    uri = URIRef(f"{BASE}id/stop-and-search/{row.id}")
    expanded = _expanded(
        release_client,
        {"uri": str(uri), "type": row.type, "borough_code": row.borough_code, "datetime": row.datetime},
    )
    pol = f"{BASE}def/policing/"
    assert (
        uri,
        URIRef(pol + "borough"),
        URIRef(f"http://statistics.data.gov.uk/id/statistical-geography/{row.borough_code}"),
    ) in expanded
    assert any(p == URIRef(pol + "searchType") for _, p, _ in expanded)
    assert not any(str(p).endswith("#type") for _, p, _ in expanded)
