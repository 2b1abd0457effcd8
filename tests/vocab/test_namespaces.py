"""Closed namespaces read from the vocabulary, under the default base and another one."""

from __future__ import annotations

import importlib

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import ClosedNamespace

import vocab
from tests.vocab.conftest import OTHER_BASE

module = importlib.import_module("vocab.namespaces")  # vocab.namespaces is also the function


def test_pol_is_closed_and_read_from_the_ontology(ns):
    assert isinstance(ns.POL, ClosedNamespace)
    assert ns.POL.RecordedCrime == URIRef("https://data.met.police.uk/def/policing/RecordedCrime")
    assert ns.POL["ratePer1000"] == URIRef("https://data.met.police.uk/def/policing/ratePer1000")
    with pytest.raises(AttributeError):
        _ = ns.POL.RecordedCrim
    with pytest.raises(KeyError):
        ns.POL["Person"]


def test_schemes_are_closed_namespaces_keyed_by_notation(ns):
    assert ns.scheme("crime-outcome")["no-further-action"] == URIRef(
        "https://data.met.police.uk/def/crime-outcome/no-further-action"
    )
    assert ns.scheme("age-band/stop-search")["over-34"] == URIRef(
        "https://data.met.police.uk/def/age-band/stop-search/over-34"
    )
    assert URIRef("https://data.met.police.uk/def/ic-code/IC3") == ns.scheme("ic-code").IC3
    with pytest.raises(KeyError):
        ns.scheme("crime-outcome")["no-such-outcome"]
    with pytest.raises(KeyError, match="no concept scheme 'crime-categories'"):
        ns.scheme("crime-categories")


def test_scheme_iris(ns):
    assert ns.scheme_iri("crime-category") == URIRef("https://data.met.police.uk/def/crime-category")
    assert ns.scheme_iri("age-band/use-of-force") == URIRef("https://data.met.police.uk/def/age-band/use-of-force")
    with pytest.raises(KeyError):
        ns.scheme_iri("nope")


def test_other_iris(ns):
    assert URIRef("https://data.met.police.uk/def/policing") == ns.ONTOLOGY
    assert URIRef("https://data.met.police.uk/def/policing/1.0.0") == ns.VERSION
    assert ns.ID["crime/1"] == URIRef("https://data.met.police.uk/id/crime/1")
    assert ns.DATA["street-crime/2024-01"] == URIRef("https://data.met.police.uk/data/street-crime/2024-01")
    assert ns.DOC["crime/1"] == URIRef("https://data.met.police.uk/doc/crime/1")


def test_standard_namespaces_are_re_exported(ns):
    assert str(module.WGS) == "http://www.w3.org/2003/01/geo/wgs84_pos#"  # not rdflib's https form
    assert ns.WGS.lat == URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat")
    assert ns.STATID["E09000033"] == URIRef("http://statistics.data.gov.uk/id/statistical-geography/E09000033")
    assert ns.SDMX_DIM.refArea == URIRef("http://purl.org/linked-data/sdmx/2009/dimension#refArea")
    assert ns.SDMX_ATTR.obsStatus == URIRef("http://purl.org/linked-data/sdmx/2009/attribute#obsStatus")
    assert ns.SDMX_MEASURE.obsValue == URIRef("http://purl.org/linked-data/sdmx/2009/measure#obsValue")
    assert ns.SDMX_CODE["sex-M"] == URIRef("http://purl.org/linked-data/sdmx/2009/code#sex-M")
    assert ns.GEO.asWKT == URIRef("http://www.opengis.net/ont/geosparql#asWKT")
    for name in ("DCTERMS", "PROV", "SKOS", "ORG", "QB", "VOID", "DCAT", "XSD"):
        assert getattr(ns, name) is getattr(module, name)
    with pytest.raises(AttributeError):
        _ = module.WGS.latitude


def test_namespaces_are_cached_per_base(ns):
    assert vocab.namespaces() is ns
    assert vocab.namespaces(vocab.DEFAULT_BASE) is ns


def test_another_base():
    other = vocab.namespaces(OTHER_BASE)
    assert other.base == OTHER_BASE
    assert other.POL.StopAndSearch == URIRef(OTHER_BASE + "def/policing/StopAndSearch")
    assert other.scheme("crime-category")["burglary"] == URIRef(OTHER_BASE + "def/crime-category/burglary")
    assert URIRef(OTHER_BASE + "def/policing/1.0.0") == other.VERSION
    assert other.schemes == vocab.namespaces().schemes


@pytest.mark.parametrize(
    "base", ["data.met.police.uk/", "https://data.met.police.uk", "https://x.org/a b/", "ftp://x/"]
)
def test_bad_bases(base):
    with pytest.raises(ValueError):
        vocab.namespaces(base)


def test_bind(ns):
    graph = ns.bind(Graph())
    prefixes = {prefix: str(uri) for prefix, uri in graph.namespaces()}
    assert prefixes["pol"] == str(ns.POL)
    assert prefixes["cc"] == str(ns.scheme("crime-category"))
    assert prefixes["co"] == str(ns.scheme("crime-outcome"))
    assert prefixes["wgs"] == "http://www.w3.org/2003/01/geo/wgs84_pos#"
    assert prefixes["statid"] == str(ns.STATID)
