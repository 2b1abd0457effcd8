"""The vocab package: importable on its own, small modules, IRIs only in namespaces."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

import vocab
from tests.vocab.conftest import OTHER_BASE
from vocab.loader import PACKAGE_DIR, SCHEMES_DIR, SHAPES_DIR, check_base, scheme_files
from vocab.namespaces import VANN

MODULES = sorted(PACKAGE_DIR.glob("*.py"))


def test_importable_without_flask_or_gateway():
    code = (
        "import sys, vocab; vocab.namespaces(); vocab.concept_for('gender', 'Male'); "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'gateway', 'mappings')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PACKAGE_DIR.parent)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_modules_are_small_and_import_neither_flask_nor_gateway(path: Path):
    text = path.read_text()
    assert len(text.splitlines()) < 250
    assert not re.search(r"^\s*(from|import)\s+(flask|gateway|mappings)\b", text, re.M)


@pytest.mark.parametrize("path", [p for p in MODULES if p.name not in ("namespaces.py", "loader.py")], ids=str)
def test_iris_are_written_only_in_the_namespace_modules(path: Path):
    assert "http://" not in path.read_text() and "https://" not in path.read_text()


@pytest.mark.parametrize("path", scheme_files(), ids=lambda p: p.name)
def test_one_scheme_per_file(path: Path):
    graph = Graph().parse(path, format="turtle")
    schemes = list(graph.subjects(None, SKOS.ConceptScheme))
    assert len(schemes) == 1
    assert str(schemes[0]).replace("/", "-").endswith(path.stem)


def test_turtle_files_are_where_the_loader_looks():
    assert {p.stem for p in SHAPES_DIR.glob("*.ttl")} == set(vocab.SHAPE_SETS)
    assert len(scheme_files()) == len(vocab.namespaces().schemes) == 19
    assert SCHEMES_DIR.parent == PACKAGE_DIR


def test_loaded_graphs_are_fresh_copies():
    first = vocab.load_vocabulary()
    first.remove((None, None, None))
    assert len(vocab.load_vocabulary()) > 2000
    assert len(vocab.load_shapes()) > len(vocab.load_shapes(names=["records"])) > 100


def test_unknown_shape_set():
    with pytest.raises(KeyError, match="no shape set 'record'"):
        vocab.load_shapes(names=["record"])


def test_rebased_vocabulary_keeps_nothing_of_the_default_base():
    graph = vocab.load_vocabulary(OTHER_BASE)
    assert len(graph) == len(vocab.load_vocabulary())
    for triple in graph:
        for term in triple:
            assert not str(term).startswith(vocab.DEFAULT_BASE), triple
            if isinstance(term, Literal) and term.datatype:
                assert not str(term.datatype).startswith(vocab.DEFAULT_BASE), triple
    ontology = URIRef(OTHER_BASE + "def/policing")
    assert graph.value(ontology, VANN.preferredNamespaceUri) == Literal(OTHER_BASE + "def/policing/")
    notation = graph.value(URIRef(OTHER_BASE + "def/crime-outcome/charged"), SKOS.notation)
    assert notation.datatype == URIRef(OTHER_BASE + "def/policing/PoliceUkCode")
    prefixes = dict(graph.namespaces())
    assert str(prefixes["pol"]) == OTHER_BASE + "def/policing/"


@pytest.mark.parametrize("base", ["https://data.met.police.uk/", "http://localhost:8000/", "https://x.org/open/data/"])
def test_good_bases(base):
    assert check_base(base) == base
