"""A release published under another base: the same paths serve its IRIs, pages link locally."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from rdflib import URIRef
from sqlalchemy import select

from gateway import create_app
from gateway.publish import tables
from tests.conftest import RELEASE_KEY, UNLIMITED

from .rdf import parse_rdf

OTHER_BASE = "https://example.org/open/"
DEFAULT_BASE = "https://data.met.police.uk/"


RECORDS_KEPT = 200  # of each internal record table: enough to publish every record type, fast


@pytest.fixture(scope="module")
def other_base_app(published_dir, tmp_path_factory):
    """A part of the demo internal tables published again under ``OTHER_BASE``."""
    from gateway.publish.pipeline import publish

    data_dir = tmp_path_factory.mktemp("other-base")
    database = data_dir / "internal.sqlite"
    shutil.copyfile(published_dir / "internal.sqlite", database)
    with sqlite3.connect(database) as conn:
        for table in ("crime_report", "anti_social_behaviour", "stop_search", "use_of_force"):
            kept = f"SELECT rowid FROM {table} ORDER BY rowid LIMIT {RECORDS_KEPT}"
            conn.execute(f"DELETE FROM {table} WHERE rowid NOT IN ({kept})")
        conn.execute("DELETE FROM crime_outcome WHERE crime_ref NOT IN (SELECT internal_ref FROM crime_report)")
        conn.execute("DELETE FROM use_of_force_tactic WHERE uof_ref NOT IN (SELECT internal_ref FROM use_of_force)")
    publish(f"sqlite:///{database}", data_dir / "releases", key=RELEASE_KEY.encode(), base=OTHER_BASE)
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
