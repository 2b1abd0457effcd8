"""Fixtures for /api/v1: the demo release, read directly, to check answers against."""

from __future__ import annotations

import pytest
from sqlalchemy import text


@pytest.fixture
def api(release_client):
    """A test client on the demo release; ``api.json(path)`` asserts a 200 and parses it."""

    class Client:
        def __init__(self, client):
            self.client = client

        def get(self, path, **kwargs):
            return self.client.get(path, **kwargs)

        def json(self, path, **kwargs):
            response = self.client.get(path, **kwargs)
            assert response.status_code == 200, response.get_data(as_text=True)
            return response.get_json()

        def error(self, path, status=400, **kwargs):
            response = self.client.get(path, **kwargs)
            assert response.status_code == status, response.get_data(as_text=True)
            body = response.get_json()
            assert set(body) == {"error"} and body["error"]["status"] == status
            return body["error"]

    return Client(release_client)


@pytest.fixture(scope="session")
def sql(published_release):
    """Run SQL on the demo release's published tables: ``sql("SELECT …", name=value)``."""

    def run(statement, **params):
        with published_release.engine.connect() as conn:
            return conn.execute(text(statement), params).all()

    return run
