"""The RDF Data Cube integrity constraints IC-1 to IC-21 as SPARQL ASK queries, and a runner.

The ``ic-*.rq`` files are the queries of the W3C Recommendation, section 11.1, as written
there (each is true when its constraint is violated). IC-20 and IC-21 are templates:
``$p`` is instantiated once per ``qb:parentChildProperty`` of a hierarchical code list
(IC-21: per property whose ``owl:inverseOf`` is one), as the Recommendation says.

IC-12 compares every pair of observations of a dataset; the normative query is quadratic.
``violations(..., scalable=True)`` runs an equivalent query instead, instantiated per data
structure: observations of one dataset grouped by their values on every dimension of its
DSD, a violation when a group holds two (one hash aggregation, linear). For observations with one value per dimension
(which IC-11 and the publisher guarantee) the two agree; the tests check that they do on
every fixture.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

HERE = Path(__file__).resolve().parent

PREFIXES = """\
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
PREFIX xsd:  <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb:   <http://purl.org/linked-data/cube#>
"""

NAMES = tuple(sorted(path.stem for path in HERE.glob("ic-*.rq")))


def query_text(name: str) -> str:
    return PREFIXES + (HERE / f"{name}.rq").read_text()


def _ask(store: pyoxigraph.Store, query: str) -> bool:
    return bool(store.query(query, use_default_graph_as_union=True))


def _select(store: pyoxigraph.Store, query: str) -> list[tuple[pyoxigraph.NamedNode, ...]]:
    return [tuple(row) for row in store.query(PREFIXES + query, use_default_graph_as_union=True)]


def instances(store: pyoxigraph.Store, name: str) -> list[str]:
    """The queries a constraint runs: one, or one per hierarchical code list (IC-20, IC-21).

    The templates are instantiated with the list's parent-child property, and bound to
    that list (``VALUES ?list``), so that two lists with different properties do not judge
    each other's codes.
    """
    text = query_text(name)
    if name == "ic-20":
        found = (
            "SELECT DISTINCT ?list ?p "
            "{ ?list a qb:HierarchicalCodeList ; qb:parentChildProperty ?p . FILTER(isIRI(?p)) }"
        )
    elif name == "ic-21":
        found = (
            "SELECT DISTINCT ?list ?p { ?list a qb:HierarchicalCodeList ; qb:parentChildProperty [ owl:inverseOf ?p ] }"
        )
    else:
        return [text]
    queries = []
    for hierarchy, p in _select(store, found):
        body = text.replace("$p", p.value).rstrip()
        queries.append(body[:-1] + f"    VALUES ?list {{ <{hierarchy.value}> }}\n}}\n")
    return queries


def scalable_ic12(store: pyoxigraph.Store) -> list[str]:
    """IC-12 as one aggregation per dataset over the dimension values of its structure."""
    queries = []
    for dataset, dsd in _select(store, "SELECT DISTINCT ?ds ?dsd { ?ds qb:structure ?dsd }"):
        dims = sorted(
            d.value
            for (d,) in _select(
                store,
                f"SELECT DISTINCT ?d {{ <{dsd.value}> qb:component/qb:componentProperty ?d . "
                "?d a qb:DimensionProperty }",
            )
        )
        if not dims:
            continue
        values = " ".join(f"?v{i}" for i in range(len(dims)))
        pattern = " ; ".join(f"<{d}> ?v{i}" for i, d in enumerate(dims))
        queries.append(
            PREFIXES + f"ASK {{ {{ SELECT {values} WHERE {{ ?obs qb:dataSet <{dataset.value}> ; {pattern} }} "
            f"GROUP BY {values} HAVING (COUNT(DISTINCT ?obs) > 1) }} }}"
        )
    return queries


def violated(store: pyoxigraph.Store, name: str, scalable: bool = True) -> bool:
    """Whether ``store`` (the union of its graphs) violates constraint ``name``."""
    queries = scalable_ic12(store) if name == "ic-12" and scalable else instances(store, name)
    return any(_ask(store, q) for q in queries)


def violations(store: pyoxigraph.Store, scalable: bool = True) -> list[str]:
    """The names of the constraints ``store`` violates (none for a well-formed cube)."""
    return [name for name in NAMES if violated(store, name, scalable)]


def normalize(store: pyoxigraph.Store) -> None:
    """Run the Recommendation's normalization algorithm (``normalize.ru``) on the default graph."""
    store.update(PREFIXES + (HERE / "normalize.ru").read_text())
