"""The prefixes every query may use without declaring them (and the query page preloads)."""

from __future__ import annotations


def default_prefixes(base: str) -> dict[str, str]:
    """``pol:``, the code lists most queries need, and the usual W3C vocabularies."""
    from vocab import namespaces

    ns = namespaces(base)
    return {
        "pol": str(ns.POL),
        "id": str(ns.ID),
        "crime": f"{base}def/crime-category/",
        "outcome": f"{base}def/crime-outcome/",
        "search": f"{base}def/search-outcome/",
        "ons": "http://statistics.data.gov.uk/id/statistical-geography/",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "geo": "http://www.opengis.net/ont/geosparql#",
        "prov": "http://www.w3.org/ns/prov#",
        "dct": "http://purl.org/dc/terms/",
    }
