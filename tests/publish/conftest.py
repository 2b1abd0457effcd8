"""A release published from the demo internal tables, once per backend."""

from __future__ import annotations

import pytest

from gateway.publish.pipeline import publish

KEY = b"test-pseudonym-key"


@pytest.fixture(scope="session")
def release(demo_engine, tmp_path_factory):
    """The result of publishing the demo data (the internal tables of ``demo_engine``)."""
    releases = tmp_path_factory.mktemp(f"releases-{demo_engine.dialect.name}")
    url = demo_engine.url.render_as_string(hide_password=False)
    return publish(url, releases, key=KEY)
