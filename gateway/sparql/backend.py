"""The small interface every SPARQL backend implements (embedded pyoxigraph, remote HTTP).

The protocol layer (``gateway.sparql``) reads a request, makes the cheap checks
(``checks.prepare``: size, escapes, nesting, the quick reading of the form), negotiates
the media type for either kind of answer and builds a ``Query``; a backend runs the full
check where the quick one could not decide (inside the query's deadline), runs the query
against one release and returns the serialised result. Backends never see HTTP and never
raise engine text to clients: they raise the errors below (or ``checks.QueryRefused``),
whose messages are written by the gateway.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from gateway.current import Release

RESULT_FORMS = ("SELECT", "ASK")  # answered with a results document; the others with a graph


@dataclass(frozen=True)
class MediaTypes:
    """The negotiated media type of each kind of answer; None where the client accepts none."""

    results: str | None  # SELECT and ASK, e.g. application/sparql-results+json
    graph: str | None  # CONSTRUCT and DESCRIBE, e.g. text/turtle

    def for_form(self, form: str) -> str:
        """The media type for ``form``; ``FormatNotAcceptable`` when there is none."""
        chosen = self.results if form in RESULT_FORMS else self.graph
        if chosen is None:
            raise FormatNotAcceptable(form)
        return chosen


@dataclass(frozen=True)
class Query:
    """A read-only query, ready to run once checked."""

    text: str  # the canonical text (checks.canonical_text): what the engine runs
    form: str | None  # "SELECT", "ASK", "CONSTRUCT" or "DESCRIBE"; None: run the full check first
    # The protocol's dataset (default-graph-uri / named-graph-uri), public graph IRIs, a
    # part left out being empty. Both empty: the query's FROM / FROM NAMED (checked to be
    # the release's own graphs), else the union of the release's graphs, every graph named.
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    media_types: MediaTypes
    max_rows: int  # rows (solutions or triples) beyond this are cut, and the answer says so
    timeout: float  # seconds; past it the work, checks included, is stopped and QueryTimeout raised
    deadline: float | None = None  # time.monotonic() when the answer is due; None: timeout from now

    def started(self) -> Query:
        """This query with its deadline fixed (``timeout`` from now, unless already set)."""
        if self.deadline is not None:
            return self
        return replace(self, deadline=time.monotonic() + self.timeout)

    def remaining(self) -> float:
        assert self.deadline is not None, "call started() first"
        return max(0.0, self.deadline - time.monotonic())


@dataclass(frozen=True)
class Answer:
    media_type: str
    body: bytes
    rows: int | None  # solutions or triples returned; None for ASK
    truncated: bool  # True when max_rows cut the result
    form: str | None = None  # the query's form, as the checks found it


class Backend(Protocol):
    """Runs queries for a release. One instance per process, shared by its threads."""

    name: str

    def run(self, release: Release, query: Query) -> Answer: ...

    def close(self) -> None: ...


class BackendError(Exception):
    """Base class; ``str(error)`` is a message safe to show a client."""


class QueryTimeout(BackendError):
    """The query ran past its deadline and its work was stopped."""


class QueryFailed(BackendError):
    """The engine could not evaluate the query (the engine's own text is only logged)."""


class BackendUnavailable(BackendError):
    """The store cannot be reached or is busy (too many queries running)."""


class FormatNotAcceptable(BackendError):
    """The client accepts no media type for this form of query (a 406)."""

    def __init__(self, form: str) -> None:
        super().__init__(f"No acceptable media type for a {form} query.")
        self.form = form


def timeout_message(seconds: float) -> str:
    return (
        f"The query ran longer than the {seconds:g} s limit and was stopped. "
        "Narrow it (a LIMIT, a month's graph, fewer joins) and try again."
    )
