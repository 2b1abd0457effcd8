"""The IRIs the catalogue and the VoID description use beyond the vocabulary's namespaces."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import FOAF, ClosedNamespace

__all__ = [
    "ACCESS_PUBLIC",
    "DATA_CUBE",
    "FOAF",
    "FREQ_MONTHLY",
    "IANA",
    "ONS_GEOGRAPHY",
    "SPARQL_PROTOCOL",
    "SPDX",
    "VCARD",
]

#: DCAT 3 (rdflib's DCAT namespace is closed on DCAT 2: no dcat:DatasetSeries, dcat:inSeries, dcat:version).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
#: vCard, for the contact point (rdflib ships no vCard namespace).
VCARD = ClosedNamespace("http://www.w3.org/2006/vcard/ns#", ["Kind", "Organization", "fn", "hasEmail"])
#: DCAT 3 checksums (spdx:checksum, spdx:Checksum, spdx:checksumAlgorithm_sha256).
SPDX = Namespace("http://spdx.org/rdf/terms#")
#: Media types as IANA IRIs, as DCAT-AP asks for dcat:mediaType.
IANA = Namespace("https://www.iana.org/assignments/media-types/")
#: Dublin Core collection frequency: a new release every month.
FREQ_MONTHLY = URIRef("http://purl.org/cld/freq/monthly")
#: The EU access-rights vocabulary's PUBLIC (the UK metadata model uses it too).
ACCESS_PUBLIC = URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
#: The ONS linked-data service, the target of our links to statistical geographies.
ONS_GEOGRAPHY = URIRef("http://statistics.data.gov.uk/")
LONDON_REGION = "E12000007"
MET_POLICE_FORCE_AREA = "E23000001"
#: The W3C RDF Data Cube Recommendation, which the cubes conform to.
DATA_CUBE = URIRef("https://www.w3.org/TR/vocab-data-cube/")
