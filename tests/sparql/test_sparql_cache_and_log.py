"""The result cache (per release, query and format) and the structured query log."""

from __future__ import annotations

import json
import logging
import time

from gateway.sparql.backend import BackendUnavailable
from gateway.sparql.cache import ResultCache
from tests.sparql.conftest import POL


def test_a_repeated_query_is_answered_from_the_cache(sparql_client, sparql_state, published_release, monkeypatch):
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{POL}StopAndSearch> }} # cache test"
    first = sparql_client.get("/sparql", query_string={"query": query})
    assert first.status_code == 200

    def no_engine(*args, **kwargs):
        raise BackendUnavailable("the engine was asked")  # a 503, which the cache must avoid

    monkeypatch.setattr(sparql_state.backend, "run", no_engine)
    started = time.perf_counter()
    again = sparql_client.get("/sparql", query_string={"query": query})
    elapsed = time.perf_counter() - started
    assert again.data == first.data and again.headers["X-SPARQL-Rows"] == "1"
    assert elapsed < 0.05
    # Another format is another answer: it needs the engine.
    as_csv = sparql_client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert as_csv.status_code == 503
    # A retired release takes its answers with it.
    sparql_state.retire(published_release)
    assert sparql_client.get("/sparql", query_string={"query": query}).status_code == 503


def test_cache_is_bounded_and_per_release():
    cache = ResultCache(max_bytes=1000)
    cache.put(("r1", "q1"), "a", 200)
    cache.put(("r2", "q1"), "b", 200)
    assert cache.get(("r1", "q1")) == "a" and cache.get(("r2", "q1")) == "b"
    cache.put(("r1", "huge"), "c", 300)  # more than a quarter: not kept
    assert cache.get(("r1", "huge")) is None
    for i in range(10):
        cache.put(("r3", i), i, 200)
    assert len(cache) == 5 and cache.get(("r1", "q1")) is None  # least recently used went first
    cache.drop_release("r3")
    assert len(cache) == 0


def test_every_query_is_logged_with_its_facts(sparql_client, caplog):
    caplog.set_level(logging.INFO, logger="gateway.sparql.queries")
    query = f"SELECT ?c WHERE {{ ?c a <{POL}RecordedCrime> }} LIMIT 4 # log test"
    sparql_client.get("/sparql", query_string={"query": query})
    sparql_client.get("/sparql", query_string={"query": "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"})
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "gateway.sparql.queries"]
    ok, refused = records[-2], records[-1]
    assert set(ok) >= {"time", "client", "query_hash", "duration_ms", "rows", "status", "cached", "release", "form"}
    assert ok["rows"] == 4 and ok["status"] == 200 and ok["client"] == "127.0.0.1" and ok["form"] == "SELECT"
    assert len(ok["query_hash"]) == 16 and "log test" not in json.dumps(ok)
    assert refused["status"] == 400 and refused["query_hash"] != ok["query_hash"]
