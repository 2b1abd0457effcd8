"""The VoID description of a release (``/.well-known/void``, VoID section 7).

The release is one ``void:Dataset`` (``{base}data/release``, the same IRI as in the DCAT
catalogue) with its triple count, SPARQL endpoint, N-Quads dump, URI space, example
resources and vocabularies; each published dataset and statistical cube is a
``void:subset`` with its own triple count; ``void:Linkset``s count the links to the ONS
statistical geographies (``pol:borough``, ``pol:lsoa`` on records and map points,
``sdmx-dimension:refArea`` on cube observations).

Triple counts come from the release's store, counted once per release and process (about a
second on the demo release) and forgotten when the release is retired.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pyoxigraph
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from vocab.namespaces import (
    GEO,
    OGL_V3,
    ORG,
    PROV,
    QB,
    SDMX_ATTR,
    SDMX_DIM,
    SKOS,
    STATID,
    VOID,
    WGS,
    namespaces,
)

from .dcat import SERIES, cube_title
from .terms import DCAT, FOAF, ONS_GEOGRAPHY

EXAMPLE_CLASSES = ("RecordedCrime", "StopAndSearch", "UseOfForce", "SnapPoint")


@dataclass(frozen=True)
class StoreFigures:
    triples_by_graph: dict[str, int]
    links: dict[str, int]  # link predicate IRI -> statements
    examples: tuple[str, ...]


_figures: dict[str, StoreFigures] = {}
_lock = threading.Lock()


def figures(release) -> StoreFigures:
    """What the description counts in ``release``'s store, cached per release id."""
    with _lock:
        if release.id not in _figures:
            _figures[release.id] = _count(release)
        return _figures[release.id]


def forget(release) -> None:
    with _lock:
        _figures.pop(release.id, None)


def _count(release) -> StoreFigures:
    ns = namespaces(release.base)
    store = pyoxigraph.Store.read_only(str(release.store_path))
    try:
        by_graph = {
            row["g"].value: int(row["n"].value)
            for row in store.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        }
        links = {}
        for predicate in (str(ns.POL.borough), str(ns.POL.lsoa), str(SDMX_DIM.refArea)):
            query = f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ ?s <{predicate}> ?o }} }}"
            links[predicate] = int(next(iter(store.query(query)))["n"].value)
        examples = []
        for name in EXAMPLE_CLASSES:
            query = f"SELECT ?s {{ GRAPH ?g {{ ?s a <{ns.POL[name]}> }} }} LIMIT 1"
            examples.extend(row["s"].value for row in store.query(query))
        query = f"SELECT ?s {{ GRAPH ?g {{ ?s a <{QB.Observation}> }} }} LIMIT 1"
        examples.extend(row["s"].value for row in store.query(query))
    finally:
        del store
    return StoreFigures(by_graph, links, tuple(examples))


def description(release) -> Graph:
    """The VoID description of ``release`` (a ``gateway.current.Release``)."""
    base, manifest = release.base, release.manifest
    ns = namespaces(release.base)
    counted = figures(release)
    graph = ns.bind(Graph(bind_namespaces="core"))
    graph.bind("void", VOID)
    graph.bind("foaf", FOAF)
    add = graph.add
    dataset = ns.DATA["release"]
    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, DCTERMS.title, Literal(f"Metropolitan Police open data, release {release.id}", lang="en")))
    add((dataset, DCTERMS.description, Literal(_DESCRIPTION, lang="en")))
    add((dataset, DCTERMS.publisher, ns.ID["organisation/metropolitan"]))
    add((dataset, DCTERMS.license, OGL_V3))
    add(
        (dataset, DCTERMS.modified, Literal(release.created_at.replace(tzinfo=None).isoformat(), datatype=XSD.dateTime))
    )
    add((dataset, FOAF.homepage, URIRef(f"{base}catalog")))
    add((dataset, VOID.sparqlEndpoint, URIRef(f"{base}sparql")))
    add((dataset, VOID.dataDump, URIRef(f"{base}downloads/dumps/release.nq.gz")))
    add((dataset, VOID.uriSpace, Literal(f"{base}id/")))
    add((dataset, VOID.triples, Literal(sum(counted.triples_by_graph.values()), datatype=XSD.integer)))
    add((dataset, VOID.entities, Literal(_records(manifest), datatype=XSD.integer)))
    for example in counted.examples:
        add((dataset, VOID.exampleResource, URIRef(example)))
    for vocabulary in (ns.ONTOLOGY, *(URIRef(str(v)) for v in _VOCABULARIES)):
        add((dataset, VOID.vocabulary, vocabulary))

    for name, months in sorted(manifest.get("counts", {}).items()):
        subset = ns.DATA[name]
        prefix = f"{base}graph/{name}/"
        triples = sum(n for g, n in counted.triples_by_graph.items() if g.startswith(prefix))
        _subset(graph, dataset, subset, SERIES.get(name, (name,))[0], triples)
        add((subset, VOID.entities, Literal(sum(months.values()), datatype=XSD.integer)))
    for name, cube in sorted(manifest.get("cubes", {}).get("datasets", {}).items()):
        # The cube's dataset, and its observations in a graph per period.
        graphs = counted.triples_by_graph.items()
        triples = sum(n for g, n in graphs if g == cube["graph"] or g.startswith(cube["graph"] + "/"))
        _subset(graph, dataset, URIRef(cube["dataset"]), cube_title(name), triples)
        add((URIRef(cube["dataset"]), VOID.entities, Literal(cube["observations"], datatype=XSD.integer)))

    ons = ONS_GEOGRAPHY
    add((ons, RDF.type, VOID.Dataset))
    add((ons, DCTERMS.title, Literal("ONS statistical geographies", lang="en")))
    add((ons, FOAF.homepage, ons))
    add((ons, VOID.uriSpace, Literal(str(STATID))))
    add((ons, VOID.sparqlEndpoint, URIRef(f"{ons}sparql")))
    for predicate, n in counted.links.items():
        local = predicate.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        linkset = URIRef(f"{base}.well-known/void#ons-{local}")
        add((linkset, RDF.type, VOID.Linkset))
        add((linkset, DCTERMS.title, Literal(f"Links to ONS statistical geographies through {local}", lang="en")))
        add((dataset, VOID.subset, linkset))
        add((linkset, VOID.subjectsTarget, dataset))
        add((linkset, VOID.objectsTarget, ons))
        add((linkset, VOID.linkPredicate, URIRef(predicate)))
        add((linkset, VOID.triples, Literal(n, datatype=XSD.integer)))
    return graph


def _subset(graph: Graph, dataset: URIRef, subset: URIRef, title: str, triples: int) -> None:
    """A subset; its triples when it has graphs of its own (outcomes live in their crimes' graphs)."""
    graph.add((dataset, VOID.subset, subset))
    graph.add((subset, RDF.type, VOID.Dataset))
    graph.add((subset, DCTERMS.title, Literal(title, lang="en")))
    if triples:
        graph.add((subset, VOID.triples, Literal(triples, datatype=XSD.integer)))


def _records(manifest: dict) -> int:
    return sum(sum(months.values()) for months in manifest.get("counts", {}).values())


_VOCABULARIES = (QB, SKOS, DCTERMS, PROV, GEO, WGS, ORG, DCAT, SDMX_DIM, SDMX_ATTR)
_DESCRIPTION = (
    "The anonymised public release of Metropolitan Police Service data as RDF: recorded crimes and their "
    "outcomes, anti-social behaviour, stops and searches, uses of force, map points and statistical cubes."
)
