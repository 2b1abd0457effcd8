"""The endpoint under gunicorn: the hard timeout, release switches, and real SPARQL clients."""

from __future__ import annotations

import os
import re
import shutil
import threading
import time

import pytest
import requests
from rdflib import Graph, Literal, Namespace, URIRef
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from gateway import releases
from tests.sparql.conftest import POL
from tests.sparql.servers import sparql_server

TIMEOUT = 3
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # 10^12 rows, one aggregate
SECOND_RELEASE = "20991231T235959Z"


@pytest.fixture(scope="module")
def two_releases(published_dir, tmp_path_factory):
    """A data dir with the demo release twice (hard links): the current one and another."""
    data_dir = tmp_path_factory.mktemp("sparql-live")
    first = releases.current_release(published_dir / "releases")
    for release_id in (first, SECOND_RELEASE):
        shutil.copytree(published_dir / "releases" / first, data_dir / "releases" / release_id, copy_function=os.link)
    releases.switch_to(data_dir / "releases", first)
    return data_dir, first


@pytest.fixture(scope="module")
def server(two_releases):
    data_dir, _ = two_releases
    settings = {"SPARQL_TIMEOUT": TIMEOUT, "SPARQL_WORKERS": 2, "SPARQL_QUERY_LOG": "-"}
    with sparql_server(data_dir, settings, workers=2) as live:
        yield live


def ask(server, text: str, **kwargs) -> requests.Response:
    return server.post("/sparql", data={"query": text}, timeout=kwargs.pop("timeout", 30), **kwargs)


def test_a_runaway_query_is_killed_at_the_deadline_while_others_answer(server, two_releases):
    data_dir, _ = two_releases
    ask(server, "ASK {}")  # engine processes started
    outcome = {}

    def runaway():
        started = time.monotonic()
        outcome["response"] = ask(server, RUNAWAY)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(1)
    # Meanwhile: other SPARQL queries and the JSON API answer at once.
    started = time.monotonic()
    other = ask(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{POL}StopAndSearch> }} # meanwhile")
    api = server.get("/api/forces")
    assert other.status_code == 200 and api.status_code == 200
    assert time.monotonic() - started < TIMEOUT
    thread.join(timeout=60)
    response = outcome["response"]
    assert response.status_code == 503
    assert f"longer than the {TIMEOUT} s limit and was stopped" in response.json()["error"]["message"]
    assert TIMEOUT <= outcome["seconds"] < TIMEOUT + 5
    # The engine process that ran it is gone (killed and reaped), and a new one answers.
    log = "".join(p.read_text(errors="replace") for p in data_dir.glob("gunicorn-*.log"))
    killed = [int(pid) for pid in re.findall(r"sparql worker (\d+) killed", log)]
    assert killed and not any(os.path.exists(f"/proc/{pid}") for pid in killed)
    for i in range(4):
        assert ask(server, f"ASK {{ ?s ?p ?o }} # after {i}").status_code == 200
    assert '"status":503' in log and "query_hash" in log  # the query log saw it


def test_release_switch_fails_no_request(server, two_releases):
    data_dir, first = two_releases
    statuses: list[int] = []
    seen: set[str] = set()
    stop = threading.Event()

    def client(number: int):
        i = 0
        while not stop.is_set():
            i += 1
            response = ask(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{POL}RecordedCrime> }} # {number} {i}")
            statuses.append(response.status_code)
            seen.add(response.headers.get("X-Release", "?"))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    try:
        for target in (SECOND_RELEASE, first, SECOND_RELEASE):
            time.sleep(1.5)
            releases.switch_to(data_dir / "releases", target)
        time.sleep(1.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        releases.switch_to(data_dir / "releases", first)
    assert len(statuses) > 10 and set(statuses) == {200}
    assert seen == {first, SECOND_RELEASE}


def test_sparqlwrapper(server):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(f"SELECT ?crime ?month WHERE {{ ?crime a <{POL}RecordedCrime> ; <{POL}month> ?month }} LIMIT 5")
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]
    assert len(rows) == 5 and all("month" in row for row in rows)
    client.setQuery(f"CONSTRUCT WHERE {{ ?crime a <{POL}RecordedCrime> }} LIMIT 3")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert len(graph) == 3
    client.setMethod("POST")
    client.setQuery("ASK { ?s ?p ?o }")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is True


def test_a_partner_joins_its_data_with_ours_through_service(server):
    """A local authority's own graph (populations by ONS code) joined with our counts."""
    ons = Namespace("http://example.org/partner/")
    partner = Graph()
    for code, population in (("E09000001", 8_600), ("E09000019", 216_600), ("E09000033", 204_300)):
        area = URIRef(f"http://statistics.data.gov.uk/id/statistical-geography/{code}")
        partner.add((area, ons.population, Literal(population)))
    # rdflib sends the SERVICE block without the query's PREFIX lines: full IRIs inside it.
    query = f"""
        PREFIX partner: <{ons}>
        SELECT ?area ?population ?crimes WHERE {{
          ?area partner:population ?population .
          SERVICE <{server.url}/sparql> {{
            SELECT ?area (COUNT(?crime) AS ?crimes)
            WHERE {{ ?crime a <{POL}RecordedCrime> ; <{POL}borough> ?area }}
            GROUP BY ?area
          }}
        }}
    """
    rows = {str(row.area).rsplit("/", 1)[-1]: (int(row.population), int(row.crimes)) for row in partner.query(query)}
    assert "E09000001" in rows  # the City of London, in both graphs
    population, crimes = rows["E09000001"]
    assert population == 8_600 and crimes > 1000
