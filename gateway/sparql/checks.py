"""What a query may do here, decided before any engine sees it.

The query is parsed with rdflib's SPARQL parser (parsing only; rdflib never evaluates
it). A query is refused when it is too long, is not SPARQL 1.1 query syntax (the message
gives the line and column), is an update (``LOAD``, ``INSERT``, ``CLEAR``...), asks for
outbound traffic (``SERVICE``), or names in ``FROM`` / ``FROM NAMED`` a graph that is not
one of the release's own. Engines fetch such IRIs on behalf of whoever sent the query:
a server-side request forgery hole this module closes.

Parsing costs 1 to 7 ms a query, more than a point lookup costs the engine, and rdflib's
parser runs one query at a time per process. ``quick_check`` decides the common case
without it: a query whose text holds neither ``service`` nor ``from`` anywhere (in any
case, even inside strings or comments) can ask for no outbound traffic and name no
graph, so once its prologue and form are read it only needs the engine's own parse (its
syntax errors are reported in the gateway's words, by the backend). Anything else, or
anything the quick reading does not recognise, takes the full check.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pyparsing import ParseException
from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}
# Parse trees are shallow; anything deeper is a pathological query.
MAX_DEPTH = 200
# rdflib's parser (pyparsing) keeps state while it parses: one parse at a time per process.
_PARSER = threading.Lock()


# Words whose presence anywhere sends a query through the full check: SERVICE and FROM,
# and Virtuoso's extensions that fetch IRIs or reach past SPARQL (pragmas, OPTION
# clauses, the sponger's get:/input: options, bif:/sql: functions), which rdflib refuses.
_NEEDS_PARSE = re.compile(r"service|from|define|option|grab|sponge|get:|input:|bif:|sql:", re.IGNORECASE)
# The prologue, one declaration at a time, and comments between them.
_SKIP = re.compile(
    r"""\s+|\#[^\n]*|(?i:prefix)\s*[^\s:<>]*:\s*<[^<>"{}|^`\\\x00-\x20]*>|(?i:base)\s*<[^<>"{}|^`\\\x00-\x20]*>"""
)
_FORM = re.compile(r"(?i:(select|ask|construct|describe))(?![A-Za-z0-9_])")


class QueryRefused(Exception):
    """A query the endpoint will not run; ``str()`` says why, for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class CheckedQuery:
    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    from_graphs: tuple[str, ...]  # FROM, resolved against the query's prologue
    from_named_graphs: tuple[str, ...]  # FROM NAMED
    quick: bool = False  # decided by quick_check: the engine has not parsed it yet


def quick_check(text: str, *, max_bytes: int) -> CheckedQuery | None:
    """The check of a query that can name no graph and call no service, or None.

    None means: use ``check_query`` (the text mentions SERVICE or FROM somewhere, or its
    start is not a prologue followed by SELECT, ASK, CONSTRUCT or DESCRIBE).
    """
    if len(text.encode("utf-8")) > max_bytes or _NEEDS_PARSE.search(text):
        return None
    position = 0
    while (skipped := _SKIP.match(text, position)) is not None and skipped.end() > position:
        position = skipped.end()
    form = _FORM.match(text, position)
    if form is None:
        return None
    return CheckedQuery(text, form.group(1).upper(), (), (), quick=True)


def check_query(text: str, *, max_bytes: int, own_graph: Callable[[str], bool], base_iri: str) -> CheckedQuery:
    """Parse and check ``text``; raise ``QueryRefused`` with a 4xx status and a reason."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise QueryRefused(413, f"The query is {size:,} bytes long; this endpoint accepts at most {max_bytes:,}.")
    if not text.strip():
        raise QueryRefused(400, "The query is empty.")
    try:
        with _PARSER:
            parsed = parseQuery(text)
    except ParseException as error:
        if _is_update(text):
            raise QueryRefused(403, _READ_ONLY) from None
        raise QueryRefused(
            400, f"SPARQL syntax error at line {error.lineno}, column {error.col}: {_expected(error)}"
        ) from None
    except Exception:
        raise QueryRefused(400, "The query could not be parsed as SPARQL 1.1.") from None
    prologue_tree, body = parsed[0], parsed[1]
    form = FORMS.get(body.name)
    if form is None:
        raise QueryRefused(400, "Only SELECT, ASK, CONSTRUCT and DESCRIBE queries are answered here.")
    for node in _walk(body, 0):
        if node.name == "ServiceGraphPattern":
            raise QueryRefused(
                400,
                "SERVICE is not allowed: this endpoint never makes requests to other servers. "
                "Run federated queries from your own client instead.",
            )
    defaults, named = [], []
    # CompValue.get takes no default (its second argument means something else).
    clauses = body["datasetClause"] if "datasetClause" in body else []  # noqa: SIM401
    # The prologue is only needed to resolve FROM IRIs; building it costs about 0.5 ms
    # (rdflib binds its default prefixes each time), so queries without FROM skip it.
    prologue = _prologue(prologue_tree, base_iri) if clauses else None
    for clause in clauses:
        is_named = "named" in clause
        try:
            iri = str(prologue.absolutize(clause["named" if is_named else "default"]))
        except Exception:
            raise QueryRefused(400, "A FROM clause uses a prefix the query does not declare.") from None
        if not own_graph(iri):
            raise QueryRefused(
                400,
                f"FROM{' NAMED' if is_named else ''} <{iri[:200]}> is not a graph of this release: this endpoint "
                "never fetches data from elsewhere. Leave out FROM to query every graph, or name one of ours "
                "(listed in the service description).",
            )
        (named if is_named else defaults).append(iri)
    return CheckedQuery(text, form, tuple(defaults), tuple(named))


def _prologue(prologue_tree: Any, base_iri: str) -> Any:
    try:
        with _PARSER:
            return translatePrologue(prologue_tree, base_iri)
    except Exception:
        raise QueryRefused(400, "The query's prologue (PREFIX and BASE declarations) is not valid.") from None


_READ_ONLY = "This endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, ...) are refused."


def _is_update(text: str) -> bool:
    try:
        with _PARSER:
            parseUpdate(text)
    except Exception:
        return False
    return True


def _expected(error: ParseException) -> str:
    found = error.line[max(0, error.col - 1) : error.col + 19].strip()
    return f"unexpected {found!r}" if found else "the query ends too early"


def _walk(node: Any, depth: int) -> Iterator[CompValue]:
    if depth > MAX_DEPTH:
        raise QueryRefused(400, "The query is nested too deeply.")
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value, depth + 1)
    elif isinstance(node, (list, tuple)) or (hasattr(node, "asList") and not isinstance(node, str)):
        for value in node:
            yield from _walk(value, depth + 1)
