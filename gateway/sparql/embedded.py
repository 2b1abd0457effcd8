"""The embedded backend: the release's pyoxigraph store, queried in killable processes.

Queries run in a pool of engine processes (``gateway.sparql.pool``), each with the store
opened read-only and no network (``gateway.sparql.sandbox``). The full check, when the
quick one could not decide, runs in the same process just before the query, so a query's
deadline covers its check, and a check that runs away is killed with it.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from .backend import Answer, BackendUnavailable, FormatNotAcceptable, Query, QueryFailed
from .checks import QueryRefused
from .pool import EnginePool

if TYPE_CHECKING:
    from gateway.current import Release

log = logging.getLogger(__name__)


class SyntaxFailure(QueryFailed):
    """The engine found a syntax error the gateway's own parser let through."""


class EmbeddedBackend:
    """Runs queries on the release's store in a pool of engine processes."""

    name = "embedded"

    def __init__(self, workers: int = 2, prefixes: dict[str, str] | None = None, max_bytes: int = 65536) -> None:
        self.pool = EnginePool(workers)
        self.prefixes = prefixes
        self.max_bytes = max_bytes

    def run(self, release: Release, query: Query) -> Answer:
        query = query.started()
        job = {
            "store": str(release.store_path),
            "text": query.text,
            "form": query.form,
            "default_graphs": list(query.default_graphs),
            "named_graphs": list(query.named_graphs),
            "media_types": (query.media_types.results, query.media_types.graph),
            "max_rows": query.max_rows,
            "max_bytes": self.max_bytes,
            "base_iri": release.base + "sparql",
            "prefixes": self.prefixes,
        }
        assert query.deadline is not None
        answer = self.pool.ask(job, query.deadline, query.timeout)
        kind = answer[0]
        if kind == "ok":
            _, body, rows, truncated, form, media_type = answer
            return Answer(media_type, body, rows, truncated, form)
        if kind == "refused":
            raise QueryRefused(answer[1], answer[2])
        if kind == "not_acceptable":
            raise FormatNotAcceptable(answer[1])
        log.info("sparql engine refused the query (%s): %s", kind, answer[1][:500])
        if kind == "unavailable":
            raise BackendUnavailable("The current release's RDF store cannot be opened; try again later.")
        if kind == "syntax":
            raise SyntaxFailure(syntax_message(answer[1]))
        raise QueryFailed("The SPARQL engine could not evaluate this query.")

    @property
    def worker_pids(self) -> list[int]:
        """Pids of the idle engine processes (for the query log and the tests)."""
        return self.pool.worker_pids

    def close(self) -> None:
        self.pool.close()


ENGINE_POSITION = re.compile(r"^error at (\d+):(\d+)")


def syntax_message(engine_text: str) -> str:
    """The gateway's words for a syntax error only the engine found: where, and a hint."""
    message = "The SPARQL engine could not parse this query"
    position = ENGINE_POSITION.match(engine_text)
    if position:
        message += f" at line {position[1]}, column {position[2]}"
    if "Prefix not found" in engine_text:
        message += ": a prefix is used without a PREFIX declaration"
    elif "expected" in engine_text:
        message += ": check the function names and the punctuation there"
    return message + "."
