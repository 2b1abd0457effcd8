"""The remote backend: a SPARQL 1.1 store over HTTP (tested with Virtuoso), via SPARQLWrapper.

Releases live in the store under graphs of their own (``gateway.publish.remote_store``):
the public graph ``{base}graph/x`` of release R is stored as
``urn:x-gateway:release:R:{base}graph/x``. For each query this backend

- builds the dataset itself and always sends it, as Virtuoso's ``define
  input:default-graph-uri`` / ``input:named-graph-uri`` pragmas (FROM clauses are taken
  out of the text, since Virtuoso would let them win): the protocol dataset, else
  the query's FROM / FROM NAMED, else the union of the release's graphs as the default
  graph with every graph named. Public graph IRIs map to the stored ones; any other IRI
  maps to a graph that never exists, so no query reaches another release or the
  store's own graphs;
- rewrites the release's graph IRIs written as graph names in the query (``GRAPH
  <{base}graph/x>``, prefixed names too) to the stored ones, never the same IRI as a
  subject or object (that is data, stored as published), and maps stored graph IRIs in
  the results back. A graph IRI compared with a ``GRAPH ?g`` variable in a FILTER or
  VALUES is not rewritten: such a query finds nothing on this backend;
- asks the store through SPARQLWrapper, on a pool of kept-alive connections (urllib3),
  for SPARQL JSON results (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE) form-encoded,
  with an explicit Accept (Virtuoso hangs on ``application/sparql-query`` bodies and
  answers ASK without Accept in HTML), then re-serialises them in the negotiated format
  with pyoxigraph, as the embedded backend does;
- caps rows with ``maxrows=max_rows+1`` (so a cut is known, never silent) and time with
  Virtuoso's ``timeout`` (milliseconds, Anytime Query: an interrupted answer carries
  ``X-SQL-State: S1TAT`` and becomes QueryTimeout, never partial results) plus an HTTP
  timeout a few seconds longer.

Engine text (error bodies, SQL states) is logged, never passed on.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
import urllib.error
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import urllib3
from SPARQLWrapper import SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from gateway.publish.remote_store import CATALOG_GRAPH, GRAPH_PREFIX, HAS_GRAPH, release_prefix

from . import evaluate
from .backend import Answer, BackendUnavailable, Query, QueryFailed, QueryTimeout, timeout_message
from .checks import QueryRefused, refuse_foreign_graphs
from .lexer import declared_prefixes, expand, tokenize
from .pool import EnginePool

if TYPE_CHECKING:
    from gateway.current import Release

log = logging.getLogger(__name__)

ABSENT_GRAPH = "urn:x-gateway:no-graph"  # never loaded: stands for graphs outside the release
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
GRACE = 5.0  # seconds the HTTP timeout allows beyond the store's own
CONNECT_TIMEOUT = 5.0
POOL_SIZE = 8  # kept-alive connections to the store per gunicorn worker (one per thread is plenty)
CATALOG_RETRY = 5.0  # seconds before asking again whether a missing release has been loaded

# The formats the embedded engine writes, and the quad formats Virtuoso's answers are read in.
GRAPH_FORMATS = {
    **evaluate.GRAPH_FORMATS,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}
RESULT_FORMATS = evaluate.RESULT_FORMATS


class RemoteBackend:
    """Runs queries on a remote SPARQL store that holds the releases (see module doc)."""

    name = "remote"

    def __init__(
        self,
        endpoint: str,
        *,
        prefixes: dict[str, str] | None = None,
        user_agent: str = "met-open-data-gateway",
        check_workers: int = 2,
        max_bytes: int = 65536,
    ) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise ValueError(f"SPARQL_ENDPOINT must be an http(s) URL, not {endpoint!r}")
        self.endpoint = endpoint
        self.prefixes = dict(prefixes or {})
        self.user_agent = user_agent
        # Kept-alive HTTP connections, shared by the worker's threads (urllib3's pool is
        # thread-safe): a new TCP connection and urllib's machinery per query cost more than
        # a point lookup's whole evaluation in the store.
        self._pool = urllib3.PoolManager(
            num_pools=2, maxsize=POOL_SIZE, block=False, headers={"User-Agent": user_agent}
        )
        self._graphs: dict[str, frozenset[str]] = {}  # release id → public graph IRIs
        self._missing: dict[str, float] = {}  # release id → when it was last found missing
        self._lock = threading.Lock()
        # Processes for the full check (rdflib's parser), started on the first query that
        # needs one: killable at the deadline, and never holding this worker's threads.
        self.check_workers = check_workers
        self.max_bytes = max_bytes
        self._checks: EnginePool | None = None

    # --- the Backend interface -----------------------------------------------------------

    def run(self, release: Release, query: Query) -> Answer:
        query = query.started()
        graphs = self.release_graphs(release.id)
        base_iri = release.base + "sparql"
        form = query.form
        if form is None:  # the full check, in an engine process, inside the deadline
            form = self._check(query, base_iri, graphs)
        media_type = query.media_types.for_form(form)
        prefix = release_prefix(release.id)
        prepared = self._prepared_text(query.text, graphs, prefix, base_iri)
        text, from_default, from_named = split_dataset(prepared)
        default, named = dataset(query, from_default, from_named, graphs, prefix)
        text = empty_graph_patterns(text, [g for g in named if g != ABSENT_GRAPH])
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        try:
            body, headers = self._request(
                text,
                default,
                named,
                N_TRIPLES if graph_form else RESULTS_JSON,
                query.max_rows + 1,
                query.remaining(),
                form,
                limit=query.timeout,
            )
        except QueryFailed:
            if query.form is not None:  # only the quick check saw it: the gateway's words for why
                self._check(query, base_iri, graphs)
            raise
        if headers.get("x-sql-state", "").upper() == "S1TAT":
            log.warning("remote store interrupted a query at its deadline: %s", headers.get("x-sql-message", ""))
            raise QueryTimeout(timeout_message(query.timeout))
        try:
            if graph_form:
                return _graph_answer(body, media_type, query.max_rows, prefix, form)
            return _results_answer(body, media_type, query.max_rows, prefix, form)
        except (ValueError, SyntaxError, KeyError, TypeError) as exc:
            log.error("remote store sent an answer that could not be read: %s", exc)
            raise QueryFailed("The SPARQL store sent an answer the gateway could not read.") from None

    def _check(self, query: Query, base_iri: str, graphs: frozenset[str]) -> str:
        """The full check in one of this backend's check processes: the query's form.

        Raise ``QueryRefused`` (a FROM graph that is not the release's included), or the
        pool's errors when the check runs past the query's deadline.
        """
        with self._lock:
            if self._checks is None:
                self._checks = EnginePool(self.check_workers)
            checks = self._checks
        job = {"store": None, "text": query.text, "form": None, "max_bytes": self.max_bytes, "base_iri": base_iri}
        assert query.deadline is not None
        answer = checks.ask(job, query.deadline, query.timeout)
        if answer[0] == "refused":
            raise QueryRefused(answer[1], answer[2])
        if answer[0] != "checked":
            log.error("sparql check process failed: %s", answer[1:])
            raise QueryFailed("The query could not be checked.")
        _, form, from_default, from_named = answer
        refuse_foreign_graphs(from_default, from_named, graphs.__contains__)
        return form

    def close(self) -> None:
        with self._lock:
            self._graphs.clear()
            self._missing.clear()
            checks, self._checks = self._checks, None
        self._pool.clear()
        if checks is not None:
            checks.close()

    # --- releases ------------------------------------------------------------------------

    def release_graphs(self, release_id: str) -> frozenset[str]:
        """The public graph IRIs of a release loaded in the store (cached: releases never change)."""
        with self._lock:
            if release_id in self._graphs:
                return self._graphs[release_id]
            missing_since = self._missing.get(release_id)
        if missing_since is not None and time.monotonic() - missing_since < CATALOG_RETRY:
            raise BackendUnavailable(_not_loaded(release_id))
        node = f"{GRAPH_PREFIX}{release_id}"
        catalogue = f"SELECT ?g WHERE {{ <{node}> <{HAS_GRAPH}> ?g }}"
        body, _ = self._request(catalogue, [CATALOG_GRAPH], [ABSENT_GRAPH], RESULTS_JSON, None, 30.0, "SELECT")
        try:
            stored = [row["g"]["value"] for row in json.loads(body)["results"]["bindings"]]
        except (ValueError, KeyError, TypeError):
            raise BackendUnavailable("The SPARQL store sent an answer the gateway could not read.") from None
        prefix = release_prefix(release_id)
        graphs = frozenset(g.removeprefix(prefix) for g in stored if g.startswith(prefix))
        with self._lock:
            if not graphs:
                self._missing[release_id] = time.monotonic()
            else:
                self._graphs[release_id] = graphs
                self._missing.pop(release_id, None)
                for old in list(self._graphs)[:-8]:  # a few releases at most are ever served
                    del self._graphs[old]
        if not graphs:
            raise BackendUnavailable(_not_loaded(release_id))
        return graphs

    # --- the request ---------------------------------------------------------------------

    def _prepared_text(self, text: str, graphs: frozenset[str], prefix: str, base_iri: str) -> str:
        tokens = list(tokenize(text))
        declared = declared_prefixes(tokens)
        extra = {p: iri for p, iri in self.prefixes.items() if p not in declared}
        known = {**extra, **declared}
        out = []
        after_graph = False  # the previous significant token is the keyword GRAPH
        for kind, value in tokens:
            if _engine_extension(kind, value, known):
                raise QueryFailed("The store's own functions (bif:, sql:) cannot be called through the gateway.")
            # Only a graph name (GRAPH <g>) is a stored graph: the same IRI as a subject or
            # object is data, kept as published (the W3C data uses graph names as subjects).
            if after_graph and kind == "iri" and value[1:-1] in graphs:
                value = f"<{prefix}{value[1:-1]}>"
            elif after_graph and kind == "pname":
                expanded = expand(value, known)
                if expanded in graphs:
                    value = f"<{prefix}{expanded}>"
            if kind not in ("space", "comment"):
                after_graph = kind == "word" and value.upper() == "GRAPH"
            out.append(value)
        head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(extra.items()))
        # Relative IRIs resolve against the endpoint, as on the embedded backend (Virtuoso
        # would leave them relative). A query's own BASE wins: Virtuoso refuses two, and
        # takes one only before every PREFIX, so it is moved to the front.
        base = f"BASE <{base_iri}>\n"
        significant = [i for i, (kind, _) in enumerate(tokens) if kind not in ("space", "comment")]
        for n, i in enumerate(significant[:-1]):
            if tokens[i][0] == "word" and tokens[i][1].upper() == "BASE" and tokens[significant[n + 1]][0] == "iri":
                base = f"BASE {out[significant[n + 1]]}\n"
                out[i] = out[significant[n + 1]] = " "
                break
        return base + head + "".join(out)

    def _request(
        self,
        text: str,
        default: list[str],
        named: list[str],
        accept: str,
        max_rows: int | None,
        timeout: float,
        form: str,
        *,
        limit: float | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """POST the query; ``timeout`` is the time left, ``limit`` the configured one (messages)."""
        limit = timeout if limit is None else limit
        started = time.monotonic()
        deadline = started + timeout + GRACE
        for attempt in (1, 2):
            wrapper = _Wrapper(self.endpoint, agent=self.user_agent)
            wrapper.form, wrapper.pool = form, self._pool
            wrapper.setMethod("POST")
            wrapper.setRequestMethod("urlencoded")
            wrapper.setOnlyConneg(True)
            # The dataset as Virtuoso pragmas, which is what it makes of default-graph-uri and
            # named-graph-uri itself; sent as parameters it would echo one response header per
            # graph, more than Python's http.client accepts (100) for a release of many months.
            wrapper.setQuery(_pragmas(tuple(default), tuple(named)) + text)
            wrapper.addCustomHttpHeader("Accept", accept)
            if max_rows is not None:
                wrapper.addParameter("maxrows", str(max_rows))
            wrapper.addParameter("timeout", str(max(1, int(timeout * 1000))))
            wrapper.setTimeout(max(0.1, deadline - time.monotonic()))
            try:
                result = wrapper.query()
                return result.response.read(), {k.lower(): v for k, v in result.response.headers.items()}
            except urllib3.exceptions.ReadTimeoutError:
                raise QueryTimeout(timeout_message(limit)) from None
            except urllib3.exceptions.ProtocolError as exc:
                # A kept-alive connection the store closed as it was reused: once more on a
                # new one (queries only read), unless the time is gone.
                if attempt == 2 or time.monotonic() >= deadline:
                    log.error("remote store connection failed: %s", exc)
                    raise BackendUnavailable("The SPARQL store cannot be reached.") from None
            except urllib3.exceptions.HTTPError as exc:  # refused, unresolvable, connect timeout
                log.error("remote store cannot be reached: %s", exc)
                raise BackendUnavailable("The SPARQL store cannot be reached.") from None
            except QueryBadFormed as exc:
                log.warning("remote store refused a query: %s", _engine_text(exc))
                raise QueryFailed("The SPARQL store could not evaluate this query.") from None
            except EndPointInternalError as exc:
                engine_text = _engine_text(exc)
                log.warning("remote store failed on a query: %s", engine_text)
                if "estimated execution time" in engine_text:
                    raise QueryFailed(
                        "The SPARQL store estimates that this query would run far too long, so it did not start "
                        "it; narrow it down (fewer graphs, more specific patterns)."
                    ) from None
                if "max vector length" in engine_text:
                    raise QueryFailed("The result is too large for the SPARQL store to build; add a LIMIT.") from None
                if _is_timeout(engine_text) or time.monotonic() - started >= timeout:
                    raise QueryTimeout(timeout_message(limit)) from None
                raise QueryFailed("The SPARQL store could not evaluate this query.") from None
            except (EndPointNotFound, Unauthorized, URITooLong, SPARQLWrapperException) as exc:
                log.error("remote store refused the gateway: %s", _engine_text(exc))
                raise BackendUnavailable("The SPARQL store refused the gateway's request.") from None
            except urllib.error.HTTPError as exc:
                log.error("remote store answered HTTP %s", exc.code)
                raise BackendUnavailable("The SPARQL store is unavailable.") from None
        raise AssertionError("unreachable")  # every attempt returns or raises


class _Answered:
    """A urllib3 answer, read already, as SPARQLWrapper's QueryResult expects a response."""

    def __init__(self, response: urllib3.BaseHTTPResponse) -> None:
        self.body, self.headers, self.status = response.data, response.headers, response.status

    def read(self) -> bytes:
        return self.body


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper on the backend's pool of kept-alive connections, told the query form.

    SPARQLWrapper builds the request (parameters, encoding, headers) and maps the HTTP
    errors to its exceptions as usual; only the transport differs: urllib opened a new TCP
    connection for every query, urllib3's pool keeps them alive. The query form is the one
    the checks found: SPARQLWrapper's own guess runs regular expressions over the whole
    text (twice per query), about 4 ms of a point lookup with a release's 100 pragmas.
    """

    form = "SELECT"
    pool: urllib3.PoolManager

    def _parseQueryType(self, query: str) -> str:
        return self.form

    def _query(self) -> tuple[Any, str]:
        request = self._createRequest()
        response = self.pool.request(
            request.get_method(),
            request.full_url,
            body=request.data,
            headers=dict(request.header_items()),
            timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=self.timeout),
            retries=False,
            redirect=False,
        )
        if response.status < 400:
            return _Answered(response), self.returnFormat
        errors = {
            400: QueryBadFormed,
            401: Unauthorized,
            404: EndPointNotFound,
            414: URITooLong,
            500: EndPointInternalError,
        }
        if response.status in errors:
            raise errors[response.status](response.data)
        raise urllib.error.HTTPError(request.full_url, response.status, response.reason or "", None, None)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=64)
def _pragmas(default: tuple[str, ...], named: tuple[str, ...]) -> str:
    """The dataset pragmas: the same text for every query on a release's default dataset."""
    defines = [f"define input:default-graph-uri <{g}>" for g in default]
    defines += [f"define input:named-graph-uri <{g}>" for g in named]
    return "\n".join(defines) + "\n"


# --- the dataset ---------------------------------------------------------------------------


def dataset(
    query: Query, from_default: list[str], from_named: list[str], graphs: frozenset[str], prefix: str
) -> tuple[list[str], list[str]]:
    """The stored default and named graphs a query runs on (both never empty: see module doc)."""

    def stored(iris: Iterable[str]) -> list[str]:
        mapped = sorted({prefix + g if g in graphs else ABSENT_GRAPH for g in iris})
        return mapped or [ABSENT_GRAPH]

    if query.default_graphs or query.named_graphs:
        return stored(query.default_graphs), stored(query.named_graphs)
    if from_default or from_named:
        return stored(g.removeprefix(prefix) for g in from_default), stored(g.removeprefix(prefix) for g in from_named)
    everything = sorted(prefix + g for g in graphs)
    return everything, everything


def split_dataset(text: str) -> tuple[str, list[str], list[str]]:
    """The query without its FROM / FROM NAMED clauses, and their IRIs (prefixed names expanded).

    Virtuoso lets FROM in the text win over its dataset pragmas, so the clauses are taken
    out and their graphs sent as the dataset instead (after the same checks).
    """
    tokens = list(tokenize(text))
    prefixes = declared_prefixes(tokens)
    significant = [i for i, (kind, _) in enumerate(tokens) if kind not in ("space", "comment")]
    default: list[str] = []
    named: list[str] = []
    dropped: set[int] = set()
    for n, i in enumerate(significant):
        kind, value = tokens[i]
        if kind != "word" or value.upper() != "FROM":
            continue
        target, clause = default, [i]
        following = significant[n + 1 : n + 3]
        if following and tokens[following[0]][0] == "word" and tokens[following[0]][1].upper() == "NAMED":
            target = named
            clause.append(following[0])
            following = following[1:]
        if not following or tokens[following[0]][0] not in ("iri", "pname"):
            continue  # not a dataset clause: left for the store to refuse
        kind, value = tokens[following[0]]
        target.append(value[1:-1] if kind == "iri" else (expand(value, prefixes) or value))
        clause.append(following[0])
        dropped.update(clause)
    return "".join(" " if i in dropped else v for i, (_, v) in enumerate(tokens)), default, named


def empty_graph_patterns(text: str, named: list[str]) -> str:
    """``GRAPH ?g { }`` written as ``VALUES ?g { <each named graph> }``: the same solutions.

    An empty pattern in ``GRAPH ?g`` matches once in every named graph of the dataset
    (SPARQL 1.1, 18.6); Virtuoso matches it nowhere, so a listing of graphs such as
    ``SELECT ?g WHERE { GRAPH ?g { } }`` would come back empty.
    """
    tokens = list(tokenize(text))
    significant = [i for i, (kind, _) in enumerate(tokens) if kind not in ("space", "comment")]
    replaced: dict[int, str] = {}
    dropped: set[int] = set()
    for n in range(len(significant) - 3):
        graph, var, opening, closing = (tokens[i] for i in significant[n : n + 4])
        if (
            graph[0] == "word"
            and graph[1].upper() == "GRAPH"
            and var[0] == "var"
            and opening[1] == "{"
            and closing[1] == "}"
        ):
            values = " ".join(f"<{g}>" for g in named)
            replaced[significant[n]] = f"VALUES {var[1]} {{ {values} }}"
            dropped.update(range(significant[n] + 1, significant[n + 3] + 1))
    if not replaced:
        return text
    return "".join(replaced.get(i, " " if i in dropped else v) for i, (_, v) in enumerate(tokens))


def dataset_clauses(text: str) -> tuple[list[str], list[str]]:
    """The IRIs of a query's FROM and FROM NAMED clauses (prefixed names expanded)."""
    _, default, named = split_dataset(text)
    return default, named


ENGINE_NAMESPACES = ("bif:", "sql:")  # Virtuoso's built-in SQL functions and stored procedures


def _engine_extension(kind: str, value: str, prefixes: dict[str, str]) -> bool:
    """A Virtuoso ``bif:``/``sql:`` function (declared or not): they can reach files and the network."""
    if kind == "iri":
        return value[1:].lower().startswith(ENGINE_NAMESPACES)
    if kind == "pname":
        if value.lower().startswith(ENGINE_NAMESPACES):
            return True
        expanded = expand(value, prefixes)
        return expanded is not None and expanded.lower().startswith(ENGINE_NAMESPACES)
    return False


# --- answers -------------------------------------------------------------------------------


def _results_answer(body: bytes, media_type: str, max_rows: int, prefix: str, form: str) -> Answer:
    results = json.loads(body)
    target = RESULT_FORMATS.get(_bare(media_type))
    if target is None:
        raise QueryFailed(f"The gateway cannot write {media_type} from the SPARQL store.")
    if "boolean" in results:
        document = {"head": {}, "boolean": bool(results["boolean"])}
        return Answer(media_type, _serialize_results(document, target), None, False, form)
    variables = [v for v in results["head"].get("vars", [])]
    bindings = results["results"]["bindings"]
    truncated = len(bindings) > max_rows
    bindings = [{name: _public_term(term, prefix) for name, term in row.items()} for row in bindings[:max_rows]]
    document = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return Answer(media_type, _serialize_results(document, target), len(bindings), truncated, form)


def _serialize_results(document: dict[str, Any], target: ox.QueryResultsFormat) -> bytes:
    parsed = ox.parse_query_results(json.dumps(document).encode(), format=ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=target)


def _public_term(term: dict[str, Any], prefix: str) -> dict[str, Any]:
    kind = term.get("type")
    value = term.get("value", "")
    if kind == "typed-literal":  # SPARQL 1.0 JSON, still sent by Virtuoso
        kind = "literal"
    if kind in ("uri", "literal") and value.startswith(prefix):
        value = value[len(prefix) :]
    if kind == "bnode" and value.startswith("nodeID://"):
        value = value[len("nodeID://") :]
    public = {"type": kind, "value": value}
    if term.get("xml:lang"):
        public["xml:lang"] = term["xml:lang"]
    elif term.get("datatype"):
        public["datatype"] = term["datatype"]
    return public


def _graph_answer(body: bytes, media_type: str, max_rows: int, prefix: str, form: str) -> Answer:
    target = GRAPH_FORMATS.get(_bare(media_type))
    if target is None:
        raise QueryFailed(f"The gateway cannot write {media_type} from the SPARQL store.")
    triples = []
    truncated = False
    for triple in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
        if len(triples) == max_rows:
            truncated = True
            break
        triples.append(
            ox.Triple(_public_node(triple.subject, prefix), triple.predicate, _public_node(triple.object, prefix))
        )
    if target in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        data = ox.serialize([ox.Quad(t.subject, t.predicate, t.object) for t in triples], format=target)
    else:
        data = ox.serialize(triples, format=target)
    return Answer(media_type, data or b"", len(triples), truncated, form)


def _public_node(node: Any, prefix: str) -> Any:
    if isinstance(node, ox.NamedNode) and node.value.startswith(prefix):
        return ox.NamedNode(node.value[len(prefix) :])
    return node


# --- messages ------------------------------------------------------------------------------


def _bare(media_type: str) -> str:
    return media_type.split(";")[0].strip().lower()


def _not_loaded(release_id: str) -> str:
    return f"The SPARQL store has not loaded release {release_id} yet; try again shortly."


def _engine_text(exc: Exception) -> str:
    return str(exc)[:500]


_TIMEOUT_STATES = ("S1T00", "S1TAT", "SR171", "timed out", "timeout")


def _is_timeout(text: str) -> bool:
    return any(marker.lower() in text.lower() for marker in _TIMEOUT_STATES)
