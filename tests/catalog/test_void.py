"""/.well-known/void: the VoID description of the current release."""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, VOID, XSD

import vocab
from tests.catalog.conftest import fetch
from tests.linked_data.rdf import parse_rdf

BASE = "https://data.met.police.uk/"
RELEASE = URIRef(f"{BASE}data/release")
REF_AREA = URIRef("http://purl.org/linked-data/sdmx/2009/dimension#refArea")


@pytest.fixture(scope="module")
def description(published_dir) -> Graph:
    from gateway import create_app

    app = create_app({"TESTING": True, "DATA_DIR": str(published_dir)})
    response = fetch(app.test_client(), "/.well-known/void")
    assert response.mimetype == "text/turtle"
    return parse_rdf(response.get_data(as_text=True), "turtle")


def test_every_serialisation_parses_to_the_same_graph(release_client, description):
    for url, rdflib_format in (("/.well-known/void.jsonld", "json-ld"), ("/.well-known/void.nt", "nt"),
                               ("/.well-known/void.rdf", "xml")):  # fmt: skip
        response = fetch(release_client, url)
        assert response.status_code == 200
        assert isomorphic(parse_rdf(response.get_data(as_text=True), rdflib_format), description), url
    assert fetch(release_client, "/.well-known/void", headers={"Accept": "application/pdf"}).status_code == 406


def test_the_description_conforms_to_the_void_shapes(description):
    result = vocab.validate(description, shapes=("void",))
    assert result.conforms, result.text


@pytest.mark.parametrize("remove", [VOID.triples, VOID.sparqlEndpoint, VOID.exampleResource, VOID.linkPredicate])
def test_a_description_missing_a_required_property_does_not_conform(description, remove):
    broken = Graph()
    broken += description
    broken.remove((None, remove, None))
    assert not vocab.validate(broken, shapes=("void",)).conforms


def test_triple_counts_are_the_store_s(description, release_path, manifest):
    store = pyoxigraph.Store.read_only(str(release_path / "store"))
    assert description.value(RELEASE, VOID.triples) == Literal(len(store), datatype=XSD.integer)
    refs = int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ ?s <{REF_AREA}> ?o }} }}")))["n"].value)
    assert refs == sum(c["observations"] for c in manifest["cubes"]["datasets"].values())
    linkset = next(description.subjects(VOID.linkPredicate, REF_AREA))
    assert (linkset, RDF.type, VOID.Linkset) in description
    assert int(description.value(linkset, VOID.triples)) == refs
    assert description.value(linkset, VOID.objectsTarget) == URIRef("http://statistics.data.gov.uk/")
    cube = URIRef(f"{BASE}data/crime-counts-borough")
    assert (
        int(description.value(cube, VOID.entities))
        == manifest["cubes"]["datasets"]["crime-counts-borough"]["observations"]
    )
    assert (
        int(description.value(cube, VOID.triples))
        == manifest["cubes"]["datasets"]["crime-counts-borough"]["statements"]
    )


def test_endpoint_dump_vocabularies_and_examples(release_client, description):
    assert description.value(RELEASE, VOID.sparqlEndpoint) == URIRef(f"{BASE}sparql")
    assert description.value(RELEASE, VOID.dataDump) == URIRef(f"{BASE}downloads/dumps/release.nq.gz")
    assert URIRef(f"{BASE}def/policing") in set(description.objects(RELEASE, VOID.vocabulary))
    examples = list(description.objects(RELEASE, VOID.exampleResource))
    assert len(examples) == 5
    for example in examples:
        if str(example).startswith(f"{BASE}id/"):
            response = fetch(release_client, str(example)[len(BASE) - 1 :])
            assert response.status_code == 303, example
