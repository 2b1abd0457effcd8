"""Content negotiation of /doc and /def: Accept with q-values, extensions, ?_format=, 404, 406."""

from __future__ import annotations

import json

import pytest

from .rdf import parse_rdf

HTML, TURTLE, JSONLD = "text/html", "text/turtle", "application/ld+json"
NT, RDFXML = "application/n-triples", "application/rdf+xml"
RDFLIB = {TURTLE: "turtle", JSONLD: "json-ld", NT: "nt", RDFXML: "xml"}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, HTML),
        ("*/*", HTML),
        ("text/html", HTML),
        ("application/xhtml+xml", HTML),
        ("text/turtle", TURTLE),
        ("application/x-turtle", TURTLE),
        ("application/ld+json", JSONLD),
        ("application/n-triples", NT),
        ("application/rdf+xml", RDFXML),
        ("text/*", HTML),
        ("text/html;q=0.5, text/turtle", TURTLE),
        ("text/turtle;q=0.2, application/ld+json;q=0.9", JSONLD),
        ("application/rdf+xml;q=1.0, text/turtle;q=0.9, */*;q=0.1", RDFXML),
        ("application/json;q=1.0, application/n-triples;q=0.5", NT),
        ("text/html;q=0, */*", TURTLE),
        ("image/png, text/turtle;q=0.1", TURTLE),
        # Browsers' own header: HTML.
        ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8", HTML),
    ],
)
def test_accept_table(release_client, sample, accept, expected):
    path = sample.records["crime"][0]
    headers = {"Accept": accept} if accept is not None else {}
    for local in (f"/doc/{path}", "/def/crime-category/burglary"):
        response = release_client.get(local, headers=headers)
        assert response.status_code == 200, (local, accept)
        assert response.mimetype == expected, (local, accept)
        assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("extension", "expected"),
    [(".html", HTML), (".ttl", TURTLE), (".jsonld", JSONLD), (".nt", NT), (".rdf", RDFXML)],
)
def test_extension_overrides_accept(release_client, sample, extension, expected):
    path = sample.records["stop-and-search"][0]
    for local in (f"/doc/{path}", "/def/policing/StopAndSearch", "/def/policing", "/def"):
        response = release_client.get(local + extension, headers={"Accept": "application/rdf+xml"})
        assert response.status_code == 200, local
        assert response.mimetype == expected


def test_format_parameter(release_client, sample):
    path = sample.records["use-of-force"][0]
    response = release_client.get(f"/doc/{path}?_format=ntriples", headers={"Accept": "text/html"})
    assert response.mimetype == NT


def test_link_header_names_every_other_format(release_client, sample):
    path = sample.records["crime"][0]
    response = release_client.get(f"/doc/{path}", headers={"Accept": "text/turtle"})
    links = response.headers["Link"]
    for extension, media_type in ((".html", HTML), (".jsonld", JSONLD), (".nt", NT), (".rdf", RDFXML)):
        assert f'</doc/{path}{extension}>; rel="alternate"; type="{media_type}"' in links
    assert 'type="text/turtle"' not in links
    for alternate in links.split(", "):
        target = alternate[1 : alternate.index(">")]
        assert release_client.get(target).status_code == 200, target


def test_documents_are_cacheable_per_release_and_format(release_client, sample):
    path = sample.records["crime"][0]
    first = release_client.get(f"/doc/{path}.ttl")
    again = release_client.get(f"/doc/{path}.ttl", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert release_client.get(f"/doc/{path}.nt").headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize(
    "headers_or_query",
    [{"Accept": "image/png"}, {"Accept": "application/json"}, {"Accept": "text/csv, application/pdf;q=0.5"}],
)
def test_unsupported_types_are_406(release_client, sample, headers_or_query):
    path = sample.records["crime"][0]
    for local in (f"/doc/{path}", f"/id/{path}", "/def/policing"):
        response = release_client.get(local, headers=headers_or_query)
        assert response.status_code == 406, local
        body = response.get_json()
        assert body["error"]["status"] == 406
        assert "text/turtle" in body["error"]["message"]


def test_an_unknown_format_parameter_is_406(release_client, sample):
    response = release_client.get(f"/doc/{sample.records['crime'][0]}?_format=csv")
    assert response.status_code == 406
    assert "csv" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("media_type", [HTML, TURTLE, JSONLD, NT, RDFXML])
def test_404_comes_in_the_requested_format(release_client, media_type):
    for local in ("/doc/crime/1", "/id/crime/1", "/def/policing/NoSuchTerm", "/def/crime-category/no-such"):
        response = release_client.get(local, headers={"Accept": media_type})
        assert response.status_code == 404, local
        assert response.mimetype == media_type
        body = response.get_data(as_text=True)
        if media_type == HTML:
            assert "<h1>Not found</h1>" in body and 'lang="en-GB"' in body
        elif media_type == JSONLD:
            assert json.loads(body)["error"]["status"] == 404
            assert len(parse_rdf(body, "json-ld")) == 0
        else:
            assert len(parse_rdf(body, RDFLIB[media_type])) == 0
            assert "404" in body
