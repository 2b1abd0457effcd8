"""Validating published records, and the vocabulary itself, with pySHACL.

pySHACL is imported only when a validation runs, so importing :mod:`vocab` stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from rdflib import Graph

from vocab.loader import DEFAULT_BASE, load_shapes, vocabulary_graph


class _PreparedQueries(Graph):
    """A graph that parses each SPARQL text once, however often it is queried.

    pySHACL runs a SPARQL-based constraint once per focus node with the node bound, and
    rdflib parses the text every time (two thirds of a record sample's validation); a
    prepared query is rdflib's own way to run one text with many bindings.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepared: dict[tuple, Any] = {}

    def query(self, query_object, processor="sparql", result="sparql", initNs=None, initBindings=None, *args, **kwargs):
        if isinstance(query_object, str) and processor == "sparql":
            from rdflib.plugins.sparql import prepareQuery

            key = (query_object, tuple(sorted((initNs or {}).items())), kwargs.get("base"))
            if key not in self._prepared:
                self._prepared[key] = prepareQuery(query_object, initNs=initNs or {}, base=kwargs.get("base"))
            query_object = self._prepared[key]
        return super().query(query_object, processor, result, initNs, initBindings, *args, **kwargs)


class Validation(NamedTuple):
    """The outcome of a validation: whether it conforms, the report graph and its text."""

    conforms: bool
    report: Graph
    text: str


def validate(data: Graph, base: str = DEFAULT_BASE, shapes: Iterable[str] = ("records",)) -> Validation:
    """Validate ``data`` against the shape sets named, with the vocabulary alongside.

    The vocabulary is added to a copy of the data graph, so that code-list values are
    checked by scheme membership; ``data`` itself is left unchanged. (pySHACL's own
    ``ont_graph`` copies only RDFS and OWL axioms, not SKOS concepts.)
    """
    from pyshacl import validate as shacl_validate

    combined = _PreparedQueries(bind_namespaces="core")
    combined += vocabulary_graph(base)
    combined += data
    conforms, report, text = shacl_validate(
        combined,
        shacl_graph=load_shapes(base, shapes),
        inference="none",
        inplace=True,
        abort_on_first=False,
        allow_warnings=False,
    )
    return Validation(bool(conforms), report, str(text))


def validate_vocabulary(base: str = DEFAULT_BASE, vocabulary: Graph | None = None) -> Validation:
    """Validate the vocabulary (or a variant of it) against the SKOS and ontology quality shapes."""
    from pyshacl import validate as shacl_validate

    conforms, report, text = shacl_validate(
        vocabulary if vocabulary is not None else vocabulary_graph(base),
        shacl_graph=load_shapes(base, ("skos-quality", "ontology-quality")),
        inference="none",
        abort_on_first=False,
        allow_warnings=False,
    )
    return Validation(bool(conforms), report, str(text))
