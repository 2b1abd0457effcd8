"""What the engine runs is what the checks judged; the engine has no network, survives deep
queries, and every stage of a query, checks included, runs inside its deadline."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gateway.sparql.checks import MAX_NESTING, QueryRefused, canonical_text, check_query, prepare
from gateway.sparql.pool import EnginePool
from tests.sparql.conftest import POL, listening
from tests.sparql.servers import sparql_server

MAX_BYTES = 65_536
BASE = "https://data.met.police.uk/sparql"
# Found by outside testing: rdflib expanded \u0022 before parsing, pyoxigraph inside strings
# only, so rdflib saw one long string where the engine saw two short ones and a SERVICE.
ESCAPED_QUOTE_BYPASS = 'SELECT ?x WHERE {{ BIND("\\u0022" AS ?a) SERVICE <{url}x> {{?s ?p ?o}} BIND("\\u0022" AS ?b) }}'


def message(response) -> str:
    return response.get_json()["error"]["message"]


# --- 1. SERVICE: judged on the engine's text, and impossible in the engine anyway --------------


def _job(release, text: str, form: str) -> dict:
    """A job for an engine process: ``text`` on the release's store, answered as JSON."""
    return {
        "store": str(release.store_path),
        "text": text,
        "form": form,
        "default_graphs": [],
        "named_graphs": [],
        "media_types": ("application/sparql-results+json", None),
        "max_rows": 10,
        "max_bytes": MAX_BYTES,
        "base_iri": BASE,
    }


def test_the_escaped_quote_bypass_reaches_nobody(sparql_client, listener):
    url, hits = listener
    response = sparql_client.post("/sparql", data={"query": ESCAPED_QUOTE_BYPASS.format(url=url)})
    # The engine runs the escapes expanded, as the checks read them: one long string, no SERVICE.
    assert response.status_code in (200, 400)
    time.sleep(0.2)
    assert hits == []


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE {{ SERV\\u0049CE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE <\\u0068ttp://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE\\u0020SILENT <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ # a comment\\u000A SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ],
)
def test_service_spelled_with_escapes_is_refused(sparql_client, listener, text):
    url, hits = listener
    port = url.rsplit(":", 1)[1].strip("/")
    response = sparql_client.post("/sparql", data={"query": text.format(url=url, port=port)})
    assert response.status_code == 400
    assert "SERVICE is not allowed" in message(response)
    assert hits == []


def test_the_engine_processes_have_no_network(published_release, listener):
    # The check skipped altogether (a form given, as the quick check gives it): the engine
    # process itself cannot open a socket, so SERVICE fails there and nothing leaves.
    url, hits = listener
    pool = EnginePool(1)
    try:
        job = _job(published_release, f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", "SELECT")
        answer = pool.ask(job, time.monotonic() + 20, 20)
    finally:
        pool.close()
    assert answer[0] == "failed" and "Permission denied" in answer[1]
    assert hits == []


def test_the_sandbox_refuses_sockets_to_the_process_and_its_children():
    script = (
        "import socket, subprocess, sys\n"
        "from gateway.sparql.sandbox import forbid_network\n"
        "forbid_network()\n"
        "for family in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):\n"
        "    try:\n"
        "        socket.socket(family)\n"
        "        print('made', family)\n"
        "    except PermissionError:\n"
        "        print('refused')\n"
        "child = subprocess.run([sys.executable, '-c', 'import socket; socket.socket()'], capture_output=True)\n"
        "print('child', child.returncode, b'PermissionError' in child.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.split("\n")[:4] == ["refused", "refused", "refused", "child 1 True"], done.stderr


# Pieces a query can be made of that parsers have read differently: escapes (of quotes,
# backslashes, newlines, '#', letters of SERVICE), comments, every kind of string and line
# end, IRIs holding '#' or escapes.
PIECES = [
    "SERVICE <{url}a> {{ ?s ?p ?o }}",
    "SERVICE SILENT <{url}b> {{ }}",
    "SERV\\u0049CE <{url}c> {{ ?s ?p ?o }}",
    "SERVICE",
    "<{url}d>",
    "{{ ?s ?p ?o }}",
    '"',
    "'",
    '"""',
    "'''",
    '\\"',
    "\\'",
    "\\\\",
    "\\u0022",
    "\\u0027",
    "\\U00000022",
    "\\u005C",
    "\\u005Cu0022",
    "\\u000A",
    "\\u000D",
    "\\u0023",
    "\\u003E",
    "#",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "\x0c",
    "\x0b",
    "\u2028",
    "\x85",
    " ",
    "BIND(",
    " AS ?a)",
    "FILTER(",
    ")",
    "{{",
    "}}",
    " . ",
    "?s ?p ?o",
    "<http://a#b>",
    "<http://a\\u0023b>",
    "<http://a\\u003E",
    "<",
    ">",
    '"x"',
    "'x'",
]


def judged_safe(text: str) -> str | None:
    """The text the endpoint would give the engine, or None if the checks refuse it."""
    try:
        prepared = prepare(text, max_bytes=MAX_BYTES)
        if prepared.form is None:
            check_query(prepared.text, max_bytes=MAX_BYTES, own_graph=lambda iri: False, base_iri=BASE)
    except QueryRefused:
        return None
    return prepared.text


def run_unsandboxed(store: ox.Store, text: str) -> None:
    try:
        result = store.query(text, base_iri=BASE, use_default_graph_as_union=True)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, ValueError, RuntimeError):
        pass


@pytest.fixture(scope="module")
def fuzz_target():
    with listening() as target:
        yield target


@settings(
    max_examples=3000,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@example(pieces=['BIND("\\u0022" AS ?a) ', "SERVICE <{url}a> {{ ?s ?p ?o }}", ' BIND("\\u0022" AS ?b)'])
@given(pieces=st.lists(st.sampled_from(PIECES), min_size=1, max_size=14))
def test_what_the_checks_let_through_never_calls_out(fuzz_target, pieces):
    # The engine here runs in the test process without its sandbox: only the checks stand
    # between the text and the network, so any disagreement between their reading and
    # the engine's shows up as a connection to the listener.
    url, hits = fuzz_target
    text = "SELECT * WHERE { " + "".join(p.format(url=url) for p in pieces) + " }"
    engine_text = judged_safe(text)
    if engine_text is not None:
        run_unsandboxed(ox.Store(), engine_text)
    assert hits == [], f"the checks let through a query the engine sent out: {text!r}"


def test_canonical_text_expands_every_escape_once_and_refuses_escapes_of_escapes():
    assert canonical_text('"caf\\u00E9 \\U0001F600"') == '"café \U0001f600"'
    assert canonical_text("no escapes") == "no escapes"
    with pytest.raises(QueryRefused, match="further escapes"):
        canonical_text('"\\u005Cu0022"')
    for bad in ("\\u0000", "\\uD800", "\\U00110000"):
        with pytest.raises(QueryRefused, match="does not stand for a character"):
            canonical_text(f'"{bad}"')


# --- 2. Deep queries: refused before the engine, and the engine survives what gets through ----


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
        "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
        "SELECT * WHERE { ?s ?p " + "[ ?q " * 5000 + "?o" + " ]" * 5000 + " }",
        # stray closers first cannot hide the depth that follows
        "SELECT * WHERE { FILTER(" + ")" * 200 + "(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1) + ") }",
    ],
    ids=["braces", "parentheses", "blank-nodes", "after-stray-closers"],
)
def test_over_deep_nesting_is_refused_with_a_reason(sparql_client, sparql_state, text):
    pids = set(sparql_state.backend.worker_pids)
    response = sparql_client.post("/sparql", data={"query": text})
    assert response.status_code == 400
    assert f"at most {MAX_NESTING} levels" in message(response)
    assert not pids or set(sparql_state.backend.worker_pids) == pids  # no engine process died


def test_brackets_in_strings_iris_and_comments_do_not_count(sparql_client):
    deep = "(" * 500
    text = f'SELECT ?x WHERE {{ BIND("{deep}" AS ?x) # {deep}\n FILTER(?x != <http://a/{deep}>) }}'
    assert sparql_client.post("/sparql", data={"query": text}).status_code == 200


@pytest.mark.parametrize(
    "text",
    [
        "ASK { FILTER(true" + "||true" * 10500 + ") }",
        "ASK { FILTER(1" + "+1" * 10000 + " > 0) }",
    ],
    ids=["or-chain", "sum"],
)
def test_long_chains_that_overflowed_the_engine_stack_are_answered(published_release, text):
    # Each of these killed an engine process (SIGSEGV) on an 8 MiB stack.
    pool = EnginePool(1)
    try:
        job = _job(published_release, text, "ASK")
        pid = pool.worker_pids[0] if pool.worker_pids else None
        answer = pool.ask(job, time.monotonic() + 60, 60)
        assert answer[0] == "ok", answer
        assert pid is None or pool.worker_pids == [pid]
    finally:
        pool.close()


# --- 3. Every stage inside the deadline ------------------------------------------------------

TIMEOUT = 3
# rdflib's parser takes 15 s or more over this (a 'from' in the comment sends it to the full
# check); the engine itself would take longer still.
SLOW_TO_CHECK = "# rows from every graph\nSELECT * WHERE { FILTER(1" + "+1" * 30000 + " = 0) }"


@pytest.fixture(scope="module")
def deadline_server(published_dir):
    settings = {
        "SPARQL_TIMEOUT": TIMEOUT,
        "SPARQL_WORKERS": 2,
        "SPARQL_MAX_CONCURRENT_PER_CLIENT": 20,
        "SPARQL_CACHE_BYTES": 0,
    }
    with sparql_server(published_dir, settings, workers=1, threads=4) as live:
        yield live


def test_a_slow_check_is_stopped_at_the_deadline_and_holds_no_one(deadline_server):
    server = deadline_server
    assert server.post("/sparql", data={"query": "ASK {}"}, timeout=30).status_code == 200
    outcomes: list[tuple[int, float]] = []

    def slow() -> None:
        started = time.monotonic()
        response = server.post("/sparql", data={"query": SLOW_TO_CHECK}, timeout=120)
        outcomes.append((response.status_code, time.monotonic() - started))

    # As many as the server has threads: each holds one for as long as its check runs.
    threads = [threading.Thread(target=slow) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    simple = server.post(
        "/sparql", data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{POL}StopAndSearch> }}"}, timeout=120
    )
    waited = time.monotonic() - started
    for thread in threads:
        thread.join(timeout=120)
    assert simple.status_code == 200
    # timeout + 1 s as the issue asks, with room for a slow machine's process start
    assert waited < TIMEOUT + 2.5, f"a simple query waited {waited:.1f} s behind slow checks"
    assert [status for status, _ in outcomes] == [503] * 4
    assert all(seconds < TIMEOUT + 2.5 for _, seconds in outcomes), outcomes


def test_a_slow_check_on_the_remote_backend_stops_at_the_deadline(remote_release, virtuoso_server, tmp_path):
    from gateway import create_app
    from tests.conftest import RELEASE_KEY, UNLIMITED

    app = create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(remote_release.path.parents[1]),
            "PSEUDONYM_KEY": RELEASE_KEY,
            "SPARQL_QUERY_LOG": "",
            "SPARQL_SLOTS_DIR": str(tmp_path / "slots"),
            "SPARQL_TIMEOUT": TIMEOUT,
            **virtuoso_server.settings(),
            **UNLIMITED,
        }
    )
    client = app.test_client()
    try:
        assert client.post("/sparql", data={"query": "ASK {}"}).status_code == 200
        started = time.monotonic()
        response = client.post("/sparql", data={"query": SLOW_TO_CHECK})
        elapsed = time.monotonic() - started
    finally:
        app.extensions["gateway.sparql"].backend.close()
    assert response.status_code == 503 and "limit" in message(response)
    assert elapsed < TIMEOUT + 2.5


def test_a_syntax_error_only_the_engine_sees_is_worded_inside_the_deadline(sparql_client):
    # The quick path: the engine refuses, and the gateway's parser words why, in the engine process.
    response = sparql_client.post("/sparql", data={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "syntax error at line 1" in message(response)


# --- 17. HEAD /sparql ------------------------------------------------------------------------


@pytest.mark.parametrize("query", [None, "ASK {}"])
def test_head_answers_like_get(sparql_client, query):
    params = {"query": query} if query else {}
    headers = {"Accept": "application/sparql-results+json"} if query else {"Accept": "text/turtle"}
    got = sparql_client.get("/sparql", query_string=params, headers=headers)
    head = sparql_client.head("/sparql", query_string=params, headers=headers)
    assert got.status_code == head.status_code == 200
    assert head.headers["Content-Type"] == got.headers["Content-Type"]
    assert head.data == b""
