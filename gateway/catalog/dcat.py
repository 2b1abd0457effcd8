"""The DCAT 3 catalogue of a release, built from its manifest.

One ``dcat:Catalog`` (``{base}catalog``) holding:

- one ``dcat:DatasetSeries`` per published dataset (street crime, outcomes, stop and
  search, use of force), ``{base}data/{dataset}``, and one ``dcat:Dataset`` per month of it,
  ``{base}data/{dataset}/{month}`` (the IRI the records' ``prov:wasDerivedFrom`` names), whose
  distributions are that month's archive-format CSV files;
- one ``dcat:Dataset`` per statistical cube, ``{base}data/{cube}`` (the ``qb:DataSet``);
- the whole release as one dataset, ``{base}data/release``, distributed as the N-Quads dump;
- the interfaces as ``dcat:DataService``s: the SPARQL endpoint, our JSON API and the
  data.police.uk-compatible API; every dataset has a distribution through each one that serves it.

Every dataset carries the UK cross-government metadata model's required properties
(identifier, title, description, publisher, creator, contact point, licence, access rights,
modified, version, update frequency) plus spatial and temporal coverage.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from gateway.publish.cubes import CUBES
from vocab.namespaces import OGL_V3, STATID, namespaces

from .downloads import Download, listing
from .terms import (
    ACCESS_PUBLIC,
    DATA_CUBE,
    DCAT,
    FOAF,
    FREQ_MONTHLY,
    IANA,
    LONDON_REGION,
    MET_POLICE_FORCE_AREA,
    SPARQL_PROTOCOL,
    SPDX,
    VCARD,
)

SERIES = {
    "street-crime": (
        "Street-level crime and anti-social behaviour",
        "Recorded crimes and anti-social behaviour incidents by month, located at anonymous map points.",
        "street",
    ),
    "outcomes": (
        "Crime outcomes",
        "The outcome history of recorded crimes: each outcome category and the month it was assigned.",
        "outcomes",
    ),
    "stop-and-search": (
        "Stop and search",
        "Stops and searches with their legislation, object, outcome and the banded characteristics of the person.",
        "stop-and-search",
    ),
    "use-of-force": (
        "Use of force",
        "Uses of force by officers: tactics and outcomes (the subject's characteristics as counts only).",
        None,
    ),
}


@dataclass(frozen=True)
class Interfaces:
    """The IRIs of the gateway's interfaces under one base."""

    base: str

    @property
    def sparql(self) -> URIRef:
        return URIRef(f"{self.base}sparql")

    @property
    def api(self) -> URIRef:
        return URIRef(f"{self.base}api/v1/")

    @property
    def police_uk(self) -> URIRef:
        return URIRef(f"{self.base}api/")

    def download(self, path: str) -> URIRef:
        return URIRef(f"{self.base}downloads/{path}")


def catalogue(release, contact_email: str) -> Graph:
    """The DCAT description of ``release`` (a ``gateway.current.Release``)."""
    base, manifest = release.base, release.manifest
    ns = namespaces(base)
    graph = ns.bind(Graph(bind_namespaces="core"))
    for prefix, namespace in (("dcat", DCAT), ("dcterms", DCTERMS), ("foaf", FOAF), ("vcard", VCARD)):
        graph.bind(prefix, namespace, override=True, replace=True)
    graph.bind("spdx", SPDX)
    where = Interfaces(base)
    catalog = URIRef(f"{base}catalog")
    publisher = ns.ID["organisation/metropolitan"]
    contact = URIRef(f"{base}catalog#contact")
    modified = Literal(release.created_at.replace(tzinfo=None).isoformat(), datatype=XSD.dateTime)
    downloads = {d.path: d for d in listing(release)}

    add = graph.add
    add((publisher, RDF.type, FOAF.Agent))
    add((publisher, FOAF.name, Literal("Metropolitan Police Service", lang="en")))
    add((contact, RDF.type, VCARD.Kind))
    add((contact, VCARD.fn, Literal("Metropolitan Police Service open data")))
    add((contact, VCARD.hasEmail, URIRef(f"mailto:{contact_email}")))

    add((catalog, RDF.type, DCAT.Catalog))
    add((catalog, DCTERMS.title, Literal("Metropolitan Police open data", lang="en")))
    add((catalog, DCTERMS.description, Literal(_CATALOG_DESCRIPTION, lang="en")))
    add((catalog, DCTERMS.publisher, publisher))
    add((catalog, DCTERMS.license, OGL_V3))
    add((catalog, DCTERMS.modified, modified))
    add((catalog, FOAF.homepage, URIRef(base)))

    def common(dataset: URIRef, identifier: str, title: str, description: str, months: Iterable[str]) -> None:
        add((catalog, DCAT.dataset, dataset))
        add((dataset, RDF.type, DCAT.Dataset))  # a dcat:DatasetSeries is a dcat:Dataset too
        add((dataset, DCTERMS.identifier, Literal(identifier)))
        add((dataset, DCTERMS.title, Literal(title, lang="en")))
        add((dataset, DCTERMS.description, Literal(description, lang="en")))
        add((dataset, DCTERMS.publisher, publisher))
        add((dataset, DCTERMS.creator, publisher))
        add((dataset, DCAT.contactPoint, contact))
        add((dataset, DCTERMS.license, OGL_V3))
        add((dataset, DCTERMS.accessRights, ACCESS_PUBLIC))
        add((dataset, DCTERMS.modified, modified))
        add((dataset, DCAT.version, Literal(release.id)))
        add((dataset, DCTERMS.accrualPeriodicity, FREQ_MONTHLY))
        add((dataset, DCTERMS.spatial, STATID[LONDON_REGION]))
        add((dataset, DCTERMS.spatial, STATID[MET_POLICE_FORCE_AREA]))
        add((dataset, DCAT.temporalResolution, Literal("P1M", datatype=XSD.duration)))
        months = sorted(months)
        if months:
            period = BNode()
            add((dataset, DCTERMS.temporal, period))
            add((period, RDF.type, DCTERMS.PeriodOfTime))
            add((period, DCAT.startDate, Literal(f"{months[0]}-01", datatype=XSD.date)))
            year, month = (int(x) for x in months[-1].split("-"))
            last = f"{months[-1]}-{calendar.monthrange(year, month)[1]:02d}"
            add((period, DCAT.endDate, Literal(last, datatype=XSD.date)))

    def service_distribution(dataset: URIRef, key: str, service: URIRef, title: str, media: str) -> None:
        dist = URIRef(f"{dataset}#{key}")
        add((dataset, DCAT.distribution, dist))
        add((dist, RDF.type, DCAT.Distribution))
        add((dist, DCTERMS.identifier, Literal(f"{dataset}#{key}")))
        add((dist, DCTERMS.title, Literal(title, lang="en")))
        add((dist, DCAT.accessURL, service))
        add((dist, DCAT.accessService, service))
        add((dist, DCAT.mediaType, IANA[media]))
        add((dist, DCTERMS.license, OGL_V3))
        add((service, DCAT.servesDataset, dataset))

    def file_distribution(dataset: URIRef, download: Download, title: str) -> None:
        dist = URIRef(f"{dataset}#{download.name}")
        url = where.download(download.path)
        add((dataset, DCAT.distribution, dist))
        add((dist, RDF.type, DCAT.Distribution))
        add((dist, DCTERMS.identifier, Literal(download.path)))
        add((dist, DCTERMS.title, Literal(title, lang="en")))
        add((dist, DCAT.accessURL, url))
        add((dist, DCAT.downloadURL, url))
        add((dist, DCAT.mediaType, IANA[download.media_type]))
        if download.compressed:
            add((dist, DCAT.compressFormat, IANA["application/gzip"]))
        add((dist, DCAT.byteSize, Literal(download.bytes, datatype=XSD.nonNegativeInteger)))
        add((dist, DCTERMS.license, OGL_V3))
        checksum = BNode()
        add((dist, SPDX.checksum, checksum))
        add((checksum, RDF.type, SPDX.Checksum))
        add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        add((checksum, SPDX.checksumValue, Literal(download.sha256, datatype=XSD.hexBinary)))

    _services(graph, catalog, where)
    counts: dict[str, dict[str, int]] = manifest.get("counts", {})
    all_months = sorted({m for months in counts.values() for m in months})

    whole = ns.DATA["release"]
    common(whole, "release", f"Release {release.id}", _RELEASE_DESCRIPTION, all_months)
    service_distribution(whole, "sparql", where.sparql, "SPARQL endpoint", "application/sparql-results+json")
    if "dumps/release.nq.gz" in downloads:
        file_distribution(whole, downloads["dumps/release.nq.gz"], "Every statement of the release as N-Quads")

    for name, months in sorted(counts.items()):
        title, description, kind = SERIES.get(name, (name, f"The {name} records of the release.", None))
        series = ns.DATA[name]
        common(series, name, title, description, months)
        add((series, RDF.type, DCAT.DatasetSeries))
        add((series, DCTERMS.isPartOf, whole))
        service_distribution(series, "api", where.api, "JSON API", "application/json")
        service_distribution(series, "sparql", where.sparql, "SPARQL endpoint", "application/sparql-results+json")
        if kind is not None:
            service_distribution(
                series, "police-uk", where.police_uk, "data.police.uk-compatible API", "application/json"
            )
        for month in sorted(months):
            dataset = ns.DATA[f"{name}/{month}"]
            common(dataset, f"{name}/{month}", f"{title}, {_month_label(month)}", description, [month])
            add((dataset, DCAT.inSeries, series))
            service_distribution(dataset, "api", where.api, "JSON API", "application/json")
            service_distribution(dataset, "sparql", where.sparql, "SPARQL endpoint", "application/sparql-results+json")
            for download in downloads.values():
                if kind is not None and download.month == month and download.kind == kind:
                    file_distribution(dataset, download, f"{title}, {_month_label(month)}: {download.name} (CSV)")

    for name, cube in sorted(manifest.get("cubes", {}).get("datasets", {}).items()):
        dataset = URIRef(cube["dataset"])
        description = (
            f"A statistical data cube (W3C RDF Data Cube) of {cube['observations']:,} observations; cells "
            f"of fewer than {manifest['cubes']['suppression_threshold']} records are withheld."
        )
        common(dataset, name, cube_title(name), description, all_months)
        add((dataset, DCTERMS.isPartOf, whole))
        add((dataset, DCTERMS.conformsTo, DATA_CUBE))
        service_distribution(dataset, "sparql", where.sparql, "SPARQL endpoint", "application/sparql-results+json")
    return graph


def _services(graph: Graph, catalog: URIRef, where: Interfaces) -> None:
    add = graph.add
    for service, title, description, conforms in (
        (where.sparql, "SPARQL endpoint", "A SPARQL 1.1 endpoint on every statement of the release.", SPARQL_PROTOCOL),
        (where.api, "JSON API", "Records, map points and aggregates as JSON, GeoJSON and CSV.", None),
        (where.police_uk, "data.police.uk-compatible API", "The data.police.uk API's paths and answers.", None),
    ):
        add((catalog, DCAT.service, service))
        add((service, RDF.type, DCAT.DataService))
        add((service, DCTERMS.title, Literal(title, lang="en")))
        add((service, DCTERMS.description, Literal(description, lang="en")))
        add((service, DCAT.endpointURL, service))
        add((service, DCTERMS.license, OGL_V3))
        docs = {where.sparql: where.sparql, where.api: URIRef(f"{where.api}docs")}.get(service, service)
        add((service, DCAT.endpointDescription, docs))
        if conforms is not None:
            add((service, DCTERMS.conformsTo, conforms))
        add((service, RDFS.label, Literal(title, lang="en")))


def _month_label(month: str) -> str:
    return datetime.strptime(month, "%Y-%m").strftime("%B %Y")


def cube_title(name: str) -> str:
    return next((spec.title for spec in CUBES if spec.name == name), name)


_CATALOG_DESCRIPTION = (
    "The anonymised public release of Metropolitan Police Service data: street-level crime and outcomes, "
    "stop and search, use of force and statistics, as JSON APIs, a SPARQL endpoint, linked data and bulk downloads."
)
_RELEASE_DESCRIPTION = (
    "Every record and statistic of one release of the Metropolitan Police open data, in one RDF dataset "
    "(one named graph per dataset and month, plus map points, organisations, the vocabulary and the cubes)."
)
