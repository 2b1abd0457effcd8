"""Resolving published values to concepts, and concepts back to labels.

data.police.uk publishes some code lists as slugs (crime categories, outcome codes,
stop-and-search outcome ids) and others as labels ("Person search", "Male", "Misuse of
Drugs Act 1971 (section 23)"). :func:`concept_for` accepts either: a notation, or an
exact preferred, alternative or hidden label (older and CSV spellings are alternative or
hidden labels).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS, SKOS

from vocab.loader import DEFAULT_BASE, vocabulary_graph
from vocab.namespaces import namespaces

_LABELS = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)


@dataclass
class _SchemeIndex:
    by_notation: dict[str, URIRef] = field(default_factory=dict)
    by_label: dict[str, set[URIRef]] = field(default_factory=dict)


@lru_cache(maxsize=8)
def _indexes(base: str) -> dict[str, _SchemeIndex]:
    ns = namespaces(base)
    graph = vocabulary_graph(base)
    indexes: dict[str, _SchemeIndex] = {}
    for name in ns.schemes:
        index = indexes[name] = _SchemeIndex()
        for concept in graph.subjects(SKOS.inScheme, ns.scheme_iri(name)):
            assert isinstance(concept, URIRef)
            for notation in graph.objects(concept, SKOS.notation):
                index.by_notation[str(notation)] = concept
            for predicate in _LABELS:
                for label in graph.objects(concept, predicate):
                    index.by_label.setdefault(str(label), set()).add(concept)
    return indexes


def concept_for(scheme: str, value: str, base: str = DEFAULT_BASE) -> URIRef:
    """The concept of ``scheme`` whose notation or label is exactly ``value``.

    :param scheme: a scheme name, such as ``crime-outcome`` or ``age-band/stop-search``.
    :param value: a notation (``no-further-action``, ``IC3``, ``bu-arrest``) or an exact
        label (``Offender given penalty notice``, ``Person search``).
    :raise KeyError: for an unknown scheme, or a value that names no concept of it, or
        (which the quality shapes rule out) more than one.
    """
    indexes = _indexes(base)
    if scheme not in indexes:
        raise KeyError(f"no concept scheme {scheme!r}; the schemes are {', '.join(indexes)}")
    index = indexes[scheme]
    found = set(index.by_label.get(value, ()))
    if value in index.by_notation:
        found.add(index.by_notation[value])
    if not found:
        raise KeyError(f"{value!r} is neither a notation nor a label of a concept in the {scheme!r} scheme")
    if len(found) > 1:
        names = ", ".join(sorted(found))
        raise KeyError(f"{value!r} is ambiguous in the {scheme!r} scheme: it names {names}")
    return found.pop()


def label_of(concept: URIRef, base: str = DEFAULT_BASE, lang: str = "en") -> str:
    """The preferred label of a concept (or the label of a term or the title of a scheme).

    :raise KeyError: if the vocabulary of ``base`` does not label ``concept``.
    """
    graph = vocabulary_graph(base)
    for predicate in (SKOS.prefLabel, RDFS.label, DCTERMS.title):
        labels = [label for label in graph.objects(concept, predicate) if isinstance(label, Literal)]
        for label in labels:
            if label.language == lang:
                return str(label)
        if labels:
            return str(labels[0])
    raise KeyError(f"{concept} has no label in the vocabulary published under {base}")


def is_deprecated(concept: URIRef, base: str = DEFAULT_BASE) -> bool:
    """Whether ``concept`` is deprecated (a legacy value kept so that old data resolves)."""
    return (concept, OWL.deprecated, Literal(True)) in vocabulary_graph(base)
