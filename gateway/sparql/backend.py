"""The small interface every SPARQL backend implements (embedded pyoxigraph, remote HTTP).

The protocol layer (``gateway.sparql``) parses and checks a request (read-only, no
outbound traffic, size limits), negotiates the result format and builds a ``Query``; a
backend only runs it against one release and returns the serialised result. Backends
never see HTTP and never raise engine text to clients: they raise the errors below, whose
messages are written by the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from gateway.current import Release


@dataclass(frozen=True)
class Query:
    """A checked, read-only query, ready to run."""

    text: str
    form: str  # "SELECT", "ASK", "CONSTRUCT" or "DESCRIBE"
    # The dataset, public graph IRIs: the protocol's (default-graph-uri / named-graph-uri)
    # or else the query's FROM / FROM NAMED (checked to be the release's own graphs), a
    # part left out being empty. Both empty: the default graph is the union of the
    # release's graphs, every graph named.
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    media_type: str  # the negotiated result media type, e.g. application/sparql-results+json
    max_rows: int  # rows (solutions or triples) beyond this are cut, and the answer says so
    timeout: float  # seconds; past it the work is stopped and QueryTimeout raised


@dataclass(frozen=True)
class Answer:
    media_type: str
    body: bytes
    rows: int | None  # solutions or triples returned; None for ASK
    truncated: bool  # True when max_rows cut the result


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
