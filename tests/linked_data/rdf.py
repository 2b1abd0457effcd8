"""Parsing served RDF in tests."""

from __future__ import annotations

import warnings

from rdflib import Graph


def parse_rdf(text: str, rdflib_format: str) -> Graph:
    """Parse ``text``; rdflib's JSON-LD parser warns about its own use of ConjunctiveGraph."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=text, format=rdflib_format)
