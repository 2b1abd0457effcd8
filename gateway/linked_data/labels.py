"""Human-readable labels and links for the terms of a description, for HTML pages."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, GEO, ORG, RDF, RDFS, SKOS
from rdflib.term import Node

import vocab
from vocab.loader import vocabulary_graph
from vocab.namespaces import STATGEO, STATID

from .describe import BOROUGH_NAMES
from .iris import href

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, DCTERMS.title)
# The classes of other vocabularies the descriptions use, labelled as those vocabularies
# label them (the vocabulary graph holds only ours): a page never shows them as bare IRIs.
EXTERNAL_LABELS = {
    str(STATGEO["Statistical-Geography"]): "Statistical Geography",
    str(ORG.Organization): "Organization",
    str(ORG.FormalOrganization): "Formal Organization",
    str(GEO.Feature): "Feature",
    str(GEO.Geometry): "Geometry",
}
# What a page calls a resource whose types are only other vocabularies' general classes.
KIND_NAMES = {
    "borough": "London borough",
    "lsoa": "lower layer super output area (LSOA)",
    "organisation": "police force",
}


@dataclass(frozen=True)
class Value:
    """One value on a page: its text, where it links (if anywhere), a note (datatype, IRI)."""

    text: str
    link: str | None = None
    note: str | None = None
    node: BNode | None = None  # a blank node, shown as a nested table


@dataclass(frozen=True)
class Row:
    label: str
    link: str
    values: tuple[Value, ...]


class Labeller:
    """Labels from the description, then the vocabulary, then the borough list."""

    def __init__(self, base: str, graph: Graph, extra: dict[str, str] | None = None) -> None:
        self.base = base
        self.graph = graph
        self.extra = extra or {}  # labels of linked resources described elsewhere
        self.vocabulary = vocabulary_graph(base)
        self.ns = vocab.namespaces(base)

    def label(self, node: Node) -> str:
        for source in (self.graph, self.vocabulary):
            for prop in LABEL_PROPERTIES:
                found = source.value(node, prop)  # type: ignore[arg-type]
                if isinstance(found, Literal):
                    return str(found)
        text = str(node)
        if text in self.extra:
            return self.extra[text]
        if text in EXTERNAL_LABELS:
            return EXTERNAL_LABELS[text]
        if text.startswith(str(STATID)):
            code = text[len(str(STATID)) :]
            return f"{BOROUGH_NAMES[code]} ({code})" if code in BOROUGH_NAMES else code
        return self.compact(text)

    def compact(self, iri: str) -> str:
        best = None
        for prefix, namespace in self.graph.namespaces():
            namespace = str(namespace)
            if prefix and iri.startswith(namespace) and (best is None or len(namespace) > len(best[1])):
                best = (prefix, namespace)
        if best is None or not iri[len(best[1]) :]:
            return iri
        return f"{best[0]}:{iri[len(best[1]) :]}"

    def link(self, iri: str) -> str:
        """The local page of ``iri``; ONS areas we publish figures for go to our own page.

        Datasets (``{base}data/...``) link to their own pages (``/data/...``, from the catalogue).
        """
        if iri.startswith(str(STATID)):
            code = iri[len(str(STATID)) :]
            if code in BOROUGH_NAMES:
                return f"/doc/borough/{code}"
            if code.startswith(("E01", "W01")):
                return f"/doc/lsoa/{code}"
        return href(iri, self.base)

    def value(self, node: Node) -> Value:
        if isinstance(node, URIRef):
            return Value(self.label(node), self.link(str(node)), str(node))
        if isinstance(node, BNode):
            return Value(self.label_of_type(node), None, None, node)
        assert isinstance(node, Literal)
        note = node.language or (self.compact(str(node.datatype)) if node.datatype else None)
        return Value(str(node), None, note)

    def main_type(self, subject: Node) -> URIRef | None:
        """The type a page names ``subject`` by: one of our vocabulary's classes if it has one."""
        types = sorted(t for t in self.graph.objects(subject, RDF.type) if isinstance(t, URIRef))
        ours = [t for t in types if (t, None, None) in self.vocabulary]
        return (ours or types or [None])[0]

    def kind_name(self, subject: Node, kind: str) -> str:
        """What a page calls ``subject`` in a sentence: "recorded crime", "London borough"."""
        if kind in KIND_NAMES:
            return KIND_NAMES[kind]
        main = self.main_type(subject)
        name = self.label(main) if main is not None else "resource"
        # "Recorded crime" reads "a recorded crime"; "LSOA" stays as it is.
        return name[:1].lower() + name[1:] if name[1:2].islower() else name

    def label_of_type(self, node: BNode) -> str:
        kind = self.graph.value(node, RDF.type)
        return self.label(kind) if kind is not None else "description"

    def rows(self, subject: Node, skip: tuple[URIRef, ...] = ()) -> list[Row]:
        """The statements about ``subject`` as rows: its types first, then by property label."""
        by_property: dict[URIRef, list[Node]] = {}
        for predicate, obj in self.graph.predicate_objects(subject):
            if predicate not in skip:
                by_property.setdefault(predicate, []).append(obj)  # type: ignore[arg-type]

        def order(prop: URIRef) -> tuple[int, str]:
            return (0 if prop == RDF.type else 1, self.label(prop).lower())

        rows = []
        for prop in sorted(by_property, key=order):
            values = sorted((self.value(o) for o in by_property[prop]), key=lambda v: v.text)
            rows.append(Row(self.label(prop), self.link(str(prop)), tuple(values)))
        return rows


def indefinite_article(phrase: str) -> str:
    """ "a" or "an" before ``phrase`` (by its sound: "an incident", "a use of force")."""
    word = phrase.split(" ", 1)[0].lower()
    vowel_sound = word[:1] in ("a", "e", "i", "o", "u") and not word.startswith(("use", "uni", "eu", "one"))
    return "an" if vowel_sound else "a"
