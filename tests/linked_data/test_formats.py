"""Every RDF serialisation parses with rdflib and says the same thing in every format."""

from __future__ import annotations

from rdflib import Graph
from rdflib.compare import isomorphic, to_isomorphic

from .rdf import parse_rdf

FORMATS = {".ttl": "turtle", ".jsonld": "json-ld", ".nt": "nt", ".rdf": "xml"}
LIST_AND_VOCABULARY_PAGES = [
    "/doc/borough",
    "/doc/organisation",
    "/def",
    "/def/policing",
    "/def/policing/ageBand",
    "/def/crime-outcome",
    "/def/ic-code/IC1",
]


def _parsed(client, local: str) -> dict[str, Graph]:
    graphs = {}
    for extension, rdflib_format in FORMATS.items():
        response = client.get(local + extension)
        assert response.status_code == 200, local + extension
        graphs[extension] = parse_rdf(response.get_data(as_text=True), rdflib_format)
    return graphs


def test_documents_are_isomorphic_across_formats(release_client, sample):
    locals_ = [f"/doc/{path}" for path in sample.all()] + LIST_AND_VOCABULARY_PAGES
    for local in locals_:
        graphs = _parsed(release_client, local)
        reference = to_isomorphic(graphs[".nt"])
        assert len(reference) > 0, local
        for extension, graph in graphs.items():
            assert isomorphic(reference, graph), (local, extension)


def test_subject_descriptions_come_with_their_record(release_client, sample):
    """The blank-node subject description of a stop is part of its document."""
    from rdflib import BNode, URIRef

    path = sample.records["stop-and-search"][0]
    graph = _parsed(release_client, f"/doc/{path}")[".ttl"]
    iri = URIRef(f"https://data.met.police.uk/id/{path}")
    subjects = [o for o in graph.objects(iri, URIRef("https://data.met.police.uk/def/policing/subject"))]
    assert subjects and all(isinstance(s, BNode) for s in subjects)
    assert len(list(graph.predicate_objects(subjects[0]))) >= 2
