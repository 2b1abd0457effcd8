"""The remote backend against a real Virtuoso holding the demo release: same answers as the
embedded store, formats, row caps, deadlines, the release's graphs only, safe errors."""

from __future__ import annotations

import http.server
import json
import threading
import time
from dataclasses import replace
from types import SimpleNamespace
from typing import ClassVar

import pyoxigraph as ox
import pytest

from gateway.publish.remote_store import CATALOG_GRAPH, GRAPH_PREFIX
from gateway.sparql.backend import BackendUnavailable, MediaTypes, Query, QueryFailed, QueryTimeout
from gateway.sparql.lexer import tokenize
from gateway.sparql.remote import RemoteBackend, dataset_clauses

POL = "https://data.met.police.uk/def/policing/"
GRAPH = "https://data.met.police.uk/graph/"
PROLOGUE = f"PREFIX pol: <{POL}>\n"
BASE_IRI = "https://data.met.police.uk/sparql"  # relative IRIs resolve against the endpoint

# Questions answered the same way by both stores (SELECT and ASK: the result set is defined).
SAME_ANSWERS = [
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type",
    f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}map-points> {{ ?s ?p ?o }} }}",
    f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}map-points> WHERE {{ ?s ?p ?o }}",
    f"PREFIX g: <{GRAPH}> SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH g:organisations {{ ?s ?p ?o }} }} GROUP BY ?p",
    "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a pol:StopAndSearch ; pol:searchType ?type } GROUP BY ?type",
    "SELECT ?month (COUNT(?s) AS ?n) WHERE { ?s pol:month ?month } GROUP BY ?month",
    "SELECT ?s ?label WHERE { ?s a pol:SnapPoint ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
    " ORDER BY ?s LIMIT 25",
    "ASK { ?s a pol:StopAndSearch }",
    "ASK { ?s a <https://example.org/Nothing> }",
    # Virtuoso matches an empty GRAPH ?g pattern nowhere: the backend lists the graphs itself.
    "SELECT ?g WHERE { GRAPH ?g { } }",
    # A graph IRI outside GRAPH is a plain IRI: not the stored graph's name.
    f"SELECT (STRLEN(STR(<{GRAPH}map-points>)) AS ?n) WHERE {{}}",
    # Relative IRIs resolve against the endpoint unless the query has a BASE of its own.
    "SELECT (STR(<x>) AS ?x) WHERE {}",
    "BASE <http://example.org/a/> SELECT (STR(<x>) AS ?x) WHERE {}",
]


def query(text: str, form: str | None = "SELECT", *, media_type: str | None = None, **changes) -> Query:
    """A query for the backend; ``media_type`` is the negotiated one for its form."""
    results, graph = "application/sparql-results+json", "text/turtle"
    if media_type is not None and form in ("CONSTRUCT", "DESCRIBE"):
        graph = media_type
    elif media_type is not None:
        results = media_type
    base = Query(PROLOGUE + text, form, (), (), MediaTypes(results, graph), 10_000, 20.0)
    return replace(base, **changes)


@pytest.fixture(scope="module")
def backend(remote_release, virtuoso_server):
    backend = RemoteBackend(virtuoso_server.endpoint)
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def embedded(remote_release):
    return ox.Store.read_only(str(remote_release.store_path))


def rows(body: bytes) -> list[tuple] | bool:
    """A results document as a sorted list of rows of (variable, term) pairs, or its boolean."""
    document = json.loads(body)
    if "boolean" in document:
        return document["boolean"]
    found = []
    for binding in document["results"]["bindings"]:
        found.append(tuple(sorted((k, v["type"], v["value"], v.get("datatype", "")) for k, v in binding.items())))
    return sorted(found)


def embedded_rows(store: ox.Store, text: str) -> list[tuple] | bool:
    # A FROM clause gives the dataset; otherwise the default graph is the union.
    result = store.query(PROLOGUE + text, use_default_graph_as_union="FROM" not in text, base_iri=BASE_IRI)
    if isinstance(result, bool):
        return result
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    return rows(result.serialize(format=ox.QueryResultsFormat.JSON))


@pytest.mark.parametrize("text", SAME_ANSWERS)
def test_same_answers_as_the_embedded_store(backend, embedded, remote_release, text):
    form = "ASK" if text.startswith("ASK") else "SELECT"
    answer = backend.run(remote_release, query(text, form))
    assert answer.media_type == "application/sparql-results+json"
    assert rows(answer.body) == embedded_rows(embedded, text)
    assert answer.truncated is False


def test_construct_gives_the_embedded_stores_triples(backend, embedded, remote_release):
    text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH}organisations> {{ ?s ?p ?o }} }}"
    answer = backend.run(remote_release, query(text, "CONSTRUCT", media_type="application/n-triples"))
    remote = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)}
    local = set(embedded.query(PROLOGUE + text, use_default_graph_as_union=True))
    assert remote == local and answer.rows == len(local) > 0


def test_describe_covers_what_the_embedded_store_describes(backend, embedded, remote_release):
    # DESCRIBE is implementation-defined: Virtuoso adds statements about the resource as an
    # object; every statement pyoxigraph gives must be there.
    point = next(
        iter(
            embedded.query(
                f"SELECT ?s WHERE {{ GRAPH <{GRAPH}map-points> {{ ?s a pol:SnapPoint }} }} LIMIT 1",
                prefixes={"pol": POL},
            )
        )
    )["s"]
    text = f"DESCRIBE <{point.value}>"
    answer = backend.run(remote_release, query(text, "DESCRIBE", media_type="text/turtle"))
    remote = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(answer.body, format=ox.RdfFormat.TURTLE)}
    local = set(embedded.query(text, use_default_graph_as_union=True))
    assert local and local <= remote


@pytest.mark.parametrize(
    ("media_type", "check"),
    [
        ("application/sparql-results+xml", lambda b: b.startswith(b"<?xml") and b"<result>" in b),
        ("text/csv", lambda b: b.startswith(b"month,n\r\n")),
        ("text/tab-separated-values", lambda b: b.startswith(b"?month\t?n\n")),
        ("application/sparql-results+json", lambda b: json.loads(b)["head"]["vars"] == ["month", "n"]),
    ],
)
def test_results_in_the_negotiated_format(backend, remote_release, media_type, check):
    text = "SELECT ?month (COUNT(?s) AS ?n) WHERE { ?s pol:month ?month } GROUP BY ?month"
    answer = backend.run(remote_release, query(text, media_type=media_type))
    assert answer.media_type == media_type and check(answer.body) and answer.rows > 0


@pytest.mark.parametrize(
    ("media_type", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_graphs_in_the_negotiated_format(backend, remote_release, media_type, fmt):
    text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH}organisations> {{ ?s ?p ?o }} }}"
    answer = backend.run(remote_release, query(text, "CONSTRUCT", media_type=media_type))
    assert len(list(ox.parse(answer.body, format=fmt))) == answer.rows > 0


def test_rows_beyond_the_cap_are_cut_and_said_so(backend, remote_release):
    text = "SELECT ?s WHERE { ?s a pol:SnapPoint }"
    answer = backend.run(remote_release, query(text, max_rows=7))
    assert answer.truncated is True and answer.rows == 7
    assert len(json.loads(answer.body)["results"]["bindings"]) == 7
    exact = backend.run(remote_release, query("SELECT ?s WHERE { ?s a pol:SnapPoint } LIMIT 7", max_rows=7))
    assert exact.truncated is False and exact.rows == 7
    graph = backend.run(
        remote_release,
        query(
            "CONSTRUCT { ?s a pol:SnapPoint } WHERE { ?s a pol:SnapPoint }",
            "CONSTRUCT",
            media_type="application/n-triples",
            max_rows=5,
        ),
    )
    assert graph.truncated is True and graph.rows == 5 and graph.body.count(b"\n") == 5


def test_a_query_past_its_deadline_is_stopped(backend, remote_release):
    heavy = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}map-points> "
        "{ ?s ?p ?o . ?s2 ?p ?o2 FILTER(STR(?o) < STR(?o2)) } }"
    )
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="1 s limit"):
        backend.run(remote_release, query(heavy, timeout=1.0))
    assert time.monotonic() - started < 8
    # and the store answers the next query at once
    assert rows(backend.run(remote_release, query("ASK { ?s ?p ?o }", "ASK")).body) is True


def test_the_default_graph_is_the_release_and_nothing_else(backend, remote_release):
    graphs = rows(backend.run(remote_release, query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")).body)
    names = {row[0][2] for row in graphs}
    assert names and all(n.startswith(GRAPH) for n in names)
    sneaky = [
        f"SELECT * WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{CATALOG_GRAPH}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{CATALOG_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { GRAPH <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o } }",
        f"SELECT * WHERE {{ GRAPH <{GRAPH_PREFIX}19990101T000000Z:{GRAPH}map-points> {{ ?s ?p ?o }} }}",
    ]
    for text in sneaky:
        assert rows(backend.run(remote_release, query(text)).body) == [], text


def test_the_protocol_dataset_maps_to_the_releases_graphs(backend, remote_release):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    points = backend.run(remote_release, query(count, default_graphs=(f"{GRAPH}map-points",)))
    (row,) = rows(points.body)
    assert int(row[0][2]) > 0
    unknown = backend.run(remote_release, query(count, default_graphs=("http://example.org/data0.rdf",)))
    assert rows(unknown.body)[0][0][2] == "0"
    assert rows(backend.run(remote_release, query("ASK {}", "ASK", default_graphs=("http://x/",))).body) is True
    named_only = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    answer = backend.run(remote_release, query(named_only, default_graphs=(f"{GRAPH}map-points",)))
    assert rows(answer.body) == []  # the named graphs are then the (empty) protocol ones


def test_nothing_private_is_in_the_store(backend, remote_release):
    text = 'ASK { ?s ?p ?o FILTER(CONTAINS(STR(?o), "CANARY") || CONTAINS(STR(?s), "CANARY")) }'
    assert rows(backend.run(remote_release, query(text, "ASK")).body) is False


@pytest.mark.parametrize(
    "text",
    [
        'SELECT (bif:sprintf("%s", "x") AS ?x) WHERE {}',
        'PREFIX b: <bif:> SELECT (b:http_get("http://127.0.0.1:1/") AS ?x) WHERE {}',
        'SELECT (<sql:anything>("x") AS ?x) WHERE {}',
    ],
)
def test_the_stores_own_functions_are_refused(backend, remote_release, text):
    with pytest.raises(QueryFailed, match="bif:, sql:"):
        backend.run(remote_release, query(text))


def test_engine_text_never_reaches_the_message(backend, remote_release):
    with pytest.raises(QueryFailed) as failure:
        backend.run(remote_release, query("SELECT * WHERE { ?s ?p ?o . ?a ?b ?c . ?d ?e ?f }"))
    assert "Virtuoso" not in str(failure.value) and "SELECT" not in str(failure.value)


def test_a_release_not_loaded_is_unavailable(backend, remote_release):
    with pytest.raises(BackendUnavailable, match="has not loaded release 19990101T000000Z"):
        backend.run(SimpleNamespace(id="19990101T000000Z"), query("ASK {}", "ASK"))


def test_an_unreachable_store_is_unavailable(remote_release):
    from tests.live import free_port

    backend = RemoteBackend(f"http://127.0.0.1:{free_port()}/sparql")
    with pytest.raises(BackendUnavailable, match="cannot be reached"):
        backend.run(remote_release, query("ASK {}", "ASK"))


def test_the_lexer_keeps_the_text_and_finds_the_dataset():
    text = 'PREFIX g: <http://g/> # FROM <http://comment/>\nSELECT "FROM <http://s/>" FROM g:a FROM NAMED <http://b> {}'
    assert "".join(v for _, v in tokenize(text)) == text
    assert dataset_clauses(text) == (["http://g/a"], ["http://b"])


def test_queries_reuse_one_kept_alive_connection(remote_release, virtuoso_server):
    backend = RemoteBackend(virtuoso_server.endpoint)
    try:
        for _ in range(5):
            assert rows(backend.run(remote_release, query("ASK { ?s ?p ?o }", "ASK")).body) is True
        pool = backend._pool.connection_from_url(virtuoso_server.endpoint)
        assert pool.num_connections == 1 and pool.num_requests == 6  # the catalogue, then five queries
    finally:
        backend.close()


class _ClosingStore(http.server.BaseHTTPRequestHandler):
    """A store that keeps connections alive, then drops one as the next request arrives on it.

    That is the race a pool of kept-alive connections meets when a store closes idle ones.
    """

    protocol_version = "HTTP/1.1"
    answered: ClassVar[list[str]] = []
    dropped: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        if getattr(self, "served", 0):
            type(self).dropped.append(self.path)
            self.close_connection = True  # no answer at all
            return
        self.served = 1
        if not type(self).answered:  # the first request asks which graphs the release has
            graphs = [{"g": {"type": "uri", "value": f"{GRAPH_PREFIX}R:{GRAPH}map-points"}}]
            body = json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": graphs}}).encode()
        else:
            body = json.dumps({"head": {}, "boolean": True}).encode()
        type(self).answered.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_a_connection_the_store_dropped_is_replaced_without_an_error():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ClosingStore)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    backend = RemoteBackend(f"http://127.0.0.1:{server.server_port}/sparql")
    release = SimpleNamespace(id="R", base="https://data.met.police.uk/")
    try:
        for _ in range(3):
            assert rows(backend.run(release, query("ASK { ?s ?p ?o }", "ASK")).body) is True
        # the catalogue and three queries answered; each query first met a dropped connection
        assert len(_ClosingStore.answered) == 4 and len(_ClosingStore.dropped) == 3
    finally:
        backend.close()
        server.shutdown()
        server.server_close()


def test_the_store_itself_refuses_service_and_its_sponger(virtuoso_server, listener):
    # Asked directly, no gateway in between: Virtuoso refuses SERVICE and FROM-fetching to
    # the SPARQL account (as installed, without SPARQL_LOAD_SERVICE_DATA or SPARQL_SPONGE),
    # so nothing leaves even if the gateway's checks were wrong.
    import requests

    url, hits = listener
    for text in (
        f"SELECT * WHERE {{ SERVICE <{url}a> {{ ?s ?p ?o }} }}",
        f'SELECT ?x WHERE {{ BIND("\\u0022" AS ?a) SERVICE <{url}b> {{?s ?p ?o}} BIND("\\u0022" AS ?b) }}',
        f'DEFINE get:soft "replace" SELECT * FROM <{url}c> WHERE {{ ?s ?p ?o }}',
    ):
        response = requests.post(
            virtuoso_server.endpoint, data={"query": text}, headers={"Accept": "application/sparql-results+json"}
        )
        assert response.status_code == 500 and "SECURITY" in response.text, response.text[:300]
    time.sleep(0.2)
    assert hits == []


def test_the_full_check_runs_in_a_check_process_and_refuses_service(backend, remote_release, listener):
    from gateway.sparql.checks import QueryRefused, canonical_text

    url, hits = listener
    bypass = f'SELECT ?x WHERE {{ BIND("\\u0022" AS ?a) SERVICE <{url}x> {{?s ?p ?o}} BIND("\\u0022" AS ?b) }}'
    answer = backend.run(remote_release, query(canonical_text(bypass), None))  # one long string: no SERVICE
    assert answer.form == "SELECT"
    with pytest.raises(QueryRefused, match="SERVICE is not allowed"):
        backend.run(remote_release, query(canonical_text(f"SELECT * WHERE {{ SERV\\u0049CE <{url}> {{}} }}"), None))
    assert hits == []
