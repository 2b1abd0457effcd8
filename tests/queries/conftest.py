"""A connection on the demo release's published tables (SQLite)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def conn(published_release):
    with published_release.engine.connect() as connection:
        yield connection
