"""The SPARQL 1.1 Protocol on the demo release: operations, formats, dataset, description, page."""

from __future__ import annotations

import csv
import html
import io
import json

import pyoxigraph as ox
import pytest

from tests.sparql.conftest import POL

COUNT_CRIMES = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?crime a <{POL}RecordedCrime> }}"
SOME_TRIPLES = f"CONSTRUCT {{ ?c a <{POL}RecordedCrime> }} WHERE {{ ?c a <{POL}RecordedCrime> }} LIMIT 5"
GRAPH = "https://data.met.police.uk/graph/street-crime/2024-01"


def count(response) -> int:
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


def test_get_form_and_direct_post_give_the_same_answer(sparql_client):
    by_get = sparql_client.get("/sparql", query_string={"query": COUNT_CRIMES})
    by_form = sparql_client.post("/sparql", data={"query": COUNT_CRIMES})
    direct = sparql_client.post("/sparql", data=COUNT_CRIMES, content_type="application/sparql-query")
    assert count(by_get) == count(by_form) == count(direct) > 1000
    assert by_get.headers["Content-Type"] == "application/sparql-results+json"
    assert by_get.headers["X-SPARQL-Rows"] == "1"
    assert sparql_client.get("/sparql/", query_string={"query": COUNT_CRIMES}).status_code == 200


@pytest.mark.parametrize(
    ("accept", "media_type", "fmt"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/csv", "text/csv", ox.QueryResultsFormat.CSV),
        ("text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("application/json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ],
)
def test_select_results_in_every_format(sparql_client, accept, media_type, fmt):
    query = f"SELECT ?crime ?month WHERE {{ ?crime a <{POL}RecordedCrime> ; <{POL}month> ?month }} LIMIT 7"
    response = sparql_client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type
    if fmt == ox.QueryResultsFormat.CSV:  # lossy: pyoxigraph does not read it back
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        crimes = [row["crime"] for row in rows]
    else:
        crimes = [row["crime"].value for row in ox.parse_query_results(response.data, format=fmt)]
    assert len(crimes) == 7 and all(c.startswith("https://data.met.police.uk/id/crime/") for c in crimes)


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
    ],
)
def test_format_parameter_overrides_accept(sparql_client, name, media_type):
    response = sparql_client.get(
        "/sparql", query_string={"query": "ASK { ?s ?p ?o }", "_format": name}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 200
    assert response.mimetype == media_type


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        (None, ox.RdfFormat.TURTLE),
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_construct_in_every_graph_format(sparql_client, accept, fmt):
    headers = {"Accept": accept} if accept else {}
    response = sparql_client.get("/sparql", query_string={"query": SOME_TRIPLES}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == fmt.media_type
    assert len(list(ox.parse(response.data, format=fmt))) == 5


def test_describe_answers_the_resource(sparql_client):
    crime = sparql_client.get(
        "/sparql", query_string={"query": f"SELECT ?c WHERE {{ ?c a <{POL}RecordedCrime> }} LIMIT 1"}
    ).get_json()["results"]["bindings"][0]["c"]["value"]
    response = sparql_client.get("/sparql", query_string={"query": f"DESCRIBE <{crime}>"})
    triples = list(ox.parse(response.data, format=ox.RdfFormat.TURTLE))
    assert triples and all(t.subject.value == crime for t in triples if isinstance(t.subject, ox.NamedNode))


def test_nothing_acceptable_is_406(sparql_client):
    response = sparql_client.get("/sparql", query_string={"query": COUNT_CRIMES}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.get_json()["error"]["message"]


def test_default_graph_is_the_union_and_the_dataset_narrows_it(sparql_client):
    everything = count(sparql_client.get("/sparql", query_string={"query": COUNT_CRIMES}))
    one_month = count(sparql_client.get("/sparql", query_string={"query": COUNT_CRIMES, "default-graph-uri": GRAPH}))
    from_clause = COUNT_CRIMES.replace("WHERE", f"FROM <{GRAPH}> WHERE")
    by_from = count(sparql_client.get("/sparql", query_string={"query": from_clause}))
    assert 0 < one_month == by_from < everything
    named = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?c a <{POL}RecordedCrime> }} }}"
    assert count(sparql_client.get("/sparql", query_string={"query": named, "named-graph-uri": GRAPH})) == one_month
    unknown = sparql_client.get("/sparql", query_string={"query": COUNT_CRIMES, "default-graph-uri": "urn:x:none"})
    assert count(unknown) == 0


def test_relative_iris_resolve_against_the_endpoint(sparql_client):
    response = sparql_client.get("/sparql", query_string={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"})
    triples = list(ox.parse(response.data, format=ox.RdfFormat.TURTLE))
    assert triples[0].subject.value == "https://data.met.police.uk/s"


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        (None, ox.RdfFormat.TURTLE),
    ],
)
def test_service_description(sparql_client, accept, fmt):
    response = sparql_client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == fmt.media_type
    graph = ox.Store()
    graph.load(response.data, format=fmt, base_iri="http://localhost/sparql")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert graph.query(f"ASK {{ <http://localhost/sparql> <{sd}endpoint> <http://localhost/sparql> }}")
    assert graph.query(f"ASK {{ ?s <{sd}feature> <{sd}UnionDefaultGraph> }}")
    assert graph.query(f"ASK {{ ?d <{sd}namedGraph> [ <{sd}name> <{GRAPH}> ] }}")


def test_query_page_for_browsers(sparql_client):
    response = sparql_client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for static in ("sparql/yasgui.min.js", "sparql/yasgui.min.css", "sparql/query.js"):
        assert f"/static/{static}" in page
        with sparql_client.get(f"/static/{static}") as served:
            assert served.status_code == 200
            assert "sourceMappingURL" not in served.get_data(as_text=True)
    assert "Crimes by borough and month" in page and "arrest rates" in page
    prefixes = json.loads(page.split('id="sparql-prefixes">', 1)[1].split("</script>", 1)[0])
    assert prefixes["pol"] == POL


BROWSER_ACCEPT = (  # what Chromium and Firefox send for a page
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
)


@pytest.mark.parametrize("accept", BROWSER_ACCEPT)
def test_a_browser_following_a_query_link_gets_the_editor_with_the_query(sparql_client, accept):
    response = sparql_client.get("/sparql", query_string={"query": COUNT_CRIMES}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]
    page = response.get_data(as_text=True)
    assert "/static/sparql/query.js" in page and 'id="yasgui"' in page
    # Without scripts, the form holds the query and asks for results in a format of its own.
    textarea = page.split('<textarea id="query" name="query"', 1)[1].split("</textarea>", 1)[0]
    assert html.unescape(textarea.split(">", 1)[1]) == COUNT_CRIMES
    assert 'name="_format"' in page


JSON_RESULTS = "application/sparql-results+json"
ARQ_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.7, "
    "text/csv;q=0.5, application/json;q=0.2, application/xml;q=0.2, */*;q=0.1"
)


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, JSON_RESULTS),
        ("*/*", JSON_RESULTS),
        ("application/sparql-results+json", JSON_RESULTS),
        ("application/sparql-results+xml, text/html;q=0.5", "application/sparql-results+xml"),
        ("application/xml", "application/sparql-results+xml"),
        ("text/csv, */*;q=0.1", "text/csv"),
        # SPARQLWrapper's default for SELECT, and Jena ARQ's
        (",".join(("application/sparql-results+json", "application/json", "text/javascript")), JSON_RESULTS),
        (ARQ_ACCEPT, JSON_RESULTS),
    ],
)
def test_clients_asking_for_results_still_get_results(sparql_client, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    response = sparql_client.get("/sparql", query_string={"query": COUNT_CRIMES}, headers=headers)
    assert response.status_code == 200 and response.mimetype == media_type


def test_only_a_get_of_a_query_is_answered_with_the_editor(sparql_client):
    posted = sparql_client.post("/sparql", data={"query": COUNT_CRIMES}, headers={"Accept": BROWSER_ACCEPT[0]})
    assert posted.mimetype == "application/sparql-results+xml"  # a form POST runs the query
    forced = sparql_client.get(
        "/sparql", query_string={"query": COUNT_CRIMES, "_format": "csv"}, headers={"Accept": BROWSER_ACCEPT[0]}
    )
    assert forced.mimetype == "text/csv"
    construct = sparql_client.get("/sparql", query_string={"query": SOME_TRIPLES}, headers={"Accept": "text/turtle"})
    assert construct.mimetype == "text/turtle"


def test_cors_for_browser_tools_elsewhere(sparql_client):
    response = sparql_client.post("/sparql", data={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-SPARQL-Truncated" in response.headers["Access-Control-Expose-Headers"]


def test_common_prefixes_need_no_declaration(sparql_client):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?crime a pol:RecordedCrime ; pol:category crime:burglary }"
    assert count(sparql_client.get("/sparql", query_string={"query": query})) > 1000
