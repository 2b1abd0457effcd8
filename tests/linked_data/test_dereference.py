"""Every /id/ URI answers 303 to its /doc/, and every link of a document dereferences."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from .conftest import BASE
from .rdf import parse_rdf


def test_every_sampled_identifier_redirects_to_its_document(release_client, sample):
    for path in sample.all():
        response = release_client.get(f"/id/{path}", headers={"Accept": "text/turtle"})
        assert response.status_code == 303, path
        assert response.headers["Location"] == f"/doc/{path}"
        document = release_client.get(response.headers["Location"], headers={"Accept": "text/turtle"})
        assert document.status_code == 200, path
        graph = parse_rdf(document.get_data(as_text=True), "turtle")
        assert (URIRef(f"{BASE}id/{path}"), None, None) in graph, path


def test_the_redirect_keeps_the_extension_and_query(release_client, sample):
    path = sample.records["crime"][0]
    response = release_client.get(f"/id/{path}.ttl?_format=nt")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/doc/{path}.ttl?_format=nt"


def _links(graph: Graph) -> set[str]:
    """The IRIs under the base that a document mentions, as local paths."""
    found = set()
    for node in graph.all_nodes():
        if isinstance(node, URIRef) and str(node).startswith(BASE):
            rest = str(node)[len(BASE) :]
            if rest.startswith(("id/", "def/")):
                found.add("/" + rest)
    return found


def test_every_link_of_the_sampled_documents_dereferences(release_client, sample):
    """Records, snap points, organisations, concepts and terms they link to all resolve."""
    links: set[str] = set()
    for path in sample.all():
        turtle = release_client.get(f"/doc/{path}.ttl").get_data(as_text=True)
        links |= _links(parse_rdf(turtle, "turtle"))
    kinds = {link.split("/")[2] for link in links if link.startswith("/id/")}
    assert {"crime", "snap-point", "organisation", "use-of-force"} <= kinds
    assert any(link.startswith("/def/crime-category/") for link in links)
    assert any(link.startswith("/def/policing/") for link in links)
    for link in sorted(links):
        response = release_client.get(link, headers={"Accept": "text/turtle"})
        if link.startswith("/id/"):
            assert response.status_code == 303, link
            response = release_client.get(response.headers["Location"], headers={"Accept": "text/turtle"})
        assert response.status_code == 200, link


@pytest.mark.parametrize(
    "path",
    [
        "/def",
        "/def/policing",
        "/def/policing/RecordedCrime",
        "/def/policing/snapPoint",
        "/def/crime-category",
        "/def/crime-category/burglary",
        "/def/age-band/stop-search",
        "/def/search-power",
    ],
)
def test_vocabulary_uris_dereference(release_client, path):
    response = release_client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = parse_rdf(response.get_data(as_text=True), "turtle")
    subject = URIRef(BASE + path[1:])
    assert path == "/def" or (subject, None, None) in graph


def test_every_concept_of_every_scheme_dereferences(release_client):
    scheme_list = parse_rdf(release_client.get("/def.nt").get_data(as_text=True), "nt")
    from rdflib.namespace import SKOS

    concepts = sorted(str(c) for c in scheme_list.subjects(SKOS.inScheme, None))
    assert len(concepts) > 100
    for concept in concepts:
        response = release_client.get("/" + concept[len(BASE) :] + ".nt")
        assert response.status_code == 200, concept
        assert f"<{concept}>" in response.get_data(as_text=True)


def test_the_ontology_is_one_download(release_client):
    turtle = release_client.get("/def/policing.ttl")
    graph = parse_rdf(turtle.get_data(as_text=True), "turtle")
    from rdflib.namespace import OWL, RDF, RDFS

    ontology = URIRef(f"{BASE}def/policing")
    assert (ontology, RDF.type, OWL.Ontology) in graph
    terms = set(graph.subjects(RDFS.isDefinedBy, ontology))
    assert URIRef(f"{BASE}def/policing/RecordedCrime") in terms and len(terms) > 40


@pytest.mark.parametrize(
    "path",
    [
        "/id/crime/1",
        "/id/borough/E09999999",
        "/id/lsoa/E01999999",
        "/id/organisation/no-such-force",
        "/id/snap-point/notanumber",
        "/id/crime/..%2Fetc",
        "/id/crime/" + "9" * 400,
        "/id/nothing",
    ],
)
def test_unknown_identifiers_are_404(release_client, path):
    response = release_client.get(path)
    assert response.status_code == 404
    assert "Location" not in response.headers
