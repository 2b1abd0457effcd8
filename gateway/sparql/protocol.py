"""The SPARQL 1.1 Protocol's query operation: what a request asks, or why it is refused.

GET ``?query=``; POST ``application/x-www-form-urlencoded`` (``query=`` in the body, the
dataset parameters in the body or the URL); POST ``application/sparql-query`` (the query
is the UTF-8 body, the dataset in the URL). Updates, by parameter or media type, are
refused first, whatever else the request holds: the endpoint is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request
from werkzeug.datastructures import MultiDict

from .checks import _READ_ONLY, QueryRefused

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
MAX_GRAPHS = 100


@dataclass(frozen=True)
class ProtocolRequest:
    text: str | None  # None: no query at all (a GET for the service description or the page)
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]


def read_request(request: Request, max_bytes: int) -> ProtocolRequest:
    """The query and dataset a request carries; ``QueryRefused`` when it breaks the protocol."""
    args = request.args
    if "update" in args or "using-graph-uri" in args or "using-named-graph-uri" in args:
        raise QueryRefused(403, _READ_ONLY)
    if request.method in ("GET", "HEAD"):  # HEAD: the same answer without its body
        return _from_parameters(args, args, allow_none=True)
    mimetype = request.mimetype
    if mimetype == UPDATE:
        raise QueryRefused(403, _READ_ONLY)
    if mimetype not in (FORM, DIRECT):
        given = f"Content-Type {mimetype}" if mimetype else "no Content-Type"
        raise QueryRefused(
            415, f"A SPARQL query sent by POST needs Content-Type {FORM} or {DIRECT}; this request has {given}."
        )
    _require_utf8(request)
    if request.content_length is not None and request.content_length > max_bytes * 4 + 4096:
        raise QueryRefused(413, f"The request body is too large; queries may be at most {max_bytes:,} bytes.")
    if mimetype == FORM:
        form = request.form
        if "update" in form:
            raise QueryRefused(403, _READ_ONLY)
        merged = MultiDict(list(args.items(multi=True)) + list(form.items(multi=True)))
        return _from_parameters(merged, merged, allow_none=False)
    # Read at most what a query of the largest size can take (also without Content-Length).
    limit = max_bytes * 4 + 4096
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise QueryRefused(413, f"The request body is too large; queries may be at most {max_bytes:,} bytes.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise QueryRefused(400, "The query is not valid UTF-8.") from None
    if "query" in args:
        raise QueryRefused(400, f"With Content-Type {DIRECT} the query is the body; do not also send query=.")
    default, named = _dataset(args)
    return ProtocolRequest(text, default, named)


def _require_utf8(request: Request) -> None:
    charset = request.mimetype_params.get("charset")
    if charset and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise QueryRefused(415, f"Queries must be sent in UTF-8, not {charset[:40]}.")


def _from_parameters(values: MultiDict, dataset_values: MultiDict, *, allow_none: bool) -> ProtocolRequest:
    queries = values.getlist("query")
    if len(queries) > 1:
        raise QueryRefused(400, f"Send exactly one query parameter; this request has {len(queries)}.")
    if not queries:
        if allow_none:
            return ProtocolRequest(None, (), ())
        raise QueryRefused(400, "The request has no query parameter.")
    default, named = _dataset(dataset_values)
    return ProtocolRequest(queries[0], default, named)


def _dataset(values: MultiDict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    default = tuple(values.getlist("default-graph-uri"))
    named = tuple(values.getlist("named-graph-uri"))
    if len(default) + len(named) > MAX_GRAPHS:
        raise QueryRefused(400, f"At most {MAX_GRAPHS} default-graph-uri and named-graph-uri values are accepted.")
    for iri in default + named:
        if not iri or any(c in iri for c in ' <>"{}|\\^`') or ":" not in iri:
            raise QueryRefused(400, f"{iri[:200]!r} is not an absolute IRI (default-graph-uri, named-graph-uri).")
    return default, named
