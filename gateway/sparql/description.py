"""The SPARQL 1.1 Service Description of the endpoint (GET /sparql without a query)."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
VOID = Namespace("http://rdfs.org/ns/void#")

RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


def service_description(
    endpoint: str, graphs: list[str], *, release_id: str | None, timeout: float, max_rows: int
) -> Graph:
    """What the endpoint is and does: query language, formats, features, the dataset."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("dct", DCTERMS)
    g.bind("void", VOID)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for name in RESULT_FORMATS:
        g.add((service, SD.resultFormat, FORMATS[name]))
    # The default graph is the union of every graph of the release.
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add(
        (
            service,
            DCTERMS.description,
            Literal(
                f"Read-only SPARQL 1.1 endpoint on the Met Open Data Gateway's current release. Queries stop after "
                f"{timeout:g} s; results are cut at {max_rows:,} rows (header X-SPARQL-Truncated). "
                "SERVICE, updates and FROM outside this release are refused."
            ),
        )
    )
    dataset = BNode("dataset")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    if release_id:
        g.add((dataset, DCTERMS.identifier, Literal(release_id)))
    default = BNode("defaultGraph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    for graph_iri in graphs:
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(graph_iri)))
    return g
