"""SHACL: the vocabulary passes its quality shapes, and the record shapes let through the
published records and nothing else."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, RDF, RDFS, SKOS, XSD

import vocab
from tests.vocab.conftest import OTHER_BASE, RECORD_SAMPLES, sample
from vocab.loader import SCHEMES_DIR
from vocab.namespaces import DCTERMS, PROV, WGS

SCHEMA = Namespace("https://schema.org/")
GENDER = "https://data.met.police.uk/def/gender"


# ---------------------------------------------------------------- the vocabulary


def test_vocabulary_conforms_to_the_quality_shapes():
    result = vocab.validate_vocabulary()
    assert result.conforms, result.text


def test_rebased_vocabulary_conforms_to_the_rebased_shapes():
    result = vocab.validate_vocabulary(OTHER_BASE)
    assert result.conforms, result.text


def small_vocabulary() -> Graph:
    """The ontology and the gender scheme: enough to break, quick to validate."""
    graph = vocab.load_ontology()
    graph.parse(SCHEMES_DIR / "gender.ttl", format="turtle")
    return graph


def add_concept(graph: Graph, notation: str = "unknown", **overrides) -> URIRef:
    """A well-formed concept of the gender scheme, then ``overrides`` (None removes)."""
    concept = URIRef(f"{GENDER}/{notation}")
    scheme = URIRef(GENDER)
    values = {
        RDF.type: SKOS.Concept,
        SKOS.inScheme: scheme,
        SKOS.broader: URIRef(f"{GENDER}/other"),
        SKOS.notation: Literal(notation, datatype=vocab.namespaces().POL.MetCode),
        SKOS.prefLabel: Literal("Unknown", lang="en"),
        SKOS.definition: Literal("Not known.", lang="en"),
    }
    values.update(overrides)
    for predicate, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                graph.add((concept, predicate, item))
    return concept


def test_a_well_formed_concept_conforms():
    graph = small_vocabulary()
    add_concept(graph)
    result = vocab.validate_vocabulary(vocabulary=graph)
    assert result.conforms, result.text


BROKEN_CONCEPTS: dict[str, dict] = {
    "no preferred label": {SKOS.prefLabel: None},
    "two English preferred labels": {SKOS.prefLabel: [Literal("Unknown", lang="en"), Literal("Not known", lang="en")]},
    "no English preferred label": {SKOS.prefLabel: Literal("Inconnu", lang="fr")},
    "a preferred label that is also an alternative label": {SKOS.altLabel: Literal("Unknown", lang="en")},
    "no definition": {SKOS.definition: None},
    "no notation": {SKOS.notation: None},
    "an untyped notation": {SKOS.notation: Literal("unknown")},
    "a notation that is not its IRI": {SKOS.notation: Literal("not-known", datatype=XSD.token)},
    "no scheme": {SKOS.inScheme: None},
    "a broader concept that does not exist": {SKOS.broader: URIRef(f"{GENDER}/nobody")},
    "neither a top concept nor a broader one": {SKOS.broader: None},
    "the label of another concept": {SKOS.prefLabel: Literal("Male", lang="en")},
    "a hidden label of another concept": {SKOS.hiddenLabel: Literal("Female", lang="en")},
}


@pytest.mark.parametrize("overrides", list(BROKEN_CONCEPTS.values()), ids=list(BROKEN_CONCEPTS))
def test_a_broken_concept_fails(overrides):
    graph = small_vocabulary()
    add_concept(graph, **overrides)
    assert not vocab.validate_vocabulary(vocabulary=graph).conforms


def test_a_top_concept_the_scheme_does_not_list_fails():
    graph = small_vocabulary()
    add_concept(graph, **{SKOS.broader: None, SKOS.topConceptOf: URIRef(GENDER)})
    assert not vocab.validate_vocabulary(vocabulary=graph).conforms


@pytest.mark.parametrize("predicate", [DCTERMS.title, DCTERMS.source, DCTERMS.creator, SKOS.hasTopConcept])
def test_a_scheme_without_title_provenance_or_top_concepts_fails(predicate):
    graph = small_vocabulary()
    graph.remove((URIRef(GENDER), predicate, None))
    assert not vocab.validate_vocabulary(vocabulary=graph).conforms


@pytest.mark.parametrize("predicate", [RDFS.label, SKOS.definition, RDFS.isDefinedBy])
def test_an_undocumented_term_fails(predicate):
    graph = small_vocabulary()
    graph.remove((vocab.namespaces().POL.streetId, predicate, None))
    assert not vocab.validate_vocabulary(vocabulary=graph).conforms


# ---------------------------------------------------------------- published records


@pytest.mark.parametrize("name", RECORD_SAMPLES)
def test_samples_conform(name):
    result = vocab.validate(sample(name))
    assert result.conforms, result.text


@pytest.mark.parametrize("name", RECORD_SAMPLES)
def test_samples_conform_under_another_base(name):
    data = vocab.rebase(sample(name), OTHER_BASE)
    result = vocab.validate(data, OTHER_BASE)
    assert result.conforms, result.text
    assert not [t for triple in data for t in triple if str(t).startswith(vocab.DEFAULT_BASE)]


def focus(graph: Graph, name: str) -> URIRef:
    pol = vocab.namespaces().POL
    cls = {
        "crime": pol.RecordedCrime,
        "anti-social-behaviour": pol.AntiSocialBehaviourIncident,
        "stop-and-search": pol.StopAndSearch,
        "use-of-force": pol.UseOfForce,
        "snap-point": pol.SnapPoint,
    }[name]
    return next(iter(graph.subjects(RDF.type, cls)))


@pytest.mark.parametrize("name", RECORD_SAMPLES)
@pytest.mark.parametrize(
    ("predicate", "value"),
    [(FOAF.name, Literal("CANARY Smith")), (SCHEMA.birthDate, Literal("1990-01-01", datatype=XSD.date))],
    ids=["name", "date of birth"],
)
def test_an_unexpected_property_fails(name, predicate, value):
    graph = sample(name)
    graph.add((focus(graph, name), predicate, value))
    assert not vocab.validate(graph).conforms


@pytest.mark.parametrize("name", ["stop-and-search"])
@pytest.mark.parametrize(
    ("predicate", "value"),
    [
        (FOAF.name, Literal("CANARY Smith")),
        (SCHEMA.birthDate, Literal("1990-01-01", datatype=XSD.date)),
        (RDF.type, FOAF.Person),
    ],
    ids=["name", "date of birth", "a person"],
)
def test_a_subject_that_says_more_than_its_bands_fails(name, predicate, value):
    graph = sample(name)
    subject = graph.value(focus(graph, name), vocab.namespaces().POL.subject)
    graph.add((subject, predicate, value))
    assert not vocab.validate(graph).conforms


REQUIRED = {
    "crime": ["crimeId", "category", "month", "reportedBy", DCTERMS.identifier, PROV.wasDerivedFrom],
    "anti-social-behaviour": ["category", "month", "reportedBy", PROV.wasDerivedFrom],
    # (partOfPolicingOperation may be missing: archive files leave it empty, as upstream's JSON has null)
    "stop-and-search": ["searchType", "reportedBy", PROV.startedAtTime],
    "use-of-force": [
        "month",
        "incidentLocationType",
        "incidentOutcome",
        "subjectInjured",
        "staffInjured",
        "tacticUse",
        PROV.wasDerivedFrom,
    ],
    "snap-point": ["streetId", RDFS.label, WGS.lat, WGS.long, vocab.namespaces().GEO.hasGeometry],
}


@pytest.mark.parametrize(
    ("name", "predicate"), [(name, predicate) for name, predicates in REQUIRED.items() for predicate in predicates]
)
def test_a_missing_required_property_fails(name, predicate):
    graph = sample(name)
    if not isinstance(predicate, URIRef):
        predicate = vocab.namespaces().POL[predicate]
    assert (focus(graph, name), predicate, None) in graph
    graph.remove((focus(graph, name), predicate, None))
    assert not vocab.validate(graph).conforms


def break_crime(change: Callable[[Graph, URIRef, vocab.Namespaces], None]) -> Graph:
    graph = sample("crime")
    change(graph, focus(graph, "crime"), vocab.namespaces())
    return graph


def set_value(graph: Graph, node, predicate, value) -> None:
    graph.set((node, predicate, value))


WRONG_CRIMES = {
    "a category from another scheme": lambda g, c, ns: set_value(
        g, c, ns.POL.category, ns.scheme("crime-outcome")["charged"]
    ),
    "an anti-social behaviour category": lambda g, c, ns: set_value(
        g, c, ns.POL.category, ns.scheme("crime-category")["anti-social-behaviour"]
    ),
    "a crime id that is not its IRI": lambda g, c, ns: set_value(g, c, ns.POL.crimeId, Literal(42)),
    "a crime id that is a string": lambda g, c, ns: set_value(g, c, ns.POL.crimeId, Literal("116206187")),
    "an identifier that is not 64-hex": lambda g, c, ns: set_value(g, c, DCTERMS.identifier, Literal("CANARY")),
    "a month that is a date": lambda g, c, ns: set_value(g, c, ns.POL.month, Literal("2024-01-15", datatype=XSD.date)),
    "an LSOA that is not an ONS LSOA": lambda g, c, ns: set_value(g, c, ns.POL.lsoa, ns.STATID["E09000033"]),
    "a borough as a literal": lambda g, c, ns: set_value(g, c, ns.POL.borough, Literal("Westminster")),
    "two last outcomes": lambda g, c, ns: g.add((c, ns.POL.lastOutcome, ns.scheme("crime-outcome")["charged"])),
    "an outcome outside the crime": lambda g, c, ns: g.add((c, ns.POL.outcome, ns.ID["crime/1/outcome/9"])),
    "a snap point that is not described": lambda g, c, ns: set_value(g, c, ns.POL.snapPoint, ns.ID["snap-point/1"]),
}


@pytest.mark.parametrize("change", list(WRONG_CRIMES.values()), ids=list(WRONG_CRIMES))
def test_a_wrong_crime_fails(change):
    assert not vocab.validate(break_crime(change)).conforms


OTHER_RIGHT_CRIMES = {
    "an LSOA in Wales": lambda g, c, ns: set_value(g, c, ns.POL.lsoa, ns.STATID["W01000936"]),
    "the id the gateway made for a crime without one": lambda g, c, ns: set_value(
        g, c, DCTERMS.identifier, Literal("gateway-" + "0123456789abcdef" * 2)
    ),
}
OTHER_WRONG_CRIMES = {
    "an output area, not an LSOA": lambda g, c, ns: set_value(g, c, ns.POL.lsoa, ns.STATID["E00000001"]),
    "a Scottish data zone": lambda g, c, ns: set_value(g, c, ns.POL.lsoa, ns.STATID["S01006506"]),
    "a made id of another form": lambda g, c, ns: set_value(g, c, DCTERMS.identifier, Literal("gateway-CANARY")),
}


@pytest.mark.parametrize("change", list(OTHER_RIGHT_CRIMES.values()), ids=list(OTHER_RIGHT_CRIMES))
def test_a_crime_of_the_real_archive_conforms(change):
    result = vocab.validate(break_crime(change))
    assert result.conforms, result.text


@pytest.mark.parametrize("change", list(OTHER_WRONG_CRIMES.values()), ids=list(OTHER_WRONG_CRIMES))
def test_what_the_real_archive_allows_is_all_it_allows(change):
    assert not vocab.validate(break_crime(change)).conforms


def test_a_crime_outcome_needs_its_category_and_month():
    graph = sample("crime")
    outcome = URIRef("https://data.met.police.uk/id/crime/116206187/outcome/1")
    graph.remove((outcome, vocab.namespaces().POL.outcomeCategory, None))
    assert not vocab.validate(graph).conforms


def test_anti_social_behaviour_has_no_crime_id():
    graph = sample("anti-social-behaviour")
    graph.add((focus(graph, "anti-social-behaviour"), vocab.namespaces().POL.crimeId, Literal(116208475)))
    assert not vocab.validate(graph).conforms


def test_a_use_of_force_with_a_subject_description_fails():
    """The subject's characteristics are counted only, never carried by the record."""
    graph = sample("use-of-force")
    pol = vocab.namespaces().POL
    description = BNode()
    graph.add((focus(graph, "use-of-force"), pol.subject, description))
    graph.add((description, RDF.type, pol.SubjectDescription))
    graph.add((description, pol.gender, vocab.namespaces().scheme("gender")["male"]))
    assert not vocab.validate(graph).conforms


def test_a_subject_with_an_iri_fails():
    graph = sample("stop-and-search")
    stop, pol = focus(graph, "stop-and-search"), vocab.namespaces().POL
    subject = graph.value(stop, pol.subject)
    person = URIRef(str(stop) + "/subject")
    for p, o in list(graph.predicate_objects(subject)):
        graph.add((person, p, o))
    graph.remove((subject, None, None))
    graph.set((stop, pol.subject, person))
    assert not vocab.validate(graph).conforms


def test_stop_and_search_values_come_from_their_schemes():
    graph = sample("stop-and-search")
    stop, ns = focus(graph, "stop-and-search"), vocab.namespaces()
    subject = graph.value(stop, ns.POL.subject)
    graph.set((subject, ns.POL.ageBand, ns.scheme("age-band/use-of-force")["18-34"]))
    assert not vocab.validate(graph).conforms


def tactic(graph: Graph, order: int) -> BNode:
    pol = vocab.namespaces().POL
    return next(t for t in graph.subjects(pol.tacticOrder, Literal(order)))


WRONG_USES_OF_FORCE = {
    "a tactic order above 20": lambda g, ns: g.set((tactic(g, 1), ns.POL.tacticOrder, Literal(21))),
    "two tactics with one order": lambda g, ns: g.set((tactic(g, 1), ns.POL.tacticOrder, Literal(2))),
    "a CED mode on a tactic that is not a CED": lambda g, ns: g.add(
        (tactic(g, 1), ns.POL.cedUseMode, ns.scheme("ced-use-mode")["fired"])
    ),
    "a tactic without effectiveness": lambda g, ns: g.remove((tactic(g, 3), ns.POL.tacticEffective, None)),
    "an effectiveness that is a string": lambda g, ns: g.set((tactic(g, 3), ns.POL.tacticEffective, Literal("yes"))),
    "an impact factor from another scheme": lambda g, ns: g.add(
        (focus(g, "use-of-force"), ns.POL.impactFactor, ns.scheme("incident-outcome")["other"])
    ),
    "an age band on the record": lambda g, ns: g.add(
        (focus(g, "use-of-force"), ns.POL.ageBand, ns.scheme("age-band/use-of-force")["18-34"])
    ),
    "an exact time": lambda g, ns: g.add(
        (focus(g, "use-of-force"), PROV.startedAtTime, Literal("2020-06-12T14:30:00+00:00", datatype=XSD.dateTime))
    ),
}


@pytest.mark.parametrize("change", list(WRONG_USES_OF_FORCE.values()), ids=list(WRONG_USES_OF_FORCE))
def test_a_wrong_use_of_force_fails(change):
    graph = sample("use-of-force")
    change(graph, vocab.namespaces())
    assert not vocab.validate(graph).conforms


def test_validation_leaves_the_data_unchanged():
    graph = sample("crime")
    before = len(graph)
    vocab.validate(graph)
    assert len(graph) == before
