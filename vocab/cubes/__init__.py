"""The structures of the statistical cubes: data structure definitions and their components.

``terms.ttl`` adds the cubes' policing dimensions to the vocabulary (``vocab.loader``
loads it with the ontology). ``structures.ttl`` holds the data structure definitions,
the SDMX-RDF components they reuse and the code lists no concept scheme covers alone;
the publish pipeline writes it into each release beside the cubes' observations.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from vocab.loader import DEFAULT_BASE, check_base, rebase

STRUCTURES_FILE = Path(__file__).resolve().parent / "structures.ttl"


def load_structures(base: str = DEFAULT_BASE) -> Graph:
    """The cubes' data structure definitions and components, as a new graph, under ``base``."""
    return rebase(Graph(bind_namespaces="core").parse(STRUCTURES_FILE, format="turtle"), check_base(base))
