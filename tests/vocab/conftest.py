"""Fixtures of the vocabulary tests: the vocabulary graph, its namespaces, sample records."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

import vocab

DATA_DIR = Path(__file__).parent / "data"
OTHER_BASE = "http://localhost:8000/"
RECORD_SAMPLES = ("crime", "anti-social-behaviour", "stop-and-search", "use-of-force", "snap-point")


@pytest.fixture(scope="session")
def vocabulary() -> Graph:
    return vocab.load_vocabulary()


@pytest.fixture(scope="session")
def ns() -> vocab.Namespaces:
    return vocab.namespaces()


def sample(name: str) -> Graph:
    """A fresh copy of the sample record file ``data/{name}.ttl``."""
    return Graph().parse(DATA_DIR / f"{name}.ttl", format="turtle")
