"""Loading the vocabulary and its shapes from the Turtle files of this package.

The Turtle files are written under :data:`DEFAULT_BASE`. A gateway that runs under
another base gets the same graphs with every IRI under the default base rewritten
(:func:`rebase`), so no file needs editing and no IRI is written twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

DEFAULT_BASE = "https://data.met.police.uk/"

PACKAGE_DIR = Path(__file__).resolve().parent
ONTOLOGY_FILE = PACKAGE_DIR / "ontology" / "policing.ttl"
SCHEMES_DIR = PACKAGE_DIR / "schemes"
SHAPES_DIR = PACKAGE_DIR / "shapes"
# The Data Cube components the statistical cubes add to the ontology (their structures
# are loaded by vocab.cubes, not into the vocabulary).
CUBE_TERMS_FILE = PACKAGE_DIR / "cubes" / "terms.ttl"

#: The shape sets of :func:`load_shapes`, each a file ``shapes/{name}.ttl``.
SHAPE_SETS = ("records", "skos-quality", "ontology-quality", "dcat", "void")

# Literals whose text is an IRI, such as vann:preferredNamespaceUri or sh:namespace.
_IRI_TEXT_DATATYPES = (None, XSD.string, XSD.anyURI)


def check_base(base: str) -> str:
    """Return ``base`` if it can prefix the vocabulary's IRIs, else raise ValueError.

    A base is an absolute ``http`` or ``https`` IRI that ends with a slash, such as
    ``https://data.met.police.uk/``.
    """
    if not isinstance(base, str) or not base.startswith(("http://", "https://")):
        raise ValueError(f"the base must be an http or https IRI, not {base!r}")
    if not base.endswith("/") or any(c in base for c in ' \t\r\n<>"{}|\\^`#?'):
        raise ValueError(f"the base must end with a slash and hold no spaces, '#' or '?': {base!r}")
    return base


def scheme_files() -> list[Path]:
    """The Turtle files of the concept schemes, one scheme each, in name order."""
    return sorted(SCHEMES_DIR.glob("*.ttl"))


def rebase(graph: Graph, base: str, old_base: str = DEFAULT_BASE) -> Graph:
    """A copy of ``graph`` with every IRI under ``old_base`` moved under ``base``.

    IRIs, literal datatypes, and string literals whose text starts with ``old_base``
    (namespace IRIs written as text) are rewritten; prefix bindings follow.
    """
    check_base(base)
    result = Graph(bind_namespaces="core")
    for prefix, namespace in graph.namespaces():
        result.bind(prefix, _move(URIRef(namespace), old_base, base), override=True, replace=True)
    if base == old_base:
        result += graph
        return result
    for triple in graph:
        result.add(tuple(_move(term, old_base, base) for term in triple))  # type: ignore[arg-type]
    return result


def _move(term: Node, old_base: str, base: str) -> Node:
    if isinstance(term, URIRef):
        return URIRef(base + term[len(old_base) :]) if term.startswith(old_base) else term
    if isinstance(term, Literal):
        datatype = term.datatype
        if datatype is not None and datatype.startswith(old_base):
            return Literal(str(term), datatype=URIRef(base + datatype[len(old_base) :]))
        if datatype in _IRI_TEXT_DATATYPES and term.language is None and str(term).startswith(old_base):
            return Literal(base + str(term)[len(old_base) :], datatype=datatype)
    return term


@cache
def _parsed(path: Path) -> Graph:
    """One Turtle file, parsed once; callers must copy it before handing it out."""
    return Graph(bind_namespaces="core").parse(path, format="turtle")


@lru_cache(maxsize=8)
def _vocabulary(base: str) -> Graph:
    combined = Graph(bind_namespaces="core")
    for path in (ONTOLOGY_FILE, CUBE_TERMS_FILE, *scheme_files()):
        part = _parsed(path)
        combined += part
        for prefix, namespace in part.namespaces():
            combined.bind(prefix, namespace, override=True, replace=True)
    return rebase(combined, check_base(base))


def vocabulary_graph(base: str = DEFAULT_BASE) -> Graph:
    """The cached vocabulary graph of ``base``: shared, so never modify it."""
    return _vocabulary(check_base(base))


def load_vocabulary(base: str = DEFAULT_BASE) -> Graph:
    """The ontology and every concept scheme, as a new graph, under ``base``."""
    return _copy(vocabulary_graph(base))


def load_ontology(base: str = DEFAULT_BASE) -> Graph:
    """The policing ontology alone, as a new graph, under ``base``."""
    return rebase(_parsed(ONTOLOGY_FILE), check_base(base))


def load_shapes(base: str = DEFAULT_BASE, names: Iterable[str] = SHAPE_SETS) -> Graph:
    """The SHACL shapes named (see :data:`SHAPE_SETS`), as one new graph, under ``base``.

    :raise KeyError: for a name that is not a shape set.
    """
    combined = Graph(bind_namespaces="core")
    for name in names:
        if name not in SHAPE_SETS:
            raise KeyError(f"no shape set {name!r}; the shape sets are {', '.join(SHAPE_SETS)}")
        part = _parsed(SHAPES_DIR / f"{name}.ttl")
        combined += part
        for prefix, namespace in part.namespaces():
            combined.bind(prefix, namespace, override=True, replace=True)
    return rebase(combined, check_base(base))


def _copy(graph: Graph) -> Graph:
    result = Graph(bind_namespaces="core")
    for prefix, namespace in graph.namespaces():
        result.bind(prefix, namespace, override=True, replace=True)
    result += graph
    return result
