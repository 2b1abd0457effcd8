"""Each record gives the location name its own row had, in every output of a release.

A map point is named once, but rows at one point can carry names that differ in case
("DUNOLLIE PLACE", "Dunollie Place") or are empty ("On or near "): real Met files do both.
The API (/api/ and /api/v1/), the CSV dumps and the RDF all give a record's own name.
"""

from __future__ import annotations

import csv
from collections import Counter

import pyoxigraph
import pytest

from .conftest import (
    ASB_NAMES,
    NAMES_OUTCOMES,
    NAMES_STREET_2023_01,
    NAMES_STREET_2023_02,
    SOURCE_NAMES,
    crime_id,
    serving,
)

DEF = "https://data.met.police.uk/def/"


@pytest.fixture
def client(names_release, tmp_path):
    return serving(names_release, tmp_path)


def _point(client) -> int:
    crime = client.get(f"/api/outcomes-for-crime/{crime_id(11)}").get_json()["crime"]
    return crime["location"]["street"]["id"]


def test_the_api_gives_each_record_the_name_its_row_had(client):
    point = _point(client)
    for month in ("2023-01", "2023-02"):
        at = client.get(f"/api/crimes-at-location?date={month}&location_id={point}").get_json()
        street = client.get(f"/api/crimes-street/all-crime?lat=51.54995&lng=-0.13812&date={month}").get_json()
        for answer in (at, street):
            crimes = {c["persistent_id"]: c["location"]["street"] for c in answer if c["persistent_id"]}
            assert crimes, month
            assert {pid: s["name"] for pid, s in crimes.items()} == {pid: SOURCE_NAMES[pid] for pid in crimes}, (
                "case and empty names as the rows had them"
            )
            assert {s["id"] for pid, s in crimes.items() if pid != crime_id(14)} == {point}, "one map point"
    asb = client.get(f"/api/crimes-at-location?date=2023-01&location_id={point}").get_json()
    assert Counter(c["location"]["street"]["name"] for c in asb if not c["persistent_id"]) == ASB_NAMES
    # a crime inside an outcome answer is the crime: its own name
    outcomes = client.get(f"/api/outcomes-at-location?date=2023-03&location_id={point}").get_json()
    assert [o["crime"]["location"]["street"]["name"] for o in outcomes] == ["On or near DUNOLLIE PLACE"]
    crime = client.get(f"/api/outcomes-for-crime/{crime_id(13)}").get_json()["crime"]
    assert crime["location"]["street"] == {"id": point, "name": "On or near "}


def test_api_v1_gives_the_same_names(client):
    crimes = client.get("/api/v1/street-crime?_pageSize=100").get_json()["items"]
    assert {c["persistent_id"]: f"On or near {c['street_name']}" for c in crimes} == SOURCE_NAMES
    asb = client.get("/api/v1/anti-social-behaviour?_pageSize=100").get_json()["items"]
    assert Counter(f"On or near {a['street_name']}" for a in asb) == ASB_NAMES
    outcomes = client.get("/api/v1/outcomes?_pageSize=100").get_json()["items"]
    assert sorted((o["persistent_id"], o["month"], o["street_name"]) for o in outcomes) == [
        (crime_id(11), "2023-01", "Dunollie Place"),
        (crime_id(11), "2023-03", "DUNOLLIE PLACE"),
        (crime_id(12), "2023-02", "Dunollie Place"),
    ], "an outcome row's own name"


def test_the_dumps_are_the_source_rows(names_release):
    dumps = names_release.path / "dumps" / "csv"

    def rows(pattern: str) -> Counter:
        found: Counter = Counter()
        for path in dumps.glob(pattern):
            with path.open(newline="", encoding="utf-8") as handle:
                found.update(tuple(r) for r in list(csv.reader(handle))[1:])
        return found

    def source(lines: list[str]) -> Counter:
        return Counter(tuple(r) for r in csv.reader(lines))

    assert rows("*/*-street.csv") == source(NAMES_STREET_2023_01 + NAMES_STREET_2023_02)
    assert rows("*/*-outcomes.csv") == source([line for lines in NAMES_OUTCOMES.values() for line in lines])


def test_the_rdf_states_each_records_own_name(names_release):
    store = pyoxigraph.Store.read_only(str(names_release.path / "store"))
    query = f"""SELECT ?id ?name ?type WHERE {{ GRAPH ?g {{
        ?record a ?type ; <{DEF}policing/locationName> ?name .
        OPTIONAL {{ ?record <http://purl.org/dc/terms/identifier> ?id }} }} }}"""
    found = [(r["id"].value if r["id"] else None, r["name"].value, r["type"].value) for r in store.query(query)]
    assert {i: n for i, n, _t in found if i} == SOURCE_NAMES
    assert Counter(n for i, n, _t in found if i is None) == ASB_NAMES
    assert all(r["name"].language == "en" for r in store.query(query))
