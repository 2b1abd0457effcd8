"""Content negotiation: q-values, wildcards, specificity, overrides, 406."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import NotAcceptable

from gateway.negotiation import HTML, JSONLD, NTRIPLES, RDF_FORMATS, RDFXML, TURTLE, choose

PAGE = (HTML, *RDF_FORMATS)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, HTML),
        ("", HTML),
        ("*/*", HTML),
        ("text/turtle", TURTLE),
        ("application/ld+json", JSONLD),
        ("application/n-triples", NTRIPLES),
        ("text/plain", NTRIPLES),
        ("application/rdf+xml", RDFXML),
        ("text/turtle;q=0.5, application/ld+json", JSONLD),
        ("text/turtle;q=0.9, application/ld+json;q=0.8, */*;q=0.1", TURTLE),
        ("text/*", HTML),
        ("application/*;q=0.2, text/turtle;q=0.1", JSONLD),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", HTML),
        ("application/rdf+xml;q=0, */*;q=0.1", HTML),
    ],
)
def test_accept_headers(accept, expected):
    assert choose(accept, PAGE) is expected


@pytest.mark.parametrize(("override", "expected"), [("ttl", TURTLE), ("jsonld", JSONLD), ("text/turtle", TURTLE)])
def test_overrides_win_over_accept(override, expected):
    assert choose("text/html", PAGE, override) is expected


def test_nothing_acceptable_is_a_406_naming_what_is_offered():
    with pytest.raises(NotAcceptable, match="text/turtle"):
        choose("image/png", PAGE)
    with pytest.raises(NotAcceptable, match="'pdf' is not available"):
        choose(None, PAGE, "pdf")
