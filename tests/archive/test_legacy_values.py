"""Older value schemes: every label of them is published as the files have it (JSON, CSV)
and linked to the concept it names (RDF), through the vocabulary."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pyoxigraph
import pytest
from rdflib import SKOS, URIRef
from sqlalchemy import create_engine, select

from gateway.archive.values import LABEL, LOOKUPS, STOP_COLUMNS, VocabularyValues
from gateway.police_uk.shapes import STOP_OUTCOME_ID
from gateway.publish import tables
from gateway.publish.vocabulary import load as load_vocabulary

from .conftest import LEGACY_CITY_OUTCOMES, LEGACY_CITY_STREET, LEGACY_MET_STOPS, LEGACY_MET_STREET, STOPS

DEF = "https://data.met.police.uk/def/"
# Published stop-and-search fields, and the file columns they come from.
STOP_FIELDS = {
    "type": "Type",
    "gender": "Gender",
    "age_range": "Age range",
    "self_defined_ethnicity": "Self-defined ethnicity",
    "officer_defined_ethnicity": "Officer-defined ethnicity",
    "legislation": "Legislation",
    "object_of_search": "Object of search",
    "outcome": "Outcome",
}


@pytest.fixture(scope="module")
def published(legacy_release):
    engine = create_engine(f"sqlite:///{legacy_release.path / 'release.sqlite'}")
    with engine.connect() as conn:
        street = conn.execute(select(tables.street)).all()
        stops = conn.execute(select(tables.stop_search).order_by(tables.stop_search.c.datetime)).all()
        outcomes = conn.execute(select(tables.crime_outcome)).all()
    engine.dispose()
    return street, stops, outcomes


def test_nothing_is_rejected(legacy_release):
    manifest = json.loads((legacy_release.path / "manifest.json").read_text())
    assert manifest["rejected"]["rows"] == manifest["rejected"]["files"] == 0, manifest["rejected"]
    assert manifest["dropped"] == [] and manifest["shacl"]["conforms"] is True


def test_older_crime_categories_and_outcome_labels(published):
    street, _stops, outcomes = published
    crimes = {r.persistent_id: r for r in street if r.record == "RecordedCrime"}
    assert {r.category for r in crimes.values()} == {"public-disorder-weapons", "violent-crime", "other-theft"}
    assert crimes[f"{1:064x}"].last_outcome == "no-further-action"  # "No further action", before 2014
    assert crimes[f"{2:064x}"].last_outcome == "imprisoned"  # "Offender imprisoned"
    assert crimes[f"{3:064x}"].last_outcome == "penalty-notice-issued" and crimes[f"{3:064x}"].map_point is None
    # ... and each keeps the labels its row had, for the JSON and CSV that say what the source said
    assert [(crimes[f"{n:064x}"].category_label, crimes[f"{n:064x}"].last_outcome_label) for n in (1, 2, 3, 4)] == [
        ("Public disorder and weapons", "No further action"),
        ("Violent crime", "Offender imprisoned"),
        ("Other theft", "Offender given penalty notice"),
        ("Violent crime", "Under investigation"),
    ]
    assert sorted((o.month, o.category, o.category_label) for o in outcomes) == [
        ("2012-06", "charged", "Suspect charged"),
        ("2012-09", "imprisoned", "Offender imprisoned"),
    ]
    assert sum(r.record == "AntiSocialBehaviourIncident" for r in street) == 2, "identical rows are two incidents"


def test_stop_and_search_labels_are_published_as_the_files_have_them(published):
    _street, stops, _outcomes = published
    source = [dict(zip(STOPS.split(","), row, strict=True)) for row in csv.reader(LEGACY_MET_STOPS)]
    for stop, row in zip(stops, source, strict=True):
        for field, column in STOP_FIELDS.items():
            assert getattr(stop, field) == (row[column] or None), (field, row[column])
    assert stops[0].self_defined_ethnicity == "White - White British (W1)", "not the 2011 string of its concept"
    assert stops[3].legislation == "Environmental Protection Act 1990 (section 34B )", "sic, with its space"
    assert stops[3].outcome_linked_to_object_of_search is True and stops[3].map_point is None
    assert stops[0].datetime == "2016-05-31T23:01:00+00:00" and stops[0].month == "2016-06"
    assert stops[4].operation is None, "an empty 'Part of a policing operation' stays empty"
    assert stops[0].operation is False


def test_the_store_links_the_concept_each_label_names(legacy_release):
    store = pyoxigraph.Store.read_only(str(legacy_release.path / "store"))

    def objects(prop: str) -> set[str]:
        query = f"SELECT DISTINCT ?o {{ GRAPH ?g {{ ?s <{DEF}policing/{prop}> ?o }} }}"
        return {r["o"].value for r in store.query(query)}

    assert objects("category") >= {f"{DEF}crime-category/public-disorder-weapons", f"{DEF}crime-category/violent-crime"}
    sde = {f"{DEF}self-defined-ethnicity/{code}" for code in ("W1", "O1", "B2", "NS", "M3")}
    assert objects("selfDefinedEthnicity") == sde, "the 2001 O1 (Chinese) is its own concept, an exact match of A4"
    outcomes = objects("searchOutcome")
    assert f"{DEF}search-outcome/suspect-arrested" in outcomes and f"{DEF}search-outcome/bu-arrest" not in outcomes
    assert f"{DEF}officer-defined-ethnicity/mixed" in objects("officerDefinedEthnicity")
    assert objects("lastOutcome") >= {f"{DEF}crime-outcome/no-further-action", f"{DEF}crime-outcome/imprisoned"}


def _rows(lines: list[str]) -> Counter:
    return Counter(tuple(row) for row in csv.reader(lines))


def _dumped(release, pattern: str) -> Counter:
    found: Counter = Counter()
    for path in sorted((release.path / "dumps" / "csv").glob(pattern)):
        with path.open(newline="", encoding="utf-8") as handle:
            found.update(tuple(row) for row in list(csv.reader(handle))[1:])
    return found


def test_the_dumps_give_back_the_rows_of_the_files(legacy_release):
    """Labels of every vintage, location names and empty values, written back as the files had them."""
    assert _dumped(legacy_release, "*/*-city-of-london-street.csv") == _rows(LEGACY_CITY_STREET)
    assert _dumped(legacy_release, "*/*-metropolitan-street.csv") == _rows(LEGACY_MET_STREET)
    assert _dumped(legacy_release, "*/*-city-of-london-outcomes.csv") == _rows(LEGACY_CITY_OUTCOMES)
    assert _dumped(legacy_release, "*/*-stop-and-search.csv") == _rows(LEGACY_MET_STOPS)


def test_the_api_says_what_the_files_said(legacy_client):
    stops = legacy_client.get("/api/stops-force?force=metropolitan&date=2016-06").get_json()
    by_time = {s["datetime"]: s for s in stops}
    source = [dict(zip(STOPS.split(","), row, strict=True)) for row in csv.reader(LEGACY_MET_STOPS)]
    assert len(stops) == len(source)
    for row in source:
        stop = by_time[row["Date"]]
        for field, column in STOP_FIELDS.items():
            assert stop[field] == (row[column] or None), (field, row[column])
        assert stop["outcome"] == stop["outcome_object"]["name"] == row["Outcome"]
    # outcome_object.id: data.police.uk's id of the current outcome an older label was
    # replaced by, or "" where nothing replaced it (an id of our own no client would know)
    ids = {s["outcome"]: s["outcome_object"]["id"] for s in stops}
    assert ids == {
        "Nothing found - no further action": "bu-no-further-action",
        "Suspect arrested": "bu-arrest",
        "Offender given drugs possession warning": "bu-khat-or-cannabis-warning",
        "Offender given penalty notice": "bu-penalty-notice",
        "Article found - Detailed outcome unavailable": "",
        "Local resolution": "bu-community-resolution",
    }
    assert set(ids.values()) <= set(STOP_OUTCOME_ID.values()) | {""}

    unlocated = legacy_client.get("/api/crimes-no-location?force=city-of-london&date=2012-05").get_json()
    assert [c["outcome_status"] for c in unlocated] == [
        {"category": "Offender given penalty notice", "date": "2012-05"}
    ]
    history = legacy_client.get(f"/api/outcomes-for-crime/{2:064x}").get_json()["outcomes"]
    assert [(o["category"]["code"], o["category"]["name"], o["date"]) for o in history] == [
        ("charged", "Suspect charged", "2012-06"),
        ("imprisoned", "Offender imprisoned", "2012-09"),
    ]
    crime = legacy_client.get(f"/api/outcomes-for-crime/{1:064x}").get_json()["crime"]
    located = legacy_client.get(f"/api/crimes-at-location?date=2012-05&location_id={crime['location']['street']['id']}")
    statuses = {c["persistent_id"]: c["outcome_status"] for c in located.get_json()}
    assert statuses[f"{1:064x}"] == {"category": "No further action", "date": "2012-05"}


def test_a_filter_on_a_concept_finds_its_exact_matches(legacy_client):
    """A4 (Chinese, 2011) finds the stop published as O1 (Chinese, 2001): an exact match."""
    for value in ("A4", "Asian/Asian British - Chinese", "O1"):
        found = legacy_client.get(f"/api/v1/stop-and-search?self_defined_ethnicity={value}").get_json()
        assert [s["self_defined_ethnicity"] for s in found["items"]] == ["Chinese or other ethnic group - Chinese (O1)"]
    asian = legacy_client.get("/api/v1/stop-and-search?ethnic_group=asian").get_json()
    assert asian["total"] == 1


def test_two_forces_in_one_folder_both_publish(legacy_release, published):
    street, stops, _outcomes = published
    assert {r.force for r in street} == {"city-of-london", "metropolitan"}
    assert {s.force for s in stops} == {"metropolitan"}
    names = {p.name for p in (legacy_release.path / "dumps" / "csv").rglob("*.csv")}
    assert {"2012-05-city-of-london-street.csv", "2012-05-metropolitan-street.csv"} <= names
    assert "2016-06-metropolitan-stop-and-search.csv" in names


def test_every_label_of_every_scheme_publishes_as_its_concept():
    """Each notation and label of each scheme an archive column uses resolves; a stop label
    is published as itself, a category or outcome label as the notation of its concept, and
    what is published resolves back to the concept the label names."""
    vocabulary = load_vocabulary("https://data.met.police.uk/")
    values = VocabularyValues(vocabulary)
    graph = vocabulary.graph
    for lookup in LOOKUPS:
        concepts = set(graph.subjects(SKOS.inScheme, URIRef(f"{DEF}{lookup.scheme}")))
        assert concepts, lookup.scheme
        for concept in concepts:
            for predicate in (SKOS.notation, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
                for label in graph.objects(concept, predicate):
                    value = values.published(lookup, str(label))
                    assert value is not None, (lookup.scheme, str(label))
                    if lookup.publishes == LABEL:
                        assert value == str(label)
                    assert URIRef(vocabulary.concept(lookup.scheme, value)) == concept, (lookup.scheme, str(label))
    assert values.stop("Self-defined ethnicity", "Martian") is None
    assert values.stop("Self-defined ethnicity", "White - White British (W1)") == "White - White British (W1)"
    assert STOP_COLUMNS["Self-defined ethnicity"].scheme == "self-defined-ethnicity"
