"""The published vocabulary under ``/def``: the ontology, its terms, schemes and concepts.

Descriptions come from the vocabulary package's RDF under the release's base, so the
pages, the downloads and the release's own vocabulary graph say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, QB, RDF, RDFS, SKOS

import vocab
from vocab.loader import vocabulary_graph

from .describe import new_graph

# Term kinds of the ontology page, in order, each with its heading.
TERM_KINDS = (
    (OWL.Class, "Classes"),
    (OWL.ObjectProperty, "Object properties"),
    (OWL.DatatypeProperty, "Datatype properties"),
    (QB.DimensionProperty, "Data Cube dimensions"),
    (QB.MeasureProperty, "Data Cube measures"),
    (RDFS.Datatype, "Datatypes"),
)


@dataclass
class Definition:
    """What ``/def/{path}`` describes."""

    path: str
    kind: str  # vocabulary, ontology, term, scheme, concept
    subject: URIRef
    graph: Graph


def _copy_about(source: Graph, subjects: list, target: Graph) -> None:
    pending = list(subjects)
    seen = set()
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in source.triples((node, None, None)):
            target.add(triple)
            if isinstance(triple[2], BNode):
                pending.append(triple[2])


def resolve(base: str, path: str) -> Definition | None:
    """The definition at ``{base}def/{path}`` (``path`` "" is the whole vocabulary)."""
    ns = vocab.namespaces(base)
    source = vocabulary_graph(base)
    graph = new_graph(base)
    if path == "":
        graph += source
        return Definition(path, "vocabulary", URIRef(f"{base}def"), graph)
    if path == "policing" or URIRef(f"{base}def/{path}") == ns.VERSION:
        # The ontology's versionIRI names this version, the one published.
        graph += vocab.load_ontology(base)
        return Definition(path, "ontology", ns.ONTOLOGY, graph)
    if path.startswith("policing/"):
        term = URIRef(f"{base}def/{path}")
        if (term, RDFS.isDefinedBy, ns.ONTOLOGY) not in source:
            return None
        _copy_about(source, [term], graph)
        return Definition(path, "term", term, graph)
    if path in ns.schemes:
        scheme = ns.scheme_iri(path)
        _copy_about(source, [scheme, *source.subjects(SKOS.inScheme, scheme)], graph)
        return Definition(path, "scheme", scheme, graph)
    scheme_name = path.rpartition("/")[0]
    if scheme_name in ns.schemes:
        concept = URIRef(f"{base}def/{path}")
        if (concept, SKOS.inScheme, ns.scheme_iri(scheme_name)) not in source:
            return None
        _copy_about(source, [concept], graph)
        return Definition(path, "concept", concept, graph)
    return None


def ontology_terms(definition: Definition) -> list[tuple[str, list[URIRef]]]:
    """The ontology's terms grouped by kind, for its page."""
    graph, groups, placed = definition.graph, [], set()
    for kind, heading in TERM_KINDS:
        terms = sorted(t for t in graph.subjects(RDF.type, kind) if isinstance(t, URIRef) and t not in placed)
        placed.update(terms)
        if terms:
            groups.append((heading, terms))
    return groups


def scheme_concepts(definition: Definition) -> list[URIRef]:
    concepts = definition.graph.subjects(SKOS.inScheme, definition.subject)
    return sorted(c for c in concepts if isinstance(c, URIRef))


def vocabulary_parts(base: str) -> list[tuple[URIRef, str]]:
    """The ontology and every concept scheme, for the vocabulary index."""
    ns = vocab.namespaces(base)
    return [(ns.ONTOLOGY, "policing")] + [(ns.scheme_iri(name), name) for name in ns.schemes]
