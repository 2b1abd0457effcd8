"""Descriptions of published resources, as rdflib graphs read from the release.

A record, a snap point or an organisation is described by its statements in the
release's store (with its blank-node subject description and its child records: outcomes,
tactics, the point's geometry). Boroughs and LSOAs are not subjects in the store (records
point at their ONS statistical-geography URIs); their descriptions are built from the
release's tables and the borough list and carry ``owl:sameAs`` the ONS URI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import FOAF, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node
from sqlalchemy import select

import vocab
from gateway.current import Release
from gateway.internal.lookups import BOROUGHS
from gateway.publish import tables

from .iris import doc_iri, thing_iri
from .store import store_for

BOROUGH_NAMES = dict(BOROUGHS)
# Child records described with their parent, and the property that links them.
CHILD_PROPERTIES = ("outcome", "tacticUse")
MAX_STATEMENTS = 5_000  # a description is a page, never a dump


@dataclass
class Description:
    """What ``/doc/{path}`` says about ``{base}id/{path}``."""

    path: str
    iri: URIRef
    kind: str  # crime, crime/outcome, snap-point, borough, lsoa, organisation, ...
    graph: Graph
    graphs: set[str] = field(default_factory=set)  # named graphs the statements came from

    @property
    def key(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def kind_of(path: str) -> str:
    """``crime/1/outcome/2`` is a ``crime/outcome``; ``snap-point/5`` a ``snap-point``."""
    parts = path.split("/")
    return "/".join(parts[0::2])


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    # A plain string is the same literal as an xsd:string one (RDF 1.1); write it plain.
    return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))


def new_graph(base: str) -> Graph:
    graph = Graph(bind_namespaces="core")
    vocab.namespaces(base).bind(graph)
    graph.bind("foaf", FOAF)
    graph.bind("owl", OWL)
    return graph


def describe(release: Release, path: str) -> Description | None:
    """The description of ``{base}id/{path}`` in ``release``; None if it does not exist."""
    kind = kind_of(path)
    base = release.base
    graph = new_graph(base)
    iri = URIRef(thing_iri(base, path))
    if kind in ("borough", "lsoa"):
        if not _area(release, kind, path.split("/", 1)[-1] if "/" in path else "", iri, graph):
            return None
        description = Description(path, iri, kind, graph)
    else:
        store = store_for(release)
        description = Description(path, iri, kind, graph)
        if not _bounded(store, ox.NamedNode(iri), description):
            return None
        pol = vocab.namespaces(base).POL
        for name in CHILD_PROPERTIES:
            for child in list(graph.objects(iri, pol[name])):
                _bounded(store, ox.NamedNode(str(child)), description)
        for parent_property in (pol.outcome, pol.tacticUse):
            for quad in store.quads_for_pattern(None, ox.NamedNode(str(parent_property)), ox.NamedNode(iri)):
                graph.add((to_rdflib(quad.subject), parent_property, iri))
        for geometry in list(graph.objects(iri, vocab.namespaces(base).GEO.hasGeometry)):
            _bounded(store, ox.NamedNode(str(geometry)), description)
    graph.add((URIRef(doc_iri(base, path)), FOAF.primaryTopic, iri))
    return description


def _bounded(store: ox.Store, subject: ox.NamedNode | ox.BlankNode, description: Description) -> bool:
    """Add the concise bounded description of ``subject``; False if it has no statement."""
    pending, seen, found = [subject], set(), False
    while pending and len(description.graph) < MAX_STATEMENTS:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for quad in store.quads_for_pattern(node, None, None):
            found = True
            description.graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
            if quad.graph_name is not None and isinstance(quad.graph_name, ox.NamedNode):
                description.graphs.add(quad.graph_name.value)
            if isinstance(quad.object, ox.BlankNode):
                pending.append(quad.object)
    return found


def _area(release: Release, kind: str, code: str, iri: URIRef, graph: Graph) -> bool:
    ns = vocab.namespaces(release.base)
    if kind == "borough":
        name, parent = BOROUGH_NAMES.get(code), None
    else:
        with release.engine.connect() as conn:
            row = conn.execute(select(tables.lsoa).where(tables.lsoa.c.code == code)).first()
        name, parent = (row.name, row.borough_code) if row is not None else (None, None)
    if name is None:
        return False
    graph.add((iri, RDF.type, ns.STATGEO["Statistical-Geography"]))
    graph.add((iri, RDFS.label, Literal(name, lang="en")))
    graph.add((iri, SKOS.notation, Literal(code)))
    graph.add((iri, OWL.sameAs, ns.STATID[code]))
    if parent:
        graph.add((iri, ns.POL.borough, ns.STATID[parent]))
    return True
