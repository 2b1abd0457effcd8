"""Safety: read-only, no outbound traffic, limits, and no engine text or private data out."""

from __future__ import annotations

import pytest

from gateway.sparql.slots import ClientSlots, TooManyQueries
from tests.sparql.conftest import POL


def message(response) -> str:
    return response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "GET", "query_string": {"update": "CLEAR ALL"}},
        {"method": "POST", "data": {"update": "INSERT DATA { <a:s> <a:p> <a:o> }"}},
        {"method": "POST", "data": "CLEAR ALL", "content_type": "application/sparql-update"},
        {"method": "POST", "data": {"query": "ASK {}"}, "query_string": {"update": "CLEAR ALL"}},
        {"method": "GET", "query_string": {"query": "DROP ALL"}},
        {"method": "GET", "query_string": {"query": "LOAD <http://127.0.0.1:1/data.ttl>"}},
    ],
    ids=["get-update", "form-update", "sparql-update-body", "update-beside-query", "update-as-query", "load"],
)
def test_updates_are_refused(sparql_client, request_kwargs):
    response = sparql_client.open("/sparql", **request_kwargs)
    assert response.status_code == 403
    assert "read-only" in message(response)


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?s a <"
        + POL
        + "RecordedCrime> OPTIONAL {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        "ASK {{ {{ SELECT * WHERE {{ SERVICE <{url}x> {{ ?a ?b ?c }} }} }} }}",
    ],
)
def test_service_is_refused_before_any_request_leaves(sparql_client, listener, template):
    url, hits = listener
    response = sparql_client.get("/sparql", query_string={"query": template.format(url=url)})
    assert response.status_code == 400
    assert "SERVICE is not allowed" in message(response)
    assert hits == []


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_remote_from_is_refused(sparql_client, listener, clause):
    url, hits = listener
    response = sparql_client.get(
        "/sparql", query_string={"query": f"SELECT * {clause} <{url}d.ttl> WHERE {{ ?s ?p ?o }}"}
    )
    assert response.status_code == 400
    assert f"{clause} <{url}d.ttl> is not a graph of this release" in message(response)
    assert hits == []


def test_syntax_errors_say_where_in_the_gateways_words(sparql_client):
    response = sparql_client.get("/sparql", query_string={"query": "SELECT * WHERE {\n  ?s ?p \n}"})
    assert response.status_code == 400
    text = message(response)
    assert text.startswith("SPARQL syntax error at line 2, column 3")
    assert "Expected" not in text and "pyparsing" not in text


def test_engine_errors_are_not_echoed(sparql_client):
    # rdflib parses an undeclared prefix; pyoxigraph refuses it with its own text.
    response = sparql_client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s undeclared:p ?o }"})
    assert response.status_code == 400
    assert message(response) == (
        "The SPARQL engine could not parse this query at line 1, column 33: "
        "a prefix is used without a PREFIX declaration."
    )


def test_query_size_is_limited(sparql_client):
    long_query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 70_000
    response = sparql_client.post("/sparql", data={"query": long_query})
    assert response.status_code == 413
    assert "at most 65,536" in message(response)
    huge = sparql_client.post("/sparql", data=long_query * 5, content_type="application/sparql-query")
    assert huge.status_code == 413 and "too large" in message(huge)


def test_wrong_encoding_and_media_types(sparql_client):
    utf16 = "ASK {}".encode("utf-16")
    assert (
        sparql_client.post("/sparql", data=utf16, content_type="application/sparql-query; charset=UTF-16").status_code
        == 415
    )
    assert sparql_client.post("/sparql", data=b"ASK {\xff}", content_type="application/sparql-query").status_code == 400
    assert sparql_client.post("/sparql", data="ASK {}", content_type="text/plain").status_code == 415
    assert sparql_client.get("/sparql", query_string=[("query", "ASK {}"), ("query", "ASK {}")]).status_code == 400
    assert (
        sparql_client.get("/sparql", query_string={"query": "ASK {}", "default-graph-uri": "not an iri"}).status_code
        == 400
    )
    assert sparql_client.put("/sparql", query_string={"query": "ASK {}"}).status_code == 405


def test_rows_beyond_the_cap_are_cut_and_the_answer_says_so(sparql_client, sparql_state):
    cap = sparql_state.max_rows
    response = sparql_client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["X-SPARQL-Truncated"] == "true"
    assert response.headers["X-SPARQL-Max-Rows"] == str(cap)
    body = response.get_json()
    assert body["truncated"] is True and len(body["results"]["bindings"]) == cap
    construct = sparql_client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert construct.headers["X-SPARQL-Truncated"] == "true" and construct.headers["X-SPARQL-Rows"] == str(cap)
    small = sparql_client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"})
    assert "X-SPARQL-Truncated" not in small.headers and "truncated" not in small.get_json()


def test_concurrent_queries_per_client(tmp_path):
    slots = ClientSlots(tmp_path, 2)
    with slots.hold("198.51.100.7"), slots.hold("198.51.100.7"):
        with pytest.raises(TooManyQueries), slots.hold("198.51.100.7"):
            pass
        with slots.hold("203.0.113.9"):  # another client is not affected
            pass
    with slots.hold("198.51.100.7"):  # freed again
        pass


def test_a_client_over_its_limit_gets_429(sparql_client, sparql_state):
    held = [sparql_state.slots.hold("127.0.0.1") for _ in range(sparql_state.slots.limit)]
    for slot in held:
        slot.__enter__()
    try:
        response = sparql_client.get("/sparql", query_string={"query": "ASK { ?s ?p 'not cached 429' }"})
        assert response.status_code == 429
        assert "queries running" in message(response)
    finally:
        for slot in held:
            slot.__exit__(None, None, None)


def test_nothing_private_is_in_the_store(sparql_client):
    query = 'ASK { ?s ?p ?o FILTER (CONTAINS(STR(?o), "CANARY") || CONTAINS(STR(?s), "CANARY")) }'
    response = sparql_client.get("/sparql", query_string={"query": query})
    assert response.get_json()["boolean"] is False
    described = sparql_client.get(
        "/sparql", query_string={"query": f"CONSTRUCT WHERE {{ ?s a <{POL}StopAndSearch> ; ?p ?o }} LIMIT 2000"}
    )
    assert described.status_code == 200 and b"CANARY" not in described.data


def test_a_release_without_its_store_is_a_503(sparql_state, published_release, tmp_path):
    from dataclasses import replace

    from gateway.sparql.backend import BackendUnavailable, MediaTypes, Query

    broken = replace(published_release, path=tmp_path)  # no store/ here
    query = Query("ASK {}", "ASK", (), (), MediaTypes("application/sparql-results+json", None), 10, 10.0)
    with pytest.raises(BackendUnavailable, match="cannot be opened"):
        sparql_state.backend.run(broken, query)


def test_clients_behind_a_trusted_proxy_are_told_apart(sparql_app, sparql_client, sparql_state, monkeypatch):
    monkeypatch.setitem(sparql_app.config, "TRUSTED_PROXIES", "127.0.0.1")  # the test client's address
    held = [sparql_state.slots.hold("198.51.100.20") for _ in range(sparql_state.slots.limit)]
    for slot in held:
        slot.__enter__()
    try:
        query = {"query": "ASK { ?s ?p 'proxy test' }"}
        busy = sparql_client.get("/sparql", query_string=query, headers={"X-Forwarded-For": "198.51.100.20"})
        other = sparql_client.get("/sparql", query_string=query, headers={"X-Forwarded-For": "198.51.100.21"})
        assert busy.status_code == 429 and other.status_code == 200
    finally:
        for slot in held:
            slot.__exit__(None, None, None)


def test_without_a_trusted_proxy_a_forwarded_header_is_no_new_client(sparql_client, sparql_state):
    """By default no proxy is trusted: a client cannot take more slots by naming itself anew."""
    held = [sparql_state.slots.hold("127.0.0.1") for _ in range(sparql_state.slots.limit)]
    for slot in held:
        slot.__enter__()
    try:
        query = {"query": "ASK { ?s ?p 'spoofing test' }"}
        for n in range(3):
            spoofed = sparql_client.get("/sparql", query_string=query, headers={"X-Forwarded-For": f"203.0.113.{n}"})
            assert spoofed.status_code == 429
    finally:
        for slot in held:
            slot.__exit__(None, None, None)
