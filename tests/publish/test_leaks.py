"""Leak tests: nothing private leaves, whatever the release holds or is built from.

The demo data marks every private value with CANARY (upper case: "Canary Wharf" is a
real, public place name). No file of a release (tables, store, dumps, manifest) may
contain it, and the release's queryable forms (tables, SPARQL) must not either.
"""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pyoxigraph
import pytest
from sqlalchemy import create_engine, func, select, text

from gateway.demo.build import build_demo_data
from gateway.internal import schema
from gateway.internal.database import make_engine
from gateway.publish import tables
from gateway.publish.pipeline import publish
from mappings import INTERNAL, MappingError

from .conftest import KEY

MARKER = b"CANARY"


def files_of(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()]


def test_no_file_of_the_release_contains_the_marker(release):
    files = files_of(release.path)
    assert len(files) > 10
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        assert MARKER not in data, f"{path.relative_to(release.path)} leaks a private value"


def test_the_store_holds_no_marker(release):
    store = pyoxigraph.Store.read_only(str(release.path / "store"))
    query = 'ASK { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?s), "CANARY") || CONTAINS(STR(?o), "CANARY")) }'
    assert not bool(store.query(query))
    assert bool(store.query("ASK { GRAPH ?g { ?s ?p ?o } }")), "the store is not empty"


def test_published_coordinates_are_map_points(release, demo_engine):
    with demo_engine.connect() as conn:
        internal = {(round(r.latitude, 6), round(r.longitude, 6)) for r in conn.execute(select(schema.map_point))}
    engine = create_engine(f"sqlite:///{release.path / 'release.sqlite'}")
    with engine.connect() as conn:
        published = {(round(r.latitude, 6), round(r.longitude, 6)) for r in conn.execute(select(tables.map_point))}
    engine.dispose()
    assert published and published <= internal
    for path in (release.path / "dumps" / "csv").rglob("*-street.csv"):
        for line in path.read_text().splitlines()[1:]:
            fields = line.split(",")
            if fields[4]:
                assert (round(float(fields[5]), 6), round(float(fields[4]), 6)) in published


def test_crimes_carry_a_month_only_and_stops_no_date_of_birth(release):
    store = pyoxigraph.Store.read_only(str(release.path / "store"))
    dated = """
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        ASK { GRAPH ?g { ?s ?p ?o } FILTER(isLiteral(?o) && DATATYPE(?o) IN (xsd:date, xsd:dateTime)
              && !CONTAINS(STR(?g), "/stop-and-search/") && !STRENDS(STR(?g), "/graph/vocabulary")) }"""
    assert not bool(store.query(dated)), "a date or date-time outside stop and search"
    birth = """PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        ASK { GRAPH ?g { ?s ?p ?o } FILTER(DATATYPE(?o) = xsd:date && !STRENDS(STR(?g), "/graph/vocabulary")) }"""
    assert not bool(store.query(birth)), "a date (of birth?) in the published records"
    stop_times = """PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT (COUNT(*) AS ?n) {
            GRAPH ?g { ?s prov:startedAtTime ?t } FILTER(CONTAINS(STR(?g), "/stop-and-search/"))
        }"""
    assert int(next(iter(store.query(stop_times)))["n"].value) == 12_447, "stops keep their date-time"
    engine = create_engine(f"sqlite:///{release.path / 'release.sqlite'}")
    with engine.connect() as conn:
        months = {m for (m,) in conn.execute(select(tables.street.c.month).distinct())}
        assert all(re.fullmatch(r"\d{4}-\d{2}", m) for m in months)
        assert "subject_dob" not in {c["name"] for c in _columns(conn, "stop_search")}
    engine.dispose()


def _columns(conn, table):
    return [dict(r._mapping) for r in conn.execute(text(f"PRAGMA table_info({table})"))]


def test_a_mapping_that_publishes_a_private_column_fails(tmp_path):
    mappings = tmp_path / "mappings"
    shutil.copytree(INTERNAL, mappings)
    path = mappings / "crime_report.yaml"
    path.write_text(path.read_text() + "  victim:\n    from: victim_name\n    transform: as-is\n")
    with pytest.raises(MappingError, match="column 'victim_name' is private"):
        publish("sqlite:///unused.sqlite", tmp_path / "releases", key=KEY, mappings_dir=mappings)
    assert not (tmp_path / "releases").exists() or not any((tmp_path / "releases").iterdir())


def test_columns_the_table_gains_later_are_not_published(tmp_path):
    copy = tmp_path / "internal.sqlite"
    build_demo_data(f"sqlite:///{copy}")
    engine = make_engine(f"sqlite:///{copy}")
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE crime_report ADD COLUMN informant_phone TEXT"))
        conn.execute(text("UPDATE crime_report SET informant_phone = 'CANARY 07700 900123'"))
        assert conn.execute(select(func.count()).select_from(schema.crime_report)).scalar() > 0
    engine.dispose()
    result = publish(f"sqlite:///{copy}", tmp_path / "releases", key=KEY)
    for path in files_of(result.path):
        data = path.read_bytes()
        assert MARKER not in (gzip.decompress(data) if path.suffix == ".gz" else data)
