"""The published vocabulary as the publish pipeline uses it.

Mappings are checked against it (record types, properties, schemes, concepts) and
published values are resolved to concept IRIs through it, by notation or exact label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef

import vocab
from mappings import VocabularyTerms
from vocab.namespaces import DCTERMS, PROV

# Properties of other vocabularies that mappings may use, by prefix.
PREFIXES = {"dcterms": DCTERMS, "prov": PROV, "rdfs": RDFS, "skos": SKOS}
EXTERNAL_PROPERTIES = {
    "dcterms:identifier",
    "dcterms:temporal",
    "prov:startedAtTime",
    "prov:wasDerivedFrom",
    "rdfs:label",
}
STATISTICAL_GEOGRAPHY = "statistical-geography"
GSS_CODE = re.compile(r"[EWSN]\d{8}")


class UnknownConcept(KeyError):
    """A published value that no concept of the scheme carries."""


@dataclass
class Vocabulary:
    base: str
    graph: Graph

    @property
    def pol(self) -> str:
        return f"{self.base}def/policing/"

    @cached_property
    def ns(self) -> vocab.Namespaces:
        return vocab.namespaces(self.base)

    def geo(self, term: str) -> str:
        return str(self.ns.GEO[term])

    def wgs(self, term: str) -> str:
        return str(self.ns.WGS[term])

    def org(self, term: str) -> str:
        return str(self.ns.ORG[term])

    def expand(self, curie: str) -> str:
        prefix, _, local = curie.partition(":")
        if prefix == "pol":
            return str(self.ns.POL[local])
        if prefix not in PREFIXES or not local:
            raise KeyError(curie)
        return str(PREFIXES[prefix]) + local

    @cached_property
    def record_types(self) -> frozenset[str]:
        classes = set(self.graph.subjects(RDF.type, OWL.Class)) | set(self.graph.subjects(RDF.type, RDFS.Class))
        return frozenset(str(c)[len(self.pol) :] for c in classes if str(c).startswith(self.pol))

    def has_property(self, curie: str) -> bool:
        if curie in EXTERNAL_PROPERTIES:
            return True
        if not curie.startswith("pol:"):
            return False
        try:
            self.expand(curie)
        except (KeyError, AttributeError):
            return False
        return True

    @cached_property
    def _concepts(self) -> dict[str, dict[str, str]]:
        index: dict[str, dict[str, str]] = {}
        prefix = f"{self.base}def/"
        for concept, scheme in self.graph.subject_objects(SKOS.inScheme):
            name = str(scheme)[len(prefix) :] if str(scheme).startswith(prefix) else str(scheme)
            values = index.setdefault(name, {})
            for predicate in (SKOS.notation, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
                for value in self.graph.objects(concept, predicate):
                    values.setdefault(str(value), str(concept))
        return index

    def has_scheme(self, name: str) -> bool:
        return name == STATISTICAL_GEOGRAPHY or name in self._concepts

    def has_concept(self, scheme: str, value: str) -> bool:
        if scheme == STATISTICAL_GEOGRAPHY:
            return GSS_CODE.fullmatch(value) is not None
        return value in self._concepts.get(scheme, {})

    def concept(self, scheme: str, value: str) -> str:
        """The IRI of the concept of ``scheme`` whose notation or label is ``value``."""
        if scheme == STATISTICAL_GEOGRAPHY:
            return str(self.ns.STATID[value])
        try:
            return self._concepts[scheme][value]
        except KeyError:
            raise UnknownConcept(f"no concept {value!r} in scheme {scheme!r}") from None

    def terms(self) -> VocabularyTerms:
        return VocabularyTerms(
            record_types=self.record_types,
            has_property=self.has_property,
            has_scheme=self.has_scheme,
            has_concept=self.has_concept,
        )

    def label(self, iri: str) -> str | None:
        value = self.graph.value(URIRef(iri), SKOS.prefLabel)
        return None if value is None else str(value)


def load(base: str) -> Vocabulary:
    """The vocabulary with every IRI under ``base``."""
    return Vocabulary(base=base, graph=vocab.load_vocabulary(base))
