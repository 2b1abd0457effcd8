"""Closed namespaces: every IRI the gateway writes comes from here.

``namespaces(base)`` reads the policing ontology and the concept schemes and returns
closed namespaces built from them, so that a misspelt term or an unknown notation raises
instead of minting an IRI nobody defined::

    ns = namespaces()
    ns.POL.RecordedCrime                          # pol:RecordedCrime
    ns.scheme("crime-outcome")["no-further-action"]
    ns.POL.RecordedCrim                           # AttributeError
    ns.scheme("crime-outcome")["no-such-code"]    # KeyError

The standard vocabularies the project reuses are re-exported below, as module constants
and as attributes of the ``Namespaces`` object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from rdflib import Graph, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    GEO,
    ORG,
    OWL,
    PROV,
    QB,
    RDF,
    RDFS,
    SH,
    SKOS,
    TIME,
    VOID,
    XSD,
    ClosedNamespace,
    Namespace,
)

from vocab.loader import DEFAULT_BASE, check_base, vocabulary_graph

__all__ = [
    "DCAT",
    "DCTERMS",
    "DEFAULT_BASE",
    "GEO",
    "LEGISLATION_ID",
    "OGL_V3",
    "ORG",
    "OWL",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "REF_MONTH",
    "SDMX_ATTR",
    "SDMX_CODE",
    "SDMX_DIM",
    "SDMX_MEASURE",
    "SH",
    "SKOS",
    "STATGEO",
    "STATID",
    "TIME",
    "VANN",
    "VOID",
    "WGS",
    "XSD",
    "Namespaces",
    "namespaces",
]

# rdflib's WGS namespace is https://www.w3.org/2003/01/geo/wgs84_pos# (https), which is
# not the namespace W3C Basic Geo publishes or consumers query: use the http one.
WGS = ClosedNamespace(
    "http://www.w3.org/2003/01/geo/wgs84_pos#", ["SpatialThing", "Point", "lat", "long", "alt", "lat_long", "location"]
)
SDMX_DIM = ClosedNamespace(
    "http://purl.org/linked-data/sdmx/2009/dimension#",
    ["refPeriod", "refArea", "sex", "age", "timePeriod", "civilStatus"],
)
SDMX_ATTR = ClosedNamespace(
    "http://purl.org/linked-data/sdmx/2009/attribute#",
    ["unitMeasure", "obsStatus", "confStatus", "unitMult", "decimals"],
)
SDMX_MEASURE = ClosedNamespace("http://purl.org/linked-data/sdmx/2009/measure#", ["obsValue"])
SDMX_CODE = ClosedNamespace(
    "http://purl.org/linked-data/sdmx/2009/code#",
    ["sex", "sex-F", "sex-M", "sex-U", "sex-N", "sex-T", "freq-M", "freq-Q", "freq-A", "obsStatus-A", "obsStatus-M"],
)
STATGEO = ClosedNamespace(
    "http://statistics.data.gov.uk/def/statistical-geography#",
    ["Statistical-Geography", "officialname", "status", "parentcode"],
)
VANN = ClosedNamespace("http://purl.org/vocab/vann/", ["preferredNamespacePrefix", "preferredNamespaceUri"])
# Open namespaces: their keys are data (GSS codes, legislation paths, months).
STATID = Namespace("http://statistics.data.gov.uk/id/statistical-geography/")
LEGISLATION_ID = Namespace("http://www.legislation.gov.uk/id/")
REF_MONTH = Namespace("http://reference.data.gov.uk/id/month/")
#: The Open Government Licence v3.0, the one form used in every dcterms:license.
OGL_V3 = URIRef("https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")


@dataclass(frozen=True, eq=False)
class Namespaces:
    """The namespaces of one base: the ontology, the schemes and the standard ones."""

    base: str
    POL: ClosedNamespace
    ONTOLOGY: URIRef
    VERSION: URIRef
    ID: Namespace
    DOC: Namespace
    DATA: Namespace
    _schemes: Mapping[str, ClosedNamespace] = field(repr=False)
    _prefixes: Mapping[str, str] = field(repr=False)

    DCAT = DCAT
    DCTERMS = DCTERMS
    GEO = GEO
    LEGISLATION_ID = LEGISLATION_ID
    OGL_V3 = OGL_V3
    ORG = ORG
    OWL = OWL
    PROV = PROV
    QB = QB
    RDF = RDF
    RDFS = RDFS
    REF_MONTH = REF_MONTH
    SDMX_ATTR = SDMX_ATTR
    SDMX_CODE = SDMX_CODE
    SDMX_DIM = SDMX_DIM
    SDMX_MEASURE = SDMX_MEASURE
    SH = SH
    SKOS = SKOS
    STATGEO = STATGEO
    STATID = STATID
    TIME = TIME
    VANN = VANN
    VOID = VOID
    WGS = WGS
    XSD = XSD

    @property
    def schemes(self) -> tuple[str, ...]:
        """The scheme names, such as ``crime-outcome`` or ``age-band/stop-search``."""
        return tuple(self._schemes)

    def scheme(self, name: str) -> ClosedNamespace:
        """The closed namespace of the concepts of scheme ``name``, keyed by notation.

        :raise KeyError: for an unknown scheme.
        """
        try:
            return self._schemes[name]
        except KeyError:
            raise KeyError(f"no concept scheme {name!r}; the schemes are {', '.join(self._schemes)}") from None

    def scheme_iri(self, name: str) -> URIRef:
        """The IRI of scheme ``name`` itself, such as ``{base}def/crime-outcome``."""
        self.scheme(name)
        return URIRef(f"{self.base}def/{name}")

    def bind(self, graph: Graph) -> Graph:
        """Bind the preferred prefixes (``pol``, ``cc``, ``co``, …, ``wgs``, ``statid``) on ``graph``."""
        for prefix, namespace in self._prefixes.items():
            graph.bind(prefix, namespace, override=True, replace=True)
        return graph


def namespaces(base: str = DEFAULT_BASE) -> Namespaces:
    """The closed namespaces of the vocabulary published under ``base`` (cached per base).

    :raise ValueError: if ``base`` is not an http(s) IRI ending with a slash.
    """
    return _namespaces(check_base(base))


@lru_cache(maxsize=8)
def _namespaces(base: str) -> Namespaces:
    graph = vocabulary_graph(base)
    ontology = URIRef(f"{base}def/policing")
    pol = f"{base}def/policing/"
    terms = sorted(str(s)[len(pol) :] for s in graph.subjects(RDFS.isDefinedBy, ontology) if str(s).startswith(pol))
    schemes: dict[str, ClosedNamespace] = {}
    for scheme in sorted(graph.subjects(RDF.type, SKOS.ConceptScheme)):
        name = str(scheme)[len(f"{base}def/") :]
        notations = []
        for concept in graph.subjects(SKOS.inScheme, scheme):
            if not str(concept).startswith(f"{scheme}/"):
                raise ValueError(f"concept {concept} is not under its scheme {scheme}")
            notations.append(str(concept)[len(scheme) + 1 :])
        schemes[name] = ClosedNamespace(f"{scheme}/", sorted(notations))
    prefixes = {prefix: str(uri) for prefix, uri in graph.namespaces() if str(uri).startswith(base)}
    prefixes.update(wgs=str(WGS), statid=str(STATID), dcterms=str(DCTERMS), skos=str(SKOS), prov=str(PROV))
    prefixes.update(geo=str(GEO), qb=str(QB), org=str(ORG), xsd=str(XSD))
    prefixes.update({"sdmx-dimension": str(SDMX_DIM), "sdmx-measure": str(SDMX_MEASURE)})
    prefixes.update({"sdmx-attribute": str(SDMX_ATTR), "sdmx-code": str(SDMX_CODE)})
    return Namespaces(
        base=base,
        POL=ClosedNamespace(pol, terms),
        ONTOLOGY=ontology,
        VERSION=next(iter(graph.objects(ontology, OWL.versionIRI))),
        ID=Namespace(f"{base}id/"),
        DOC=Namespace(f"{base}doc/"),
        DATA=Namespace(f"{base}data/"),
        _schemes=MappingProxyType(schemes),
        _prefixes=MappingProxyType(prefixes),
    )
