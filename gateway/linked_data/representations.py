"""The representations of a description: RDF serialisations, alternates and error bodies."""

from __future__ import annotations

import json

from flask import Response
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from gateway import negotiation
from gateway.errors import error_body
from gateway.negotiation import HTML, JSONLD, NTRIPLES, RDFXML, TURTLE, Format

#: What /doc and /def pages offer, the default (no Accept, or */*) first.
OFFERED: tuple[Format, ...] = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML)
RDFLIB_FORMATS = {TURTLE: "turtle", JSONLD: "json-ld", NTRIPLES: "nt", RDFXML: "xml"}
EXTENSIONS = {f".{f.extension}": f for f in OFFERED}


def split_extension(path: str) -> tuple[str, Format | None]:
    """``crime/1.ttl`` is ``crime/1`` in Turtle; a path without a known extension is itself."""
    for extension, fmt in EXTENSIONS.items():
        if path.endswith(extension) and len(path) > len(extension):
            return path[: -len(extension)], fmt
    return path, None


def serialize(graph: Graph, fmt: Format) -> str:
    """``graph`` as ``fmt``; JSON-LD compacted with the graph's prefixes as its context."""
    if fmt is JSONLD:
        used = {str(term) for triple in graph for term in triple if isinstance(term, URIRef)}
        used |= {str(term.datatype) for _, _, term in graph if isinstance(term, Literal) and term.datatype}
        context = {
            prefix: str(ns)
            for prefix, ns in graph.namespaces()
            if prefix and any(iri.startswith(str(ns)) for iri in used)
        }
        return graph.serialize(format="json-ld", context=context, auto_compact=True)
    return graph.serialize(format=RDFLIB_FORMATS[fmt])


def alternates(local: str, current: Format) -> str:
    """A ``Link`` header value naming every other representation of ``local`` (a path)."""
    links = [f'<{local}.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in OFFERED if f is not current]
    return ", ".join(links)


def rdf_response(graph: Graph, fmt: Format, local: str, status: int = 200) -> Response:
    response = Response(serialize(graph, fmt), status=status, content_type=fmt.content_type)
    return finish(response, local, fmt)


def finish(response: Response, local: str, fmt: Format) -> Response:
    """Vary and Link headers every negotiated representation carries."""
    negotiation.vary_accept(response)
    response.headers["Link"] = alternates(local, fmt)
    return response


def rdf_error_body(fmt: Format, status: int, title: str, message: str) -> str:
    """An error in an RDF format: a body that parses as an empty graph, with the message."""
    text = f"{status} {title}: {message}".replace("\n", " ")
    if fmt is JSONLD:
        return json.dumps(error_body(status, title, message))
    if fmt is RDFXML:
        safe = text.replace("--", "- -").replace("<", "&lt;")
        return f'<?xml version="1.0" encoding="utf-8"?>\n<!-- {safe} -->\n<rdf:RDF xmlns:rdf="{RDF}"/>\n'
    return f"# {text}\n"
