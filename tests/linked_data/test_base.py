"""A release published under another base: the same paths serve its IRIs, pages link locally."""

from __future__ import annotations

import pytest
from rdflib import URIRef
from sqlalchemy import select

from gateway import create_app
from gateway.publish import tables
from tests.conftest import RELEASE_KEY, UNLIMITED

from .rdf import parse_rdf

OTHER_BASE = "https://example.org/open/"
DEFAULT_BASE = "https://data.met.police.uk/"


@pytest.fixture(scope="module")
def other_base_app(published_dir, tmp_path_factory):
    """The demo internal tables published again under ``OTHER_BASE``."""
    from gateway.publish.pipeline import publish

    data_dir = tmp_path_factory.mktemp("other-base")
    url = f"sqlite:///{published_dir / 'internal.sqlite'}"
    publish(url, data_dir / "releases", key=RELEASE_KEY.encode(), base=OTHER_BASE)
    return create_app({"TESTING": True, "DATA_DIR": str(data_dir), "PSEUDONYM_KEY": RELEASE_KEY, **UNLIMITED})


def test_documents_carry_the_releases_base(other_base_app):
    client = other_base_app.test_client()
    release = other_base_app.extensions["gateway.releases"].current()
    with release.engine.connect() as conn:
        crime = conn.execute(select(tables.street.c.id).where(tables.street.c.record == "RecordedCrime")).first()[0]
    assert client.get(f"/id/crime/{crime}").headers["Location"] == f"/doc/crime/{crime}"
    turtle = client.get(f"/doc/crime/{crime}.ttl").get_data(as_text=True)
    graph = parse_rdf(turtle, "turtle")
    assert (URIRef(f"{OTHER_BASE}id/crime/{crime}"), None, None) in graph
    assert DEFAULT_BASE not in turtle
    html = client.get(f"/doc/crime/{crime}").get_data(as_text=True)
    assert 'href="/def/policing/RecordedCrime"' in html
    assert 'href="/doc/organisation/' in html
    assert DEFAULT_BASE not in html


def test_the_vocabulary_is_served_under_the_same_base(other_base_app):
    client = other_base_app.test_client()
    graph = parse_rdf(client.get("/def/crime-category/burglary.nt").get_data(as_text=True), "nt")
    assert (URIRef(f"{OTHER_BASE}def/crime-category/burglary"), None, None) in graph
    context = client.get("/def/policing/context.jsonld").get_json()["@context"]
    assert context["month"]["@id"] == f"{OTHER_BASE}def/policing/month"
