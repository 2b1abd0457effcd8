"""The checks a query passes before any engine sees it."""

from __future__ import annotations

import pytest

from gateway.sparql.checks import QueryRefused, check_query, quick_check

OURS = "https://data.met.police.uk/graph/"


def check(text: str):
    return check_query(text, max_bytes=10_000, own_graph=lambda iri: iri.startswith(OURS), base_iri=OURS)


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("ASK {}", "ASK"),
        ("CONSTRUCT { <s> <p> 1 } WHERE {}", "CONSTRUCT"),
        ("DESCRIBE <http://example.org/>", "DESCRIBE"),
    ],
)
def test_query_forms(text, form):
    assert check(text).form == form


def test_from_clauses_resolve_prefixes_and_stay_in_the_release():
    checked = check(f"PREFIX g: <{OURS}> SELECT * FROM g:a FROM NAMED <{OURS}b> WHERE {{ ?s ?p ?o }}")
    assert checked.from_graphs == (f"{OURS}a",) and checked.from_named_graphs == (f"{OURS}b",)
    with pytest.raises(QueryRefused, match="not a graph of this release"):
        check("PREFIX e: <http://169.254.169.254/> SELECT * FROM e:latest WHERE { ?s ?p ?o }")


@pytest.mark.parametrize(
    ("text", "status", "says"),
    [
        ("", 400, "empty"),
        ("SELECT * WHERE { ?s ?p ?o", 400, "syntax error at line 1"),
        ("INSERT DATA { <a:s> <a:p> <a:o> }", 403, "read-only"),
        ("CLEAR ALL", 403, "read-only"),
        ("SELECT * WHERE { { SERVICE SILENT <http://10.0.0.1/> { ?s ?p ?o } } UNION { ?s ?p ?o } }", 400, "SERVICE"),
        ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 10_000, 413, "at most 10,000"),
    ],
)
def test_refusals(text, status, says):
    with pytest.raises(QueryRefused) as refused:
        check(text)
    assert refused.value.status == status and says in refused.value.message


# --- quick_check: the common case without rdflib's parser -------------------------------


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n# a comment\nBASE <http://x/>\n  select ?x {}", "SELECT"),
        ("PREFIX : <http://x/> ASK {}", "ASK"),
        ("prefix a:<http://a/>construct{}where{}", "CONSTRUCT"),
        ("PREFIX pol: <https://data.met.police.uk/def/policing/>\nDESCRIBE <x>", "DESCRIBE"),
    ],
)
def test_quick_check_reads_the_form_after_the_prologue(text, form):
    checked = quick_check(text, max_bytes=10_000)
    assert checked is not None and checked.form == form and checked.quick
    assert checked.from_graphs == () and checked.from_named_graphs == ()


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM <http://169.254.169.254/> { ?s ?p ?o }",
        "SELECT * { SERVICE <http://169.254.169.254/> { ?s ?p ?o } }",
        "SELECT * { ?s ?p 'nothing from here' }",  # even inside a string: the full check decides
        "SELECT * { sErViCe <http://e/> {} }",
        "INSERT DATA { <a> <b> <c> }",
        "# SELECT in a comment\nLOAD <http://example.org/>",
        "define input:grab-all 'yes' SELECT * { ?s ?p ?o }",  # Virtuoso's sponger
        "SELECT * { ?s ?p ?o } OPTION (QUIETCAST)",
        "SELECT (bif:sprintf('%s', 1) AS ?x) {}",
        "SELECTED",
        "PREFIX x: <an iri with spaces> SELECT * {}",
        "SELECT * { ?s ?p '" + "é" * 6_000 + "' }",  # over the limit in bytes, not in characters
    ],
)
def test_quick_check_leaves_everything_else_to_the_full_check(text):
    assert quick_check(text, max_bytes=10_000) is None


def test_every_quickly_checked_form_is_the_full_checks_form():
    for text in ("SELECT * WHERE { ?s ?p ?o }", "PREFIX : <http://x/> ASK {}", "DESCRIBE <http://example.org/>"):
        assert quick_check(text, max_bytes=10_000).form == check(text).form
