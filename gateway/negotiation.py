"""Content negotiation, in one place for every interface.

An interface lists the formats it can produce, first the default; ``negotiate`` picks one
from an explicit override (a ``?_format=`` parameter or a file extension, by name,
extension or media type) or else from the ``Accept`` header, honouring q-values,
wildcards and specificity (RFC 9110, section 12.5.1). Nothing acceptable is a 406 whose
message lists what is offered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import Response, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import NotAcceptable
from werkzeug.http import parse_accept_header


@dataclass(frozen=True)
class Format:
    """A representation: its short name, media type, file extension, other media types."""

    name: str
    media_type: str
    extension: str | None = None
    aliases: tuple[str, ...] = ()
    charset: bool = True  # whether Content-Type carries "; charset=utf-8"

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type

    def matches(self, token: str) -> bool:
        token = token.strip().lower()
        return token in (self.name, self.extension, self.media_type, *self.aliases)


# Every format some interface serves. Interfaces pick their own lists from these.
HTML = Format("html", "text/html", "html", ("application/xhtml+xml",))
JSON = Format("json", "application/json", "json")
GEOJSON = Format("geojson", "application/geo+json", "geojson", ("application/vnd.geo+json",))
CSV = Format("csv", "text/csv", "csv")
TSV = Format("tsv", "text/tab-separated-values", "tsv")
TURTLE = Format("turtle", "text/turtle", "ttl", ("application/x-turtle", "ttl"))
NTRIPLES = Format("ntriples", "application/n-triples", "nt", ("text/plain", "nt"))
NQUADS = Format("nquads", "application/n-quads", "nq")
TRIG = Format("trig", "application/trig", "trig")
JSONLD = Format("jsonld", "application/ld+json", "jsonld", ("json-ld",))
RDFXML = Format("rdfxml", "application/rdf+xml", "rdf", ("xml", "rdf"))
SPARQL_JSON = Format("json", "application/sparql-results+json", "srj", ("json",))
SPARQL_XML = Format("xml", "application/sparql-results+xml", "srx", ("xml",))
SPARQL_CSV = Format("csv", "text/csv", "csv")
SPARQL_TSV = Format("tsv", "text/tab-separated-values", "tsv")

RDF_FORMATS = (TURTLE, JSONLD, NTRIPLES, RDFXML)


def accept_header(value: str | None) -> MIMEAccept:
    return parse_accept_header(value, MIMEAccept)


def choose(accept: str | None, offered: Sequence[Format], override: str | None = None) -> Format:
    """The format to answer with; the first offered when the client states no preference.

    ``override`` (a ``_format`` value or an extension) wins over ``Accept``; an override
    naming nothing offered, or an ``Accept`` header nothing offered satisfies, is a 406.
    """
    if not offered:
        raise ValueError("no formats offered")
    if override:
        for fmt in offered:
            if fmt.matches(override):
                return fmt
        raise NotAcceptable(
            f"Format {override!r} is not available here; choose one of: "
            + ", ".join(f"{f.name} ({f.media_type})" for f in offered)
            + "."
        )
    if not accept or not accept.strip():
        return offered[0]
    parsed = accept_header(accept)
    # Offer every media type a format answers to; werkzeug ranks by q-value, then by
    # specificity, then by the order offered (so the default wins ties like */*).
    offers: list[str] = []
    owner: dict[str, Format] = {}
    # Primary media types first, so a wildcard never lands on an alias.
    candidates = [(f.media_type, f) for f in offered]
    candidates += [(a, f) for f in offered for a in f.aliases if "/" in a]
    for media_type, fmt in candidates:
        if media_type not in owner:
            offers.append(media_type)
            owner[media_type] = fmt
    best = parsed.best_match(offers)
    if best is None:
        raise NotAcceptable(
            f"Nothing here matches Accept: {accept[:200]}; available: " + ", ".join(f.media_type for f in offered) + "."
        )
    return owner[best]


def negotiate(offered: Sequence[Format], override: str | None = None) -> Format:
    """``choose`` for the current request (``?_format=`` unless ``override`` is given)."""
    explicit = override if override is not None else request.args.get("_format")
    return choose(request.headers.get("Accept"), offered, explicit)


def vary_accept(response: Response) -> Response:
    """Mark a negotiated response as depending on ``Accept``."""
    response.vary.add("Accept")
    return response
