"""The W3C SPARQL 1.1 protocol, service-description, JSON-results and CSV/TSV-results
suites, run from their manifests against a live endpoint (``w3c_endpoint``, per backend).

Every applicable test runs as written. The protocol suite's ``update_*`` tests need a
writable store: here each of their requests must be refused with a 4xx instead.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pyoxigraph as ox
import pytest
import requests
from rdflib import RDF, Graph, Namespace, URIRef

from tests.sparql.w3c.manifests import (
    ProtocolCase,
    ResultFormatCase,
    protocol_cases,
    result_format_cases,
    service_description_cases,
)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {"application/rdf+xml", "text/turtle", "application/n-triples", "application/xhtml+xml", "text/html"}
RESULT_PARSERS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RDF_PARSERS = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt"}
# Oxigraph stores literals of XSD numeric types by value ("1.0E6"^^xsd:double comes back
# as "1000000"^^xsd:double, "-3"^^xsd:negativeInteger as -3), so numbers are compared
# by value: the suites test how results are written, not how a store keeps lexical forms.
NUMERIC = {
    f"http://www.w3.org/2001/XMLSchema#{t}"
    for t in (
        "integer", "decimal", "double", "float", "negativeInteger", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort",
        "unsignedByte",
    )
}  # fmt: skip
PROTOCOL = protocol_cases()


def _media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _send(endpoint: str, request) -> requests.Response:
    # No Accept header unless the manifest gives one (the content-type tests rely on it).
    headers = {"Accept": None, **request.headers}
    return requests.request(request.method, endpoint + request.path, headers=headers, data=request.body, timeout=30)


@pytest.mark.parametrize("case", [c for c in PROTOCOL if c.applicable], ids=lambda c: c.name)
def test_protocol(w3c_endpoint: str, case: ProtocolCase):
    for request in case.requests:
        response = _send(w3c_endpoint, request)
        assert f"{response.status_code // 100}xx" in request.statuses, (case.name, response.status_code, response.text)
        if request.expected_format == "boolean":
            assert _media_type(response) in BOOLEAN_TYPES
            result = ox.parse_query_results(response.content, format=RESULT_PARSERS[_media_type(response)])
            assert isinstance(result, ox.QueryBoolean)
            if request.expected_boolean is not None:
                assert bool(result) is request.expected_boolean
        elif request.expected_format == "tabular":
            assert _media_type(response) in TABULAR_TYPES
            result = ox.parse_query_results(response.content, format=RESULT_PARSERS[_media_type(response)])
            assert isinstance(result, ox.QuerySolutions)
            list(result)
        elif request.expected_format == "RDF":
            assert _media_type(response) in RDF_TYPES
            Graph().parse(data=response.content, format=RDF_PARSERS[_media_type(response)])


@pytest.mark.parametrize("case", [c for c in PROTOCOL if not c.applicable], ids=lambda c: c.name)
def test_update_refused(w3c_endpoint: str, case: ProtocolCase):
    """Not applicable as written (read-only endpoint): every update request gets a 4xx."""
    updates = [
        r
        for r in case.requests
        if r.headers.get("content-type", "").startswith("application/sparql-update")
        or (r.body or b"").startswith(b"update=")
    ]
    assert updates
    for request in updates:
        response = _send(w3c_endpoint, request)
        assert response.status_code in (403, 405, 415), (case.name, response.status_code)


def test_every_protocol_test_is_run():
    names = [c.name for c in PROTOCOL]
    assert len(names) == 34 and len([c for c in PROTOCOL if c.applicable]) == 27


# --- result formats -----------------------------------------------------------------------

ACCEPT = {"json": "application/sparql-results+json", "csv": "text/csv", "tsv": "text/tab-separated-values"}


def _term(term) -> tuple:
    if term is None:
        return ("unbound",)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in NUMERIC:
            return ("number", Decimal(term.value.replace("E", "e")))
        return ("literal", term.value, datatype, term.language)
    return ("iri", term.value)


def _solutions(body: bytes, fmt: ox.QueryResultsFormat):
    result = ox.parse_query_results(body, format=fmt)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    variables = [v.value for v in result.variables]
    return sorted(variables), [tuple(_term(row[v]) for v in sorted(variables)) for row in result]


def _csv_rows(text: str):
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    order = sorted(range(len(header)), key=lambda i: header[i])

    def cell(value: str):
        if value.startswith("_:"):
            return "_:"
        try:
            return Decimal(value)  # a number, compared by value (see NUMERIC)
        except ArithmeticError:
            return value

    return [header[i] for i in order], [tuple(cell(row[i]) for i in order) for row in body]


@pytest.mark.parametrize("case", result_format_cases(), ids=lambda c: c.name)
def test_result_format(w3c_endpoint: str, case: ResultFormatCase):
    response = requests.get(
        w3c_endpoint,
        params={"query": case.query.read_text(), "default-graph-uri": case.graph},
        headers={"Accept": ACCEPT[case.kind]},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert _media_type(response) == ACCEPT[case.kind]
    expected = case.result.read_bytes()
    if case.kind == "csv":
        assert _csv_rows(response.content.decode()) == _csv_rows(expected.decode())
        return
    fmt = RESULT_PARSERS[ACCEPT[case.kind]]
    assert _solutions(response.content, fmt) == _solutions(expected, fmt)


# --- service description ------------------------------------------------------------------


def _description(endpoint: str, accept: str | None) -> tuple[requests.Response, Graph]:
    response = requests.get(endpoint, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    return response, Graph().parse(data=response.content, format=RDF_PARSERS[_media_type(response)])


def check_returns_rdf(endpoint: str) -> None:
    for accept in (None, "text/turtle", "application/rdf+xml", "application/ld+json"):
        response = requests.get(endpoint, headers={"Accept": accept}, timeout=30)
        assert response.status_code == 200
        if accept:
            assert _media_type(response) == accept
        fmt = ox.RdfFormat.from_media_type(_media_type(response))
        assert fmt is not None and list(ox.parse(response.content, format=fmt)), accept


def check_has_endpoint_triple(endpoint: str) -> None:
    _, graph = _description(endpoint, "text/turtle")
    assert list(graph.subjects(SD.endpoint, URIRef(endpoint)))


def check_conforms_to_schema(endpoint: str) -> None:
    """The SD vocabulary's domains and ranges (https://www.w3.org/TR/sparql11-service-description/)."""
    _, graph = _description(endpoint, "text/turtle")
    services = list(graph.subjects(RDF.type, SD.Service))
    assert services
    languages = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
    features = {SD.DereferencesURIs, SD.UnionDefaultGraph, SD.RequiresDataset, SD.EmptyGraphs, SD.BasicFederatedQuery}
    for service in services:
        assert all(isinstance(e, URIRef) for e in graph.objects(service, SD.endpoint))
        assert set(graph.objects(service, SD.supportedLanguage)) <= languages
        assert set(graph.objects(service, SD.supportedLanguage))
        assert set(graph.objects(service, SD.feature)) <= features
        assert all(isinstance(f, URIRef) for f in graph.objects(service, SD.resultFormat))
        for dataset in graph.objects(service, SD.defaultDataset):
            assert (dataset, RDF.type, SD.Dataset) in graph
            assert len(list(graph.objects(dataset, SD.defaultGraph))) <= 1
            for named in graph.objects(dataset, SD.namedGraph):
                assert (named, RDF.type, SD.NamedGraph) in graph
                assert isinstance(graph.value(named, SD.name), URIRef)


SD_CHECKS = {
    "returns-rdf": check_returns_rdf,
    "has-endpoint-triple": check_has_endpoint_triple,
    "conforms-to-schema": check_conforms_to_schema,
}


@pytest.mark.parametrize("name", service_description_cases())
def test_service_description(w3c_endpoint: str, name: str):
    SD_CHECKS[name](w3c_endpoint)
