"""Dataset IRIs that dereference: ``{base}data/...`` described from the DCAT catalogue.

Every dataset the catalogue names (the release ``data/release``, a series
``data/{dataset}``, a month ``data/{dataset}/{month}`` (the IRI records'
``prov:wasDerivedFrom`` names) and a cube ``data/{cube}``) is described by its concise
bounded description in the catalogue graph plus the descriptions of its distributions.

The catalogue graph (and each serialisation of it) is built once per release and process
and forgotten when the release is retired; callers must not change it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from gateway.linked_data.representations import serialize
from gateway.negotiation import Format
from vocab.namespaces import PROV, QB

from . import dcat
from .terms import DCAT

_lock = threading.Lock()
_graphs: dict[tuple[str, str, str], Graph] = {}
_texts: dict[tuple[str, str, str, str], str] = {}


def catalogue_graph(release, contact_email: str) -> Graph:
    """The DCAT catalogue of ``release`` (a ``gateway.current.Release``), built once per process."""
    key = (release.id, release.base, contact_email)
    found = _graphs.get(key)
    if found is None:
        with _lock:
            found = _graphs.get(key)
            if found is None:
                found = _graphs[key] = dcat.catalogue(release, contact_email)
    return found


def catalogue_text(release, contact_email: str, fmt: Format) -> str:
    """The catalogue serialised as ``fmt`` (an RDF format), once per release and process.

    Serialising the whole catalogue costs more than building it (about 0.1 s as Turtle).
    """
    key = (release.id, release.base, contact_email, fmt.name)
    found = _texts.get(key)
    if found is None:
        found = serialize(catalogue_graph(release, contact_email), fmt)
        with _lock:
            _texts[key] = found
    return found


def forget(release) -> None:
    """Drop what was kept for a retired release (a ``registry().on_retire`` hook)."""
    with _lock:
        for cache in (_graphs, _texts):
            for key in [k for k in cache if k[0] == release.id]:
                del cache[key]


def concise_bounded_description(graph: Graph, subject: Node, into: Graph) -> None:
    """Add to ``into`` every statement about ``subject``, following blank-node objects."""
    pending, seen = [subject], set()
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for predicate, obj in graph.predicate_objects(node):
            into.add((node, predicate, obj))
            if isinstance(obj, BNode):
                pending.append(obj)


def describe(catalogue: Graph, iri: str) -> Graph | None:
    """The description of the dataset ``iri``: its CBD and its distributions'; None if unknown."""
    subject = URIRef(iri)
    if (subject, RDF.type, DCAT.Dataset) not in catalogue:
        return None
    described = Graph(bind_namespaces="none")
    for prefix, namespace in catalogue.namespaces():
        described.bind(prefix, namespace, override=True, replace=True)
    concise_bounded_description(catalogue, subject, described)
    for distribution in catalogue.objects(subject, DCAT.distribution):
        concise_bounded_description(catalogue, distribution, described)
    return described


@dataclass(frozen=True)
class Link:
    text: str
    href: str
    note: str = ""


@dataclass(frozen=True)
class DatasetPage:
    """What the HTML page of one dataset shows."""

    iri: str
    title: str
    description: str
    kind: str  # "release", "series", "month" or "cube"
    start: str | None
    end: str | None
    records: int | None
    records_label: str
    distributions: tuple[Link, ...]
    up: tuple[Link, ...]  # its series, the release, the catalogue
    parts: tuple[Link, ...]  # a series' months, the release's series and cubes


def local(iri: str, base: str) -> str:
    """The path on this server of an IRI under ``base`` (others are left as they are)."""
    return "/" + iri[len(base) :] if iri.startswith(base) else iri


def page(catalogue: Graph, release, iri: str) -> DatasetPage:
    """The HTML page's view of the dataset ``iri`` (which ``describe`` found)."""
    base, manifest = release.base, release.manifest
    subject = URIRef(iri)
    name = iri[len(f"{base}data/") :]
    counts: dict[str, dict[str, int]] = manifest.get("counts", {})
    cubes: dict[str, dict] = manifest.get("cubes", {}).get("datasets", {})
    cube = next((c for c in cubes.values() if c.get("dataset") == iri), None)

    def text(predicate: URIRef) -> str:
        value = catalogue.value(subject, predicate)
        return str(value) if value is not None else ""

    period = catalogue.value(subject, DCTERMS.temporal)
    start = catalogue.value(period, DCAT.startDate) if period is not None else None
    end = catalogue.value(period, DCAT.endDate) if period is not None else None

    series, _, month = name.partition("/")
    records_label = "Records"
    if cube is not None:
        kind, records, records_label = "cube", int(cube["observations"]), "Observations"
    elif name == "release":
        kind, records = "release", sum(sum(m.values()) for m in counts.values())
    elif month:
        kind, records = "month", counts.get(series, {}).get(month)
    else:
        kind, records = "series", sum(counts.get(series, {}).values())

    distributions = []
    for dist in sorted(catalogue.objects(subject, DCAT.distribution), key=str):
        title = str(catalogue.value(dist, DCTERMS.title) or dist)
        download = catalogue.value(dist, DCAT.downloadURL)
        if download is not None:
            size = catalogue.value(dist, DCAT.byteSize)
            note = f"{int(size):,} bytes" if isinstance(size, Literal) else ""
            distributions.append(Link(title, local(str(download), base), note))
            continue
        service = str(catalogue.value(dist, DCAT.accessService) or "")
        distributions.append(_service_link(title, service, base, kind, name, iri, cube is not None))

    up = []
    for predicate in (DCAT.inSeries, DCTERMS.isPartOf):
        for parent in catalogue.objects(subject, predicate):
            up.append(Link(str(catalogue.value(parent, DCTERMS.title) or parent), local(str(parent), base)))
    up.append(Link("The catalogue", "/catalog"))

    parts = [
        Link(str(catalogue.value(part, DCTERMS.title) or part), local(str(part), base))
        for part in sorted(
            {*catalogue.subjects(DCAT.inSeries, subject), *catalogue.subjects(DCTERMS.isPartOf, subject)}, key=str
        )
    ]
    return DatasetPage(
        iri=iri,
        title=text(DCTERMS.title),
        description=text(DCTERMS.description),
        kind=kind,
        start=str(start) if start is not None else None,
        end=str(end) if end is not None else None,
        records=records,
        records_label=records_label,
        distributions=tuple(distributions),
        up=tuple(up),
        parts=tuple(parts),
    )


# The JSON API's record paths of each series (street crime holds anti-social behaviour too).
API_PATHS = {"street-crime": ("street-crime", "anti-social-behaviour")}


def _service_link(title: str, service: str, base: str, kind: str, name: str, iri: str, is_cube: bool) -> Link:
    series, _, month = name.partition("/")
    if service == f"{base}api/v1/" and kind in ("series", "month"):
        query = f"?from={month}&to={month}" if month else ""
        paths = API_PATHS.get(series, (series,))
        return Link(title, f"/api/v1/{paths[0]}{query}", ", ".join(f"/api/v1/{p}" for p in paths))
    if service == f"{base}sparql" and (kind == "month" or is_cube):
        predicate, position = (QB.dataSet, "?observation") if is_cube else (PROV.wasDerivedFrom, "?record")
        text = f"SELECT {position} WHERE {{ {position} <{predicate}> <{iri}> }} LIMIT 10"
        return Link(title, f"/sparql?query={quote(text)}", "ten of its resources")
    return Link(title, local(service, base))
