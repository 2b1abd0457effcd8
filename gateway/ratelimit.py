"""Rate limiting for the JSON APIs: a token bucket per client, shared by every worker.

data.police.uk allows 15 requests a second with bursts of 30 (``RATE_LIMIT``,
``RATE_BURST``); above that it answers 429. gunicorn runs several worker processes, so a
bucket held in each process would let a client through once per worker. The buckets live
instead in one small SQLite file under the data directory (``ratelimit.sqlite``, WAL, no
fsync: losing it loses nothing that matters), and each request updates its client's
bucket in a single atomic UPSERT, which SQLite's file lock serialises across processes.

The client is the remote address gunicorn reports. Only when that address is a trusted
proxy (``GATEWAY_TRUSTED_PROXIES``: addresses or networks; empty by default, so no proxy
header is believed) is it the right-most address in ``X-Forwarded-For`` that is not itself
trusted. Otherwise anyone could choose a new identity, and a new bucket, per request.
"""

from __future__ import annotations

import ipaddress
import math
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, current_app, jsonify, request

from .errors import error_body

EXTENSION = "gateway.ratelimit"
# Both JSON APIs: the data.police.uk-compatible one and ours (/api/v1/).
PREFIX = "/api/"
# Every this many requests a process drops buckets that have been full for a while.
SWEEP_EVERY = 1000

_SCHEMA = """CREATE TABLE IF NOT EXISTS bucket (
    client TEXT PRIMARY KEY, tokens REAL NOT NULL, updated REAL NOT NULL, allowed INTEGER NOT NULL)"""
# SET expressions see the row as it was; _AVAILABLE is the bucket refilled up to now.
_AVAILABLE = "min(:burst, tokens + max(0, :now - updated) * :rate)"
_TAKE = f"""
INSERT INTO bucket (client, tokens, updated, allowed) VALUES (:client, :burst - 1, :now, 1)
ON CONFLICT (client) DO UPDATE SET
    tokens = CASE WHEN {_AVAILABLE} >= 1 THEN {_AVAILABLE} - 1 ELSE {_AVAILABLE} END,
    allowed = {_AVAILABLE} >= 1,
    updated = max(updated, :now)
RETURNING allowed, tokens
"""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until a request would be allowed; 0 when allowed


class TokenBucket:
    """Token buckets in a SQLite file, safe across threads and processes."""

    def __init__(self, path: Path, rate: float, burst: float) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("RATE_LIMIT must be above 0 and RATE_BURST at least 1")
        self.path, self.rate, self.burst = path, float(rate), float(burst)
        self._local = threading.local()
        self._count = 0

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=5, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute(_SCHEMA)
            self._local.conn = conn
        return conn

    def take(self, client: str, now: float | None = None) -> Decision:
        """Spend one token of ``client``'s bucket, if it has one."""
        now = time.time() if now is None else now
        conn = self._connection()
        params = {"client": client, "burst": self.burst, "rate": self.rate, "now": now}
        allowed, tokens = conn.execute(_TAKE, params).fetchone()
        self._count += 1
        if self._count % SWEEP_EVERY == 0:
            conn.execute("DELETE FROM bucket WHERE updated < ?", (now - self.burst / self.rate - 60,))
        if allowed:
            return Decision(True, 0)
        return Decision(False, max(1, math.ceil((1 - tokens) / self.rate)))

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _trusted_networks(trusted: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network] | None:
    """The networks of ``trusted`` (``"10.0.0.1, 172.16.0.0/12"``); None for ``*`` (any)."""
    networks = []
    for entry in (t.strip() for t in trusted.split(",")):
        if entry == "*":
            return None
        if entry:
            try:
                networks.append(ipaddress.ip_network(entry))  # strict, as gunicorn reads it
            except ValueError:
                raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
    return networks


def client_address(remote_addr: str | None, forwarded_for: str | None, trusted: str) -> str:
    """The client a request comes from, through trusted proxies only.

    ``trusted`` is ``GATEWAY_TRUSTED_PROXIES``: comma-separated addresses or networks, or
    ``*``; empty, ``X-Forwarded-For`` is ignored and the client is ``remote_addr``.
    """
    networks = _trusted_networks(trusted)
    address = remote_addr or "unknown"

    def is_trusted(a: str) -> bool:
        if networks is None:
            return True
        try:
            ip = ipaddress.ip_address(a)
        except ValueError:
            return False  # not an address (a forged or garbled hop): never a proxy of ours
        return any(ip in network for network in networks)

    if not forwarded_for or not is_trusted(address):
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not is_trusted(hop):
            return hop
        address = hop
    return address


def _too_many(decision: Decision) -> Response:
    rate, burst = current_app.config["RATE_LIMIT"], current_app.config["RATE_BURST"]
    message = (
        f"too many requests: this API allows {rate:g} requests a second per client, with bursts of {burst:g}; "
        f"retry after {decision.retry_after} s"
    )
    if request.path.startswith("/api/v1/"):
        response = jsonify(error_body(429, "Too Many Requests", message))
        response.status_code = 429
    else:
        from .police_uk.errors import plain_error

        response = plain_error(429, message)
    response.headers["Retry-After"] = str(decision.retry_after)
    return response


def init_app(app: Flask) -> None:
    rate, burst = app.config["RATE_LIMIT"], app.config["RATE_BURST"]
    _trusted_networks(app.config["TRUSTED_PROXIES"])  # a mistake in the setting stops the start
    if not rate or rate <= 0:
        return  # RATE_LIMIT=0 switches limiting off
    bucket = TokenBucket(Path(app.config["DATA_DIR"]) / "ratelimit.sqlite", rate, burst)
    app.extensions[EXTENSION] = bucket

    @app.before_request
    def _limit() -> Response | None:
        if not request.path.startswith(PREFIX):
            return None
        client = client_address(
            request.remote_addr, request.headers.get("X-Forwarded-For"), app.config["TRUSTED_PROXIES"]
        )
        decision = bucket.take(client)
        return None if decision.allowed else _too_many(decision)
