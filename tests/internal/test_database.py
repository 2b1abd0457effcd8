"""Database URLs: what is accepted, and what is refused with a clear message."""

from __future__ import annotations

import pytest

from gateway.internal.database import DatabaseURLError, parse_database_url, sqlite_path


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("sqlite:///var/internal.sqlite", "sqlite"),
        ("postgresql://met@db.internal/records", "postgresql+psycopg"),
        ("postgres://met@db.internal/records", "postgresql+psycopg"),
        ("postgresql+psycopg://met@127.0.0.1:5432/records", "postgresql+psycopg"),
    ],
)
def test_accepted_urls(url, driver):
    assert parse_database_url(url).drivername == driver


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/met", "unsupported database URL scheme 'mysql'"),
        ("oracle+cx_oracle://x@y/z", "unsupported database URL scheme"),
        ("not a url", "not a database URL"),
        ("sqlite+pysqlcipher:///x.db", "unsupported SQLite driver"),
    ],
)
def test_refused_urls(url, message):
    with pytest.raises(DatabaseURLError, match=message):
        parse_database_url(url)


def test_sqlite_path():
    assert str(sqlite_path(parse_database_url("sqlite:////tmp/a.sqlite"))) == "/tmp/a.sqlite"
    assert sqlite_path(parse_database_url("sqlite://")) is None
    assert sqlite_path(parse_database_url("postgresql://x@y/z")) is None
