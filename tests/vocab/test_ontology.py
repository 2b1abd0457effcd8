"""The policing ontology: its header, its terms, and what it reuses instead of minting."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

import vocab
from vocab.namespaces import OGL_V3, PROV, QB, SDMX_MEASURE, VANN

CLASSES = (
    "RecordedCrime",
    "CrimeOutcome",
    "AntiSocialBehaviourIncident",
    "StopAndSearch",
    "UseOfForce",
    "TacticUse",
    "SnapPoint",
    "SubjectDescription",
)
OBJECT_PROPERTIES = [
    "category",
    "outcome",
    "lastOutcome",
    "outcomeCategory",
    "snapPoint",
    "lsoa",
    "borough",
    "policeForceArea",
    "reportedBy",
    "searchType",
    "legislativePower",
    "objectOfSearch",
    "searchOutcome",
    "subject",
    "selfDefinedEthnicity",
    "officerDefinedEthnicity",
    "perceivedEthnicity",
    "ageBand",
    "gender",
    "tacticUse",
    "tactic",
    "cedUseMode",
    "incidentLocationType",
    "impactFactor",
    "incidentOutcome",
    "legislation",
]
DATATYPE_PROPERTIES = [
    "month",
    "outcomeLinkedToObjectOfSearch",
    "removalOfMoreThanOuterClothing",
    "partOfPolicingOperation",
    "operationName",
    "tacticEffective",
    "tacticOrder",
    "streetId",
    "locationName",
    "incidentId",
    "physicalDisability",
    "mentalDisability",
    "subjectInjured",
    "staffInjured",
    "crimeId",
    "ratePer1000",
    "count",
]
BOOLEANS = [
    "physicalDisability",
    "mentalDisability",
    "subjectInjured",
    "staffInjured",
    "tacticEffective",
    "outcomeLinkedToObjectOfSearch",
    "removalOfMoreThanOuterClothing",
    "partOfPolicingOperation",
]
DIMENSIONS = (
    "crimeCategory",
    "outcomeCategory",
    "searchPower",
    "objectOfSearchDim",
    "selfDefinedEthnicityDim",
    "tacticDim",
)
# Added by vocab/cubes/terms.ttl for the statistical cubes (tested in tests/publish/test_cubes.py).
CUBE_DIMENSIONS = ("ethnicGroupDim", "searchOutcomeDim", "perceivedEthnicityDim")


def test_header(vocabulary, ns):
    ontology = ns.ONTOLOGY
    assert ontology == URIRef("https://data.met.police.uk/def/policing")
    assert (ontology, RDF.type, OWL.Ontology) in vocabulary
    assert vocabulary.value(ontology, OWL.versionIRI) == URIRef("https://data.met.police.uk/def/policing/1.0.0")
    assert vocabulary.value(ontology, OWL.versionInfo) == Literal("1.0.0")
    assert vocabulary.value(ontology, DCTERMS.license) == OGL_V3
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.creator, DCTERMS.publisher):
        assert vocabulary.value(ontology, predicate) is not None, predicate
    for predicate in (DCTERMS.created, DCTERMS.modified):
        assert vocabulary.value(ontology, predicate).datatype == XSD.date
    assert vocabulary.value(ontology, VANN.preferredNamespacePrefix) == Literal("pol")
    assert vocabulary.value(ontology, VANN.preferredNamespaceUri) == Literal(str(ns.POL))


@pytest.mark.parametrize("name", CLASSES)
def test_classes(vocabulary, ns, name):
    assert (ns.POL[name], RDF.type, OWL.Class) in vocabulary


def test_superclasses(vocabulary, ns):
    assert (ns.POL.RecordedCrime, RDFS.subClassOf, PROV.Entity) in vocabulary
    assert (ns.POL.StopAndSearch, RDFS.subClassOf, PROV.Activity) in vocabulary
    assert (ns.POL.SnapPoint, RDFS.subClassOf, ns.GEO.Feature) in vocabulary


@pytest.mark.parametrize("name", OBJECT_PROPERTIES)
def test_object_properties(vocabulary, ns, name):
    assert (ns.POL[name], RDF.type, OWL.ObjectProperty) in vocabulary


@pytest.mark.parametrize("name", DATATYPE_PROPERTIES)
def test_datatype_properties(vocabulary, ns, name):
    assert (ns.POL[name], RDF.type, OWL.DatatypeProperty) in vocabulary


@pytest.mark.parametrize("name", BOOLEANS)
def test_flags_are_booleans(vocabulary, ns, name):
    assert vocabulary.value(ns.POL[name], RDFS.range) == XSD.boolean


def test_ranges(vocabulary, ns):
    assert vocabulary.value(ns.POL.crimeId, RDFS.range) == XSD.integer
    assert vocabulary.value(ns.POL.month, RDFS.range) == XSD.gYearMonth
    assert vocabulary.value(ns.POL.subject, RDFS.range) == ns.POL.SubjectDescription
    assert vocabulary.value(ns.POL.tacticUse, RDFS.range) == ns.POL.TacticUse


@pytest.mark.parametrize("name", DIMENSIONS)
def test_dimensions_have_code_lists(vocabulary, ns, name):
    term = ns.POL[name]
    assert (term, RDF.type, QB.DimensionProperty) in vocabulary
    code_list = vocabulary.value(term, QB.codeList)
    assert (code_list, RDF.type, SKOS.ConceptScheme) in vocabulary


@pytest.mark.parametrize("name", ("count", "ratePer1000"))
def test_measures(vocabulary, ns, name):
    assert (ns.POL[name], RDF.type, QB.MeasureProperty) in vocabulary
    assert (ns.POL[name], RDFS.subPropertyOf, SDMX_MEASURE.obsValue) in vocabulary


def test_notation_datatypes(vocabulary, ns):
    for name in ("PoliceUkCode", "IcCode", "SdeCode", "MetCode"):
        assert (ns.POL[name], RDF.type, RDFS.Datatype) in vocabulary


def test_every_term_is_documented(vocabulary, ns):
    terms = set(vocabulary.subjects(RDFS.isDefinedBy, ns.ONTOLOGY))
    # outcomeCategory is both an object property and a dimension; four notation datatypes.
    dimensions = len(DIMENSIONS) - 1 + len(CUBE_DIMENSIONS)
    assert len(terms) == len(CLASSES) + len(OBJECT_PROPERTIES) + len(DATATYPE_PROPERTIES) + dimensions + 4
    for term in terms:
        assert str(term).startswith(str(ns.POL)), term
        assert vocabulary.value(term, RDFS.label).language == "en", term
        assert vocabulary.value(term, SKOS.definition) or vocabulary.value(term, RDFS.comment), term


def test_reuses_instead_of_minting(ns):
    """Identifiers, provenance, times and geometry come from dcterms, PROV-O, GeoSPARQL and Basic Geo."""
    for name in ("identifier", "wasDerivedFrom", "startedAtTime", "lat", "long", "asWKT", "label", "license"):
        with pytest.raises(AttributeError):
            getattr(ns.POL, name)


def test_ontology_alone_loads():
    ontology = vocab.load_ontology()
    assert not set(ontology.subjects(RDF.type, SKOS.Concept))
    assert len(ontology) > 300
