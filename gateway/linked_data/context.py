"""The JSON-LD context of the JSON API's records, at ``/def/policing/context.jsonld``.

Built from the mappings, so it follows them: every published field name maps to the
vocabulary property its mapping names. Field names that mean different properties in
different record types (``outcome``, ``category``) are defined in a context scoped to
each record type (JSON-LD 1.1), which applies to a record carrying ``"@type"`` (not
aliased: ``type`` is a field of stops and searches); names
with one meaning are also defined at the top. Coded fields whose published values are
the notations of their concept scheme expand to the concepts' IRIs; fields published as
labels stay literals.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

import vocab
from gateway.current import Release
from gateway.publish import tables
from gateway.publish.vocabulary import PREFIXES, STATISTICAL_GEOGRAPHY

from .figures import internal_mappings

if TYPE_CHECKING:  # the mapping loader is heavy to import: only when a context is built
    from mappings import Field, Mapping

XSD_TYPES = {"month": "gYearMonth", "utc-datetime": "dateTime", "boolean": "boolean", "flag": "boolean"}


def expand(base: str, curie: str) -> str:
    prefix, _, local = curie.partition(":")
    if prefix == "pol":
        return str(vocab.namespaces(base).POL[local])
    return str(PREFIXES[prefix]) + local


def _notation_valued(release: Release, mapping: Mapping, f: Field) -> bool:
    """Whether every published value of ``f`` is a notation of its scheme."""
    table = tables.TABLE_OF_RECORD.get(mapping.record, (None, None))[0]
    if table is None or f.name not in table.c:
        return False
    namespace = vocab.namespaces(release.base).scheme(f.scheme)
    with release.engine.connect() as conn:
        values = [v for (v,) in conn.execute(select(table.c[f.name]).distinct().limit(1000)) if v is not None]
    return bool(values) and all(_is_notation(namespace, str(v)) for v in values)


def _is_notation(namespace, value: str) -> bool:
    try:
        namespace[value]
    except (KeyError, AttributeError):
        return False
    return True


def _term(release: Release, mapping: Mapping, f: Field) -> dict[str, Any]:
    base = release.base
    definition: dict[str, Any] = {"@id": expand(base, f.property)}
    if f.scheme == STATISTICAL_GEOGRAPHY:
        # GSS codes are the keys of the ONS statistical-geography URIs.
        definition.update({"@type": "@vocab", "@context": {"@vocab": str(vocab.namespaces(base).STATID)}})
    elif f.lookup == "force":
        # Forces publish as their data.police.uk ids, the keys of the organisations' IRIs.
        definition.update({"@type": "@vocab", "@context": {"@vocab": str(vocab.namespaces(base).ID["organisation/"])}})
    elif f.scheme and f.transform != "flag" and _notation_valued(release, mapping, f):
        scheme_ns = str(vocab.namespaces(base).scheme_iri(f.scheme)) + "/"
        definition.update({"@type": "@vocab", "@context": {"@vocab": scheme_ns}})
    elif f.transform in XSD_TYPES:
        definition["@type"] = str(vocab.namespaces(base).XSD[XSD_TYPES[f.transform]])
    return definition


@lru_cache(maxsize=4)
def _context(release: Release) -> dict[str, Any]:
    base = release.base
    ns = vocab.namespaces(base)
    mappings = internal_mappings(base).mappings
    scoped: dict[str, dict[str, Any]] = {}
    meanings: dict[str, set[str]] = {}
    for mapping in mappings:
        terms = {}
        for f in mapping.fields:
            if f.property is None:
                continue
            terms[f.name] = _term(release, mapping, f)
            meanings.setdefault(f.name, set()).add(repr(sorted(terms[f.name].items(), key=str)))
        scoped[mapping.record] = terms
    context: dict[str, Any] = {"@version": 1.1, "uri": "@id", "pol": str(ns.POL)}
    # Fields the API adds to the mapped ones: a record's map point, its last outcome.
    context["latitude"] = {"@id": str(ns.WGS.lat)}
    context["longitude"] = {"@id": str(ns.WGS.long)}
    outcomes = str(ns.scheme_iri("crime-outcome")) + "/"
    context["last_outcome"] = {"@id": str(ns.POL.lastOutcome), "@type": "@vocab", "@context": {"@vocab": outcomes}}
    for mapping in mappings:
        for name, definition in scoped[mapping.record].items():
            if len(meanings[name]) == 1:
                context.setdefault(name, definition)
    for record, terms in scoped.items():
        context[record] = {"@id": str(ns.POL[record]), "@context": terms}
    return {"@context": context}


def context_document(release: Release) -> dict[str, Any]:
    """The context document of ``release`` (cached per release)."""
    return _context(release)
