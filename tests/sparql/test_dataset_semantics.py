"""The dataset a query runs on (SPARQL 1.1 Query, 13.2; Protocol, 2.1.4), on both backends.

FROM / FROM NAMED in the text, default-graph-uri / named-graph-uri in the request (which
win over FROM), and neither (the union of the release's graphs, every graph named). The
expected counts come from the release's store read quad by quad, not from a SPARQL engine:
pyoxigraph with ``use_default_graph_as_union`` ignores FROM, so a backend that passed a
query through unchanged would count the whole release.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from gateway import create_app
from tests.conftest import RELEASE_KEY, UNLIMITED

GRAPH = "https://data.met.police.uk/graph/"
POINTS = f"{GRAPH}map-points"
ORGANISATIONS = f"{GRAPH}organisations"
COUNT = "SELECT (COUNT(*) AS ?n) {from} WHERE {{ ?s ?p ?o }}"
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) {from} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"


@pytest.fixture(scope="module", params=["embedded", "remote"])
def client(request, published_dir, tmp_path_factory):
    settings = {}
    if request.param == "remote":
        request.getfixturevalue("remote_release")
        settings = request.getfixturevalue("virtuoso_server").settings()
    app = create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(published_dir),
            "PSEUDONYM_KEY": RELEASE_KEY,
            "SPARQL_QUERY_LOG": "",
            "SPARQL_WORKERS": 1,
            "SPARQL_SLOTS_DIR": str(tmp_path_factory.mktemp("slots")),
            **UNLIMITED,
            **settings,
        }
    )
    yield app.test_client()
    app.extensions["gateway.sparql"].backend.close()


@pytest.fixture(scope="module")
def sizes(published_release) -> dict[str, int]:
    """Statements per named graph, counted without SPARQL."""
    store = ox.Store.read_only(str(published_release.store_path))
    counts: dict[str, int] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        if isinstance(quad.graph_name, ox.NamedNode):
            counts[quad.graph_name.value] = counts.get(quad.graph_name.value, 0) + 1
    return counts


def ask(client, text: str, **params) -> list[dict] | bool:
    response = client.get(
        "/sparql", query_string={"query": text, **params}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    document = response.get_json()
    if "boolean" in document:
        return document["boolean"]
    return [{k: v["value"] for k, v in row.items()} for row in document["results"]["bindings"]]


def count(client, text: str, **params) -> int:
    (row,) = ask(client, text, **params)
    return int(row["n"])


def per_graph(client, text: str, **params) -> dict[str, int]:
    return {row["g"]: int(row["n"]) for row in ask(client, text, **params)}


def test_without_a_dataset_the_default_graph_is_the_union_and_every_graph_is_named(client, sizes):
    assert count(client, COUNT.format(**{"from": ""})) == sum(sizes.values())
    assert per_graph(client, PER_GRAPH.format(**{"from": ""})) == sizes


def test_from_gives_the_default_graph_and_no_named_graphs(client, sizes):
    assert count(client, COUNT.format(**{"from": f"FROM <{POINTS}>"})) == sizes[POINTS]
    two = f"FROM <{POINTS}> FROM <{ORGANISATIONS}>"
    assert count(client, COUNT.format(**{"from": two})) == sizes[POINTS] + sizes[ORGANISATIONS]
    assert per_graph(client, PER_GRAPH.format(**{"from": f"FROM <{POINTS}>"})) == {}
    prefixed = f"PREFIX g: <{GRAPH}> SELECT (COUNT(*) AS ?n) FROM g:organisations WHERE {{ ?s ?p ?o }}"
    assert count(client, prefixed) == sizes[ORGANISATIONS]


def test_from_named_gives_the_named_graphs_and_an_empty_default_graph(client, sizes):
    named = f"FROM NAMED <{ORGANISATIONS}>"
    assert per_graph(client, PER_GRAPH.format(**{"from": named})) == {ORGANISATIONS: sizes[ORGANISATIONS]}
    assert count(client, COUNT.format(**{"from": named})) == 0
    both = f"FROM <{POINTS}> FROM NAMED <{ORGANISATIONS}>"
    assert count(client, COUNT.format(**{"from": both})) == sizes[POINTS]
    assert per_graph(client, PER_GRAPH.format(**{"from": both})) == {ORGANISATIONS: sizes[ORGANISATIONS]}


def test_the_protocol_dataset_wins_over_from(client, sizes):
    text = COUNT.format(**{"from": f"FROM <{ORGANISATIONS}>"})
    assert count(client, text, **{"default-graph-uri": POINTS}) == sizes[POINTS]
    assert count(client, COUNT.format(**{"from": ""}), **{"default-graph-uri": POINTS}) == sizes[POINTS]
    assert count(client, COUNT.format(**{"from": ""}), **{"named-graph-uri": POINTS}) == 0
    named = per_graph(
        client, PER_GRAPH.format(**{"from": f"FROM NAMED <{POINTS}>"}), **{"named-graph-uri": ORGANISATIONS}
    )
    assert named == {ORGANISATIONS: sizes[ORGANISATIONS]}
    assert per_graph(client, PER_GRAPH.format(**{"from": ""}), **{"default-graph-uri": POINTS}) == {}
