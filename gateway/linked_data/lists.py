"""List documents, ``/doc/{type}`` in the UK URI patterns: every borough, every force."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, ORG, OWL, RDF, RDFS

import vocab
from gateway.current import Release

from .describe import BOROUGH_NAMES, new_graph, to_rdflib
from .iris import doc_iri, thing_iri
from .store import store_for

TITLES = {"borough": "London boroughs", "organisation": "Police forces"}


@dataclass
class Listing:
    """``/doc/{kind}``: the things of one type, each with its label."""

    kind: str
    title: str
    items: list[tuple[URIRef, str]]  # (identifier, label), by label
    graph: Graph


def listing(release: Release, kind: str) -> Listing | None:
    if kind not in TITLES:
        return None
    base = release.base
    graph = new_graph(base)
    document = URIRef(doc_iri(base, kind))
    graph.add((document, RDFS.label, Literal(TITLES[kind], lang="en")))
    items: list[tuple[URIRef, str]] = []
    if kind == "borough":
        ns = vocab.namespaces(base)
        for code, name in BOROUGH_NAMES.items():
            iri = URIRef(thing_iri(base, f"borough/{code}"))
            graph.add((iri, RDFS.label, Literal(name, lang="en")))
            graph.add((iri, OWL.sameAs, ns.STATID[code]))
            items.append((iri, name))
    else:
        store = store_for(release)
        organisation = ox.NamedNode(str(ORG.Organization))
        for quad in store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), organisation):
            iri = to_rdflib(quad.subject)
            label = next(store.quads_for_pattern(quad.subject, ox.NamedNode(str(RDFS.label)), None), None)
            name = label.object.value if label is not None else str(iri)
            graph.add((iri, RDFS.label, Literal(name, lang="en")))
            items.append((iri, name))  # type: ignore[arg-type]
    for iri, _ in items:
        graph.add((document, FOAF.topic, iri))
    return Listing(kind, TITLES[kind], sorted(set(items), key=lambda item: item[1]), graph)
