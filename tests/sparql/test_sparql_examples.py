"""Every example query of the query page answers a real question on the demo release."""

from __future__ import annotations

import pytest

from gateway.sparql.examples import examples


def test_the_four_questions_are_there():
    titles = [e.title for e in examples()]
    assert titles == [
        "Crimes by borough and month",
        "Stop and search by ethnic group, with arrest rates",
        "Outcomes of burglaries",
        "Crimes per LSOA, ready to join with ONS data",
    ]
    assert all(e.description and e.query.lstrip().startswith("PREFIX") for e in examples())


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.name)
def test_example_returns_rows(sparql_client, example):
    response = sparql_client.post("/sparql", data={"query": example.query})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    rows = body["results"]["bindings"]
    assert rows and "truncated" not in body
    # Every column is filled in the first row: the query joins what it says it joins.
    assert set(rows[0]) == set(body["head"]["vars"])


def test_arrest_rates_are_percentages(sparql_client):
    example = next(e for e in examples() if "arrest" in e.title)
    rows = sparql_client.post("/sparql", data={"query": example.query}).get_json()["results"]["bindings"]
    groups = {row["group"]["value"] for row in rows}
    assert {"White", "Black/African/Caribbean/Black British", "Asian/Asian British"} <= groups
    for row in rows:
        searches, arrests = int(row["searches"]["value"]), int(row["arrests"]["value"])
        assert 0 <= arrests <= searches
        assert abs(float(row["arrest_rate_percent"]["value"]) - 100 * arrests / searches) < 0.06


def test_lsoa_counts_are_keyed_by_ons_code(sparql_client):
    example = next(e for e in examples() if "LSOA" in e.title)
    rows = sparql_client.post("/sparql", data={"query": example.query}, headers={"Accept": "text/csv"})
    lines = rows.get_data(as_text=True).splitlines()
    assert lines[0] == "lsoa_code,crimes"
    assert all(line.startswith("E01") for line in lines[1:])
