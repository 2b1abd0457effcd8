"""Fixtures of the catalogue tests: the demo release's manifest and a reader for answers."""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="module")
def manifest(published_dir) -> dict:
    return json.loads((published_dir / "releases" / "current" / "manifest.json").read_text())


@pytest.fixture(scope="module")
def release_path(published_dir):
    return (published_dir / "releases" / "current").resolve()


def fetch(client, url: str, **kwargs):
    """GET ``url``; the response with its body read and its file closed."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response
