"""Filter values, resolved through the vocabulary.

A filter value may be a concept's notation or any of its labels (``burglary``,
``Misuse of Drugs Act 1971 (section 23)``, ``IC3``): it names one concept, and a record
matches when its published value is any spelling of that concept. The five high-level
ethnic groups (``white``, ``mixed``, ``asian``, ``black``, ``other``) are the
``skos:broadMatch`` crosswalks of the ethnicity schemes.
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from vocab.concepts import concept_for
from vocab.loader import vocabulary_graph
from vocab.namespaces import namespaces

from .datasets import FIVE_GROUPS

_SPELLINGS = (SKOS.notation, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)


class UnknownValue(ValueError):
    """A filter value that names no concept of its scheme."""


def concept(scheme: str, value: str, base: str) -> URIRef:
    """The concept ``value`` names in ``scheme``.

    :raise UnknownValue: with a message listing some of the values the scheme has.
    """
    try:
        return concept_for(scheme, value, base)
    except KeyError:
        examples = ", ".join(repr(v) for v in notations(scheme, base)[:12])
        raise UnknownValue(f"{value!r} is not a value of {scheme}; its values include {examples}") from None


@lru_cache(maxsize=256)
def spellings(found: URIRef, base: str) -> tuple[str, ...]:
    """Every published spelling of a concept: its notation and labels, and those of its
    exact matches in the same scheme (records keep older labels as published: the 2001
    Census "Chinese or other ethnic group - Chinese (O1)" is a spelling of A4)."""
    graph = vocabulary_graph(base)
    schemes = set(graph.objects(found, SKOS.inScheme))
    matches = {*graph.objects(found, SKOS.exactMatch), *graph.subjects(SKOS.exactMatch, found)}
    same = [found, *(m for m in matches if schemes & set(graph.objects(m, SKOS.inScheme)))]
    values = {str(o) for c in same for p in _SPELLINGS for o in graph.objects(c, p) if isinstance(o, Literal)}
    return tuple(sorted(values))


@lru_cache(maxsize=64)
def notations(scheme: str, base: str) -> tuple[str, ...]:
    graph = vocabulary_graph(base)
    found = graph.subjects(SKOS.inScheme, namespaces(base).scheme_iri(scheme))
    return tuple(sorted(str(n) for c in found for n in graph.objects(c, SKOS.notation)))


@lru_cache(maxsize=64)
def group_of_spelling(scheme: str, base: str) -> dict[str, str]:
    """Every spelling of every concept of an ethnicity scheme -> its five-group notation."""
    graph = vocabulary_graph(base)
    groups = {URIRef(namespaces(base).scheme("ethnic-group")[g]): g for g in FIVE_GROUPS}
    mapping: dict[str, str] = {}
    for found in graph.subjects(SKOS.inScheme, namespaces(base).scheme_iri(scheme)):
        group = next((groups[m] for m in graph.objects(found, SKOS.broadMatch) if m in groups), None)
        if group is None:
            continue
        for spelling in spellings(found, base):
            mapping[spelling] = group
    return mapping


def members_of_group(scheme: str, group: str, base: str) -> tuple[str, ...]:
    """The spellings of the concepts of ``scheme`` in the five-group ``group``."""
    if group not in FIVE_GROUPS:
        raise UnknownValue(f"{group!r} is not one of the five ethnic groups: {', '.join(FIVE_GROUPS)}")
    return tuple(sorted(s for s, g in group_of_spelling(scheme, base).items() if g == group))
