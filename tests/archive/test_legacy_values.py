"""Older value schemes: every label of them publishes as its concept, through the vocabulary."""

from __future__ import annotations

import csv
import json

import pyoxigraph
import pytest
from rdflib import SKOS, URIRef
from sqlalchemy import create_engine, select

from gateway.archive.values import LOOKUPS, STOP_COLUMNS, VocabularyValues
from gateway.publish import tables
from gateway.publish.vocabulary import load as load_vocabulary

DEF = "https://data.met.police.uk/def/"


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
    assert crimes[f"{2:064x}"].last_outcome_month == "2012-09", "the month of the outcomes-file row"
    assert crimes[f"{3:064x}"].last_outcome == "penalty-notice-issued" and crimes[f"{3:064x}"].map_point is None
    assert crimes[f"{4:064x}"].last_outcome_month is None, "no outcomes file says when"
    assert sorted((o.month, o.category) for o in outcomes) == [("2012-06", "charged"), ("2012-09", "imprisoned")]
    assert sum(r.record == "AntiSocialBehaviourIncident" for r in street) == 2, "identical rows are two incidents"


def test_older_stop_and_search_values(published):
    _street, stops, _outcomes = published
    assert [s.self_defined_ethnicity for s in stops] == [
        "White - English/Welsh/Scottish/Northern Irish/British",
        "Asian/Asian British - Chinese",  # 2001 O1, Chinese: A4 since 2011
        "Black/African/Caribbean/Black British - African",
        "Other ethnic group - Not stated",
        None,
        "Mixed/Multiple ethnic groups - White and Asian",
    ]
    assert [s.outcome for s in stops] == [
        "Nothing found - no further action",
        "Suspect arrested",
        "Offender given drugs possession warning",
        "Offender given penalty notice",
        "Article found - Detailed outcome unavailable",
        "Local resolution",
    ]
    assert [s.officer_defined_ethnicity for s in stops][:4] == ["White", "Asian", "Mixed", "Other"]
    assert stops[3].legislation == "Environmental Protection Act 1990 (section 34B)"
    assert stops[3].object_of_search == "Goods on which duty has not been paid etc."
    assert stops[3].outcome_linked_to_object_of_search is True and stops[3].map_point is None
    assert stops[0].datetime == "2016-05-31T23:01:00+00:00" and stops[0].month == "2016-06"
    assert stops[4].operation is False, "an empty 'Part of a policing operation' is False"


def test_the_store_links_the_concepts(legacy_release):
    store = pyoxigraph.Store.read_only(str(legacy_release.path / "store"))

    def objects(prop: str) -> set[str]:
        query = f"SELECT DISTINCT ?o {{ GRAPH ?g {{ ?s <{DEF}policing/{prop}> ?o }} }}"
        return {r["o"].value for r in store.query(query)}

    assert objects("category") >= {f"{DEF}crime-category/public-disorder-weapons", f"{DEF}crime-category/violent-crime"}
    assert f"{DEF}self-defined-ethnicity/A4" in objects("selfDefinedEthnicity")
    assert f"{DEF}self-defined-ethnicity/O1" not in objects("selfDefinedEthnicity")
    outcomes = objects("searchOutcome")
    assert f"{DEF}search-outcome/suspect-arrested" in outcomes and f"{DEF}search-outcome/bu-arrest" not in outcomes
    assert f"{DEF}officer-defined-ethnicity/mixed" in objects("officerDefinedEthnicity")
    assert objects("lastOutcome") >= {f"{DEF}crime-outcome/no-further-action", f"{DEF}crime-outcome/imprisoned"}


def test_the_dumps_write_the_archive_labels(legacy_release):
    csv_dir = legacy_release.path / "dumps" / "csv"
    with (csv_dir / "2012-05" / "2012-05-city-of-london-street.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["Crime type"] for r in rows} == {
        "Public disorder and weapons", "Violence and sexual offences", "Anti-social behaviour", "Other theft",
    }  # fmt: skip
    assert "Investigation complete; no suspect identified" in {r["Last outcome category"] for r in rows}


def test_two_forces_in_one_folder_both_publish(legacy_release, published):
    street, stops, _outcomes = published
    assert {r.force for r in street} == {"city-of-london", "metropolitan"}
    assert {s.force for s in stops} == {"metropolitan"}
    names = {p.name for p in (legacy_release.path / "dumps" / "csv").rglob("*.csv")}
    assert {"2012-05-city-of-london-street.csv", "2012-05-metropolitan-street.csv"} <= names
    assert "2016-06-metropolitan-stop-and-search.csv" in names


def test_every_label_of_every_scheme_publishes_as_its_concept():
    """Each notation and label of each scheme an archive column uses resolves, and what it
    is published as resolves back to the same concept (or to its exact current match)."""
    vocabulary = load_vocabulary("https://data.met.police.uk/")
    values = VocabularyValues(vocabulary)
    graph = vocabulary.graph
    for lookup in LOOKUPS:
        concepts = set(graph.subjects(SKOS.inScheme, URIRef(f"{DEF}{lookup.scheme}")))
        assert concepts, lookup.scheme
        for concept in concepts:
            expected = values.current(lookup.scheme, concept)
            for predicate in (SKOS.notation, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
                for label in graph.objects(concept, predicate):
                    value = values.published(lookup, str(label))
                    assert value is not None, (lookup.scheme, str(label))
                    assert URIRef(vocabulary.concept(lookup.scheme, value)) == expected, (lookup.scheme, str(label))
    assert values.stop("Self-defined ethnicity", "Martian") is None
    assert STOP_COLUMNS["Self-defined ethnicity"].scheme == "self-defined-ethnicity"
