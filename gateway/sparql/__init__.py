"""The SPARQL 1.1 endpoint at /sparql.

The protocol (``protocol``), the checks (``checks``), the cache, the per-client slots and
the query log live here; a backend (``embedded``, or ``remote`` when ``SPARQL_BACKEND``
is ``"remote"``) only runs checked queries. Errors have this interface's envelope, the
app's ``{"error": {"status", "title", "message"}}``, with messages the gateway wrote.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, NotAcceptable
from werkzeug.http import HTTP_STATUS_CODES

from gateway import negotiation as neg
from gateway.current import Release, current_release, registry
from gateway.errors import error_body
from gateway.ratelimit import client_address

from . import querylog
from .backend import (
    RESULT_FORMS,
    Answer,
    Backend,
    BackendUnavailable,
    FormatNotAcceptable,
    MediaTypes,
    Query,
    QueryFailed,
    QueryTimeout,
)
from .cache import ResultCache
from .checks import QueryRefused, prepare
from .description import service_description
from .embedded import EmbeddedBackend
from .examples import examples
from .prefixes import default_prefixes
from .protocol import read_request
from .slots import ClientSlots, TooManyQueries

bp = Blueprint("sparql", __name__)
EXTENSION = "gateway.sparql"

JSON_RESULTS = neg.Format("json", "application/sparql-results+json", "srj", ("json", "application/json"), False)
XML_RESULTS = neg.Format("xml", "application/sparql-results+xml", "srx", ("xml", "application/xml"), False)
RESULT_FORMATS = (JSON_RESULTS, XML_RESULTS, neg.SPARQL_CSV, neg.SPARQL_TSV)
GRAPH_FORMATS = (neg.TURTLE, neg.NTRIPLES, neg.JSONLD, neg.RDFXML)
DESCRIPTION_FORMATS = (neg.TURTLE, neg.JSONLD, neg.RDFXML, neg.NTRIPLES, neg.HTML)
RDFLIB_NAMES = {neg.TURTLE: "turtle", neg.JSONLD: "json-ld", neg.RDFXML: "xml", neg.NTRIPLES: "nt"}
LIST_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"


class SparqlService:
    """Per-process state: the backend, the cache, the client slots, the graphs per release."""

    def __init__(self, app: Flask) -> None:
        config = app.config
        self.timeout = float(config["SPARQL_TIMEOUT"])
        self.max_rows = int(config["SPARQL_MAX_ROWS"])
        self.max_bytes = int(config["SPARQL_MAX_QUERY_BYTES"])
        self.backend = make_backend(config)
        self.cache = ResultCache(int(config["SPARQL_CACHE_BYTES"]))
        slots_dir = config.get("SPARQL_SLOTS_DIR") or str(Path(config["DATA_DIR"]) / "run" / "sparql-clients")
        self.slots = ClientSlots(Path(slots_dir), int(config["SPARQL_MAX_CONCURRENT_PER_CLIENT"]))
        self._graphs: dict[str, frozenset[str]] = {}

    def graphs(self, release: Release) -> frozenset[str]:
        """The release's named graphs, asked of the backend once per release.

        A backend with ``release_graphs(release_id)`` says itself; otherwise the store is
        asked (``GRAPH ?g {}`` lists pyoxigraph's named graphs without reading them).
        """
        found = self._graphs.get(release.id)
        if found is None and hasattr(self.backend, "release_graphs"):
            # A remote store knows which graphs it loaded for the release.
            found = frozenset(self.backend.release_graphs(release.id))
            self._graphs[release.id] = found
        if found is None:
            tsv = MediaTypes("text/tab-separated-values", None)
            query = Query(LIST_GRAPHS, "SELECT", (), (), tsv, 100_000, self.timeout)
            answer = self.backend.run(release, query)
            rows = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.TSV)
            found = frozenset(row["g"].value for row in rows if row["g"] is not None)
            self._graphs[release.id] = found
        return found

    def retire(self, release: Release) -> None:
        self.cache.drop_release(release.id)
        self._graphs.pop(release.id, None)


def make_backend(config: Any) -> Backend:
    """The backend ``SPARQL_BACKEND`` names: ``embedded`` (default) or ``remote``."""
    name = config["SPARQL_BACKEND"]
    if name == "embedded":
        return EmbeddedBackend(
            int(config["SPARQL_WORKERS"]),
            prefixes=default_prefixes(config["BASE_URI"]),
            max_bytes=int(config["SPARQL_MAX_QUERY_BYTES"]),
        )
    if name == "remote":
        from . import remote

        return remote.RemoteBackend(
            config["SPARQL_ENDPOINT"],
            prefixes=default_prefixes(config["BASE_URI"]),
            check_workers=int(config["SPARQL_WORKERS"]),
            max_bytes=int(config["SPARQL_MAX_QUERY_BYTES"]),
        )
    raise ValueError(f"SPARQL_BACKEND must be 'embedded' or 'remote', not {name!r}")


def service() -> SparqlService:
    return current_app.extensions[EXTENSION]


def init_app(app: Flask) -> None:
    state = SparqlService(app)
    app.extensions[EXTENSION] = state
    registry(app).on_retire(state.retire)
    querylog.configure(app.config.get("SPARQL_QUERY_LOG"))
    app.register_blueprint(bp)


# --- The endpoint ---------------------------------------------------------------------------


@bp.route("/sparql", methods=["GET", "POST"], strict_slashes=False)
def endpoint() -> Response:
    started = time.monotonic()
    if _wants_editor():
        return query_page(request.args.get("query", ""))
    log: dict[str, Any] = {"client": _client(), "status": 200, "cached": False}
    text = None
    try:
        asked = read_request(request, service().max_bytes)
        text = asked.text
        if text is None:
            return describe()
        response = _answer(asked.text, asked.default_graphs, asked.named_graphs, log, started + service().timeout)
    except QueryRefused as refused:
        response = _error(refused.status, refused.message)
    except HTTPException as error:
        response = _error(error.code or 500, error.description or "")
    log["status"] = response.status_code
    if text is not None:
        log["duration_ms"] = round((time.monotonic() - started) * 1000, 2)
        querylog.record(query_hash=querylog.query_hash(text), **log)
    return response


def _wants_editor() -> bool:
    """A browser following a link to a query (``GET ?query=``, ``Accept`` ranking HTML first).

    It gets the query page, whose editor opens the query from the URL and runs it, as the
    endpoint's answer to a person; clients asking for results (or ``*/*``) get results as before.
    """
    if request.method != "GET" or "query" not in request.args:
        return False
    try:
        return neg.negotiate((*RESULT_FORMATS, *GRAPH_FORMATS, neg.HTML)) is neg.HTML
    except HTTPException:  # nothing acceptable: the query's own path says so
        return False


def _answer(text: str, default_graphs: tuple, named_graphs: tuple, log: dict, deadline: float) -> Response:
    state = service()
    release = current_release()
    log.update(release=release.id, backend=state.backend.name)
    key = (release.id, text, default_graphs, named_graphs, request.headers.get("Accept"), request.args.get("_format"))
    cached = state.cache.get(key)
    if cached is not None:
        answer, form = cached
        log.update(cached=True, form=form, format=answer.media_type, rows=answer.rows, truncated=answer.truncated)
        return _respond(answer, release)
    # Linear-time checks here; the full check, if needed, runs in the backend's engine
    # processes inside the deadline (gateway.sparql.checks).
    prepared = prepare(text, max_bytes=state.max_bytes)
    if prepared.form is not None:
        log["form"] = prepared.form
    media_types = MediaTypes(_acceptable(RESULT_FORMATS), _acceptable(GRAPH_FORMATS))
    query = Query(
        prepared.text,
        prepared.form,
        default_graphs,
        named_graphs,
        media_types,
        state.max_rows,
        state.timeout,
        deadline,
    )
    try:
        with state.slots.hold(log["client"]):
            answer = state.backend.run(release, query)
    except TooManyQueries:
        return _error(429, f"You already have {state.slots.limit} queries running; wait for one to finish.")
    except FormatNotAcceptable as error:
        log["form"] = error.form
        neg.negotiate(RESULT_FORMATS if error.form in RESULT_FORMS else GRAPH_FORMATS)  # raises the 406
        raise
    except QueryTimeout as error:
        return _error(503, str(error), retry_after=5)
    except BackendUnavailable as error:
        return _error(503, str(error), retry_after=5)
    except QueryFailed as error:  # SyntaxFailure included
        return _error(400, str(error))
    log.update(form=answer.form, format=answer.media_type, rows=answer.rows, truncated=answer.truncated)
    state.cache.put(key, (answer, answer.form), len(answer.body) + len(text))
    return _respond(answer, release)


def _acceptable(formats: tuple[neg.Format, ...]) -> str | None:
    """The negotiated media type among ``formats``, or None when the client accepts none."""
    try:
        return neg.negotiate(formats).media_type
    except NotAcceptable:
        return None


def _respond(answer: Answer, release: Release) -> Response:
    response = Response(answer.body, content_type=_content_type(answer.media_type))
    response.headers["X-Release"] = release.id
    if answer.rows is not None:
        response.headers["X-SPARQL-Rows"] = str(answer.rows)
    if answer.truncated:
        response.headers["X-SPARQL-Truncated"] = "true"
        response.headers["X-SPARQL-Max-Rows"] = str(service().max_rows)
    return neg.vary_accept(response)


def _content_type(media_type: str) -> str:
    if media_type in ("text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples"):
        return f"{media_type}; charset=utf-8"
    return media_type


def _client() -> str:
    """The client, through trusted proxies only (the rate limit's rule, TRUSTED_PROXIES)."""
    return client_address(
        request.remote_addr, request.headers.get("X-Forwarded-For"), current_app.config["TRUSTED_PROXIES"]
    )


def _base(release: Release) -> str:
    return release.base + "sparql"


def _error(status: int, message: str, retry_after: int | None = None) -> Response:
    response = jsonify(error_body(status, HTTP_STATUS_CODES.get(status, "Error"), message))
    response.status_code = status
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


# --- The service description and the query page ---------------------------------------------


def describe() -> Response:
    fmt = neg.negotiate(DESCRIPTION_FORMATS)
    if fmt is neg.HTML:
        return query_page()
    state = service()
    release = current_release()
    graph = service_description(
        request.base_url,
        sorted(state.graphs(release)),
        release_id=release.id,
        timeout=state.timeout,
        max_rows=state.max_rows,
    )
    body = graph.serialize(format=RDFLIB_NAMES[fmt], encoding="utf-8")
    response = Response(body, content_type=fmt.content_type)
    return neg.vary_accept(response)


def query_page(query: str = "") -> Response:
    prefixes = default_prefixes(current_app.config["BASE_URI"])
    html = render_template(
        "sparql/query.html",
        query=query,
        endpoint=request.base_url,
        prefixes=prefixes,
        examples=examples(),
        timeout=service().timeout,
        max_rows=service().max_rows,
    )
    return neg.vary_accept(Response(html, content_type=neg.HTML.content_type))


@bp.after_request
def _cors(response: Response) -> Response:
    # A public read-only endpoint: browser tools on other sites may query it.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = (
        "X-SPARQL-Truncated, X-SPARQL-Max-Rows, X-SPARQL-Rows, X-Release"
    )
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    return response
