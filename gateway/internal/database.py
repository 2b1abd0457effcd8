"""Connecting to the internal tables: URL checking and engines for SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED = ("sqlite", "postgresql")


class DatabaseURLError(ValueError):
    """A database URL the gateway cannot use."""


def parse_database_url(url: str) -> URL:
    """Check a database URL and pick the driver the gateway ships with.

    ``postgres://`` and ``postgresql://`` both select psycopg 3.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseURLError(
            f"not a database URL: {url!r} (expected sqlite:///PATH or postgresql://USER@HOST/DB)"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
    if backend not in SUPPORTED:
        raise DatabaseURLError(
            f"unsupported database URL scheme {parsed.drivername!r}: use sqlite:///PATH or postgresql://USER@HOST/DB"
        )
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername != "sqlite":
        raise DatabaseURLError(f"unsupported SQLite driver {parsed.drivername!r}: use sqlite:///PATH")
    return parsed


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def make_engine(url: str | URL) -> Engine:
    """An engine for a checked URL; SQLite connections enforce foreign keys."""
    parsed = parse_database_url(str(url)) if isinstance(url, str) else url
    engine = create_engine(parsed, pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
