r"""What a query may do here, decided on the text the engine will run, inside the deadline.

``prepare`` runs in the web worker, in time linear in the query's length: the size limit,
the codepoint escapes (``canonical_text``), how deeply brackets nest, and the quick
reading of the form. The engine is then given the *canonical* text: escapes already
expanded, as SPARQL says they are before parsing, so the gateway's parser and the
engine's read the same characters (rdflib expands ``\u0022`` to a quote before parsing,
pyoxigraph inside strings only: given the raw text, the two disagreed on where a string
ended, and a SERVICE call hid from the check).

``check_query`` is the full check, with rdflib's SPARQL parser (parsing only): updates
(``LOAD``, ``INSERT``, ``CLEAR``...), ``SERVICE``, and ``FROM`` / ``FROM NAMED`` naming a
graph that is not one of the release's own are refused; a syntax error says where. It
runs in the engine processes (``gateway.sparql.worker``), so it counts against the
query's deadline, is killed with it, and never holds a web worker. It is a courtesy (it
says why); the guarantee that no request leaves is the engine's: its processes have no
network (``gateway.sparql.sandbox``), and the remote store refuses SERVICE itself.

``quick_check`` decides the common case without rdflib: a canonical text holding neither
``service`` nor ``from`` anywhere (in any case, even inside strings or comments) can ask
for no outbound traffic and name no graph, so once its prologue and form are read it only
needs the engine's own parse. Anything else takes the full check.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pyparsing import ParseException
from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from .lexer import nesting_depth

FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}
# Parse trees are shallow; anything deeper is a pathological query.
MAX_DEPTH = 2000
# Brackets ({ ( [) nested deeper than this are refused before any parser sees the text:
# pyoxigraph's recursive parser overflowed its stack (SIGSEGV) at about 5,000.
MAX_NESTING = 100
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
class Prepared:
    """A query ready for an engine: its canonical text, and its form when already known."""

    text: str
    form: str | None  # SELECT, ASK, CONSTRUCT or DESCRIBE by the quick check; None: full check needed


# SPARQL 1.1, 19.2: \uXXXX and \UXXXXXXXX stand for code points anywhere in a query.
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# What rdflib's parser would expand once more (it also reads \u with 8 digits, any case).
_LEFT_OVER = re.compile(r"\\[uU][0-9A-Fa-f]{4}")


def canonical_text(text: str) -> str:
    r"""``text`` with its codepoint escapes expanded: what every parser then reads alike.

    Refused (400): an escape for no character (a surrogate, beyond U+10FFFF, NUL), and
    escapes that spell further escapes (``\u005Cu0022``), which parsers count differently.
    """
    if "\\" not in text:
        return text

    def expand(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryRefused(400, f"The escape {match.group()!r} does not stand for a character.")
        return chr(code)

    expanded = _ESCAPE.sub(expand, text)
    if _LEFT_OVER.search(expanded):
        raise QueryRefused(
            400, "The query's escapes spell further escapes (such as \\u005Cu0022); write the characters instead."
        )
    return expanded


def prepare(text: str, *, max_bytes: int) -> Prepared:
    """The cheap checks, in the web worker: size, escapes, nesting, and the quick reading.

    Raise ``QueryRefused``; every step is linear in the query's length.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise QueryRefused(413, f"The query is {size:,} bytes long; this endpoint accepts at most {max_bytes:,}.")
    if not text.strip():
        raise QueryRefused(400, "The query is empty.")
    canonical = canonical_text(text)
    depth = nesting_depth(canonical)
    if depth > MAX_NESTING:
        raise QueryRefused(
            400,
            f"The query nests brackets {depth:,} deep; this endpoint accepts at most {MAX_NESTING} "
            "levels of { }, ( ) and [ ].",
        )
    quick = quick_check(canonical, max_bytes=max_bytes)
    return Prepared(canonical, quick.form if quick else None)


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


def check_query(text: str, *, max_bytes: int, own_graph: Callable[[str], bool] | None, base_iri: str) -> CheckedQuery:
    """Parse and check ``text``; raise ``QueryRefused`` with a 4xx status and a reason.

    ``own_graph`` says whether a FROM / FROM NAMED IRI is one of the release's graphs;
    None leaves that to the caller (``refuse_foreign_graphs``).
    """
    size = len(text.encode("utf-8", "surrogatepass"))
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
    except RecursionError:
        raise QueryRefused(400, "The query is nested too deeply.") from None
    except Exception:
        raise QueryRefused(400, "The query could not be parsed as SPARQL 1.1.") from None
    prologue_tree, body = parsed[0], parsed[1]
    form = FORMS.get(body.name)
    if form is None:
        raise QueryRefused(400, "Only SELECT, ASK, CONSTRUCT and DESCRIBE queries are answered here.")
    try:
        services = any(node.name == "ServiceGraphPattern" for node in _walk(body, 0))
    except RecursionError:
        raise QueryRefused(400, "The query is nested too deeply.") from None
    if services:
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
        (named if is_named else defaults).append(iri)
    if own_graph is not None:
        refuse_foreign_graphs(defaults, named, own_graph)
    return CheckedQuery(text, form, tuple(defaults), tuple(named))


def refuse_foreign_graphs(
    from_graphs: Iterable[str], from_named_graphs: Iterable[str], own_graph: Callable[[str], bool]
) -> None:
    """``QueryRefused`` (400) for the first FROM / FROM NAMED IRI that is not the release's."""
    for is_named, iris in ((False, from_graphs), (True, from_named_graphs)):
        for iri in iris:
            if not own_graph(iri):
                raise QueryRefused(
                    400,
                    f"FROM{' NAMED' if is_named else ''} <{iri[:200]}> is not a graph of this release: this "
                    "endpoint never fetches data from elsewhere. Leave out FROM to query every graph, or name one "
                    "of ours (listed in the service description).",
                )


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
