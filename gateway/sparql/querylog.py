"""The structured query log: one JSON line per query on the ``gateway.sparql.queries`` logger.

Fields: ``time`` (UTC, ISO 8601), ``client``, ``query_hash`` (SHA-256 of the text, first
16 hex digits; the text itself is not logged), ``form``, ``format``, ``duration_ms``,
``rows``, ``truncated``, ``status``, ``cached``, ``release``, ``backend``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger("gateway.sparql.queries")


def query_hash(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]


def record(**fields: Any) -> dict[str, Any]:
    """Log one query; the record (also passed as ``extra={"sparql": ...}``) is returned."""
    entry = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), **fields}
    log.info(json.dumps(entry, separators=(",", ":")), extra={"sparql": entry})
    return entry


def configure(destination: str | None) -> None:
    """Send the log to stderr (``-``), a file (a path), or only to the parent loggers ("")."""
    if not destination or log.handlers:
        return
    handler = logging.StreamHandler(sys.stderr) if destination == "-" else logging.FileHandler(destination)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
