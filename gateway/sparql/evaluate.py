"""Run one checked query on an open pyoxigraph store: the dataset, the row cap, the bytes.

This is what an embedded worker process does for each query (``gateway.sparql.worker``);
it has no Flask and no HTTP, so the benchmark and the tests can call it in-process.

Rows are cut at ``max_rows``: solutions and triples are read lazily, one more than the cap
to know whether anything was cut, and only those are serialised. Solutions are written
as SPARQL TSV (RDF term syntax, lossless) and read back by pyoxigraph's own results
parser, so every output format still comes from pyoxigraph's serialisers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
# Prefixes Turtle output uses, so CONSTRUCT results read well.
COMMON_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dct": "http://purl.org/dc/terms/",
}


@dataclass(frozen=True)
class Evaluated:
    body: bytes
    rows: int | None  # None for ASK
    truncated: bool


def dataset_arguments(default_graphs: Sequence[str], named_graphs: Sequence[str]) -> dict:
    """``Store.query`` keywords for a dataset: the one given, or the union of every graph.

    A dataset given by the protocol (or by the query's FROM, which the checks turn into
    the same lists) replaces the union; a part left out is empty, as the protocol says.
    """
    if not default_graphs and not named_graphs:
        return {"use_default_graph_as_union": True}
    return {
        "default_graph": [ox.NamedNode(g) for g in default_graphs],
        "named_graphs": [ox.NamedNode(g) for g in named_graphs],
    }


def evaluate(
    store: ox.Store,
    text: str,
    *,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    media_type: str,
    max_rows: int,
    base_iri: str | None = None,
    prefixes: dict[str, str] | None = None,
) -> Evaluated:
    """Evaluate ``text`` and serialise it as ``media_type`` (raises pyoxigraph's errors).

    ``prefixes`` may be used in the query without being declared, and name IRIs in Turtle.
    """
    result = store.query(text, base_iri=base_iri, prefixes=prefixes, **dataset_arguments(default_graphs, named_graphs))
    if isinstance(result, ox.QueryBoolean):
        return Evaluated(result.serialize(format=RESULT_FORMATS[media_type]), None, False)
    if isinstance(result, ox.QuerySolutions):
        return _solutions(result, media_type, max_rows)
    return _triples(result, media_type, max_rows, prefixes)


def _solutions(solutions: ox.QuerySolutions, media_type: str, max_rows: int) -> Evaluated:
    variables = solutions.variables
    rows = list(islice(solutions, max_rows + 1))
    truncated = len(rows) > max_rows
    rows = rows[:max_rows]
    lines = ["\t".join(str(v) for v in variables)]
    # str() of a term is its N-Triples form, with tabs and newlines escaped: valid TSV.
    lines += ["\t".join("" if row[v] is None else str(row[v]) for v in variables) for row in rows]
    tsv = ("\n".join(lines) + "\n").encode()
    reparsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    body = reparsed.serialize(format=RESULT_FORMATS[media_type])
    if truncated and media_type == "application/sparql-results+json" and body.startswith(b"{"):
        # The explicit signal in the body (clients that read only JSON see it too).
        body = b'{"truncated":true,' + body[1:]
    return Evaluated(body, len(rows), truncated)


def _triples(triples: ox.QueryTriples, media_type: str, max_rows: int, prefixes: dict[str, str] | None) -> Evaluated:
    kept = list(islice(triples, max_rows + 1))
    truncated = len(kept) > max_rows
    kept = kept[:max_rows]
    fmt = GRAPH_FORMATS[media_type]
    use_prefixes = {**COMMON_PREFIXES, **(prefixes or {})} if fmt == ox.RdfFormat.TURTLE else None
    body = ox.serialize(kept, format=fmt, prefixes=use_prefixes)
    return Evaluated(body or b"", len(kept), truncated)
