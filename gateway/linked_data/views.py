"""The linked-data routes: ``/id`` (303 to ``/doc``), ``/doc`` and ``/def``, negotiated.

Every document is offered as HTML, Turtle, JSON-LD, N-Triples and RDF/XML, chosen by an
extension (``.ttl``), ``?_format=`` or ``Accept``; responses carry ``Vary: Accept`` and a
``Link`` header naming the other representations. An unknown resource is a 404 in the
format asked for; a format not offered is a 406.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from flask import Response, redirect, render_template, request, send_from_directory
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS
from sqlalchemy import select
from werkzeug.exceptions import NotAcceptable

import vocab
from gateway.current import Release, current_release
from gateway.errors import error_body
from gateway.negotiation import HTML, Format, negotiate, vary_accept
from gateway.publish import tables

from . import bp
from .context import context_document
from .definitions import Definition, ontology_terms, resolve, scheme_concepts, vocabulary_parts
from .describe import CHILD_PROPERTIES, Description, describe
from .figures import PointRecord, area_figures, point_records
from .home import home_examples
from .iris import valid_key
from .labels import Labeller, indefinite_article
from .lists import listing
from .representations import OFFERED, finish, rdf_error_body, rdf_response, serialize, split_extension
from .store import store_for

JSONLD_CONTEXT_TYPE = "application/ld+json"
STATIC = Path(__file__).resolve().parent.parent / "static" / "linked_data"


def _negotiated(path: str) -> tuple[str, Format]:
    """The resource path without its extension, and the format to answer in."""
    key, extension = split_extension(path)
    return key, negotiate(OFFERED, extension.name if extension else None)


def _conditional(response: Response, release: Release, fmt: Format) -> Response:
    """Documents change only with the release: gateway/http.py gives them its release ETag
    (per URL and Accept, so a conditional GET is answered before the view runs) and caching."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


def not_found(fmt: Format, local: str, message: str) -> Response:
    """A 404 in the format asked for."""
    if fmt is HTML:
        body = render_template("linked_data/error.html", status=404, title="Not found", message=message)
        response = Response(body, status=404, content_type=HTML.content_type)
    else:
        response = Response(rdf_error_body(fmt, 404, "Not Found", message), 404, content_type=fmt.content_type)
    return finish(response, local, fmt)


@bp.errorhandler(NotAcceptable)
def _not_acceptable(exc: NotAcceptable):
    response = Response(json.dumps(error_body(406, exc.name, exc.description)), 406, content_type="application/json")
    return vary_accept(response)


@bp.get("/id/<path:path>")
def identifier(path: str):
    """``/id/{type}/{key}`` names a thing: 303 See Other to the document about it."""
    key, fmt = _negotiated(path)
    release = current_release()
    if not valid_key(key) or describe(release, key) is None:
        return not_found(fmt, f"/doc/{key}", f"Nothing is published as /id/{key[:200]} in this release.")
    query = f"?{request.query_string.decode()}" if request.query_string else ""
    response = redirect(f"/doc/{path}{query}", code=303)
    return vary_accept(response)


@bp.get("/doc/<path:path>")
def document(path: str):
    """The document about ``/id/{path}``, or the list ``/doc/borough`` or ``/doc/organisation``."""
    key, fmt = _negotiated(path)
    local = f"/doc/{key}"
    release = current_release()
    found = listing(release, key)
    if found is not None:
        if fmt is HTML:
            page = render_template("linked_data/list.html", listing=found, offered=OFFERED, local=local)
            response = finish(Response(page, content_type=HTML.content_type), local, fmt)
        else:
            response = rdf_response(found.graph, fmt, local)
        return _conditional(response, release, fmt)
    description = describe(release, key) if valid_key(key) else None
    if description is None:
        return not_found(fmt, local, f"Nothing is published as /id/{key[:200]} in this release.")
    if fmt is HTML:
        response = Response(_resource_page(release, description), content_type=HTML.content_type)
        response = finish(response, local, fmt)
    else:
        response = rdf_response(description.graph, fmt, local)
    return _conditional(response, release, fmt)


@bp.get("/def")
@bp.get("/def.<any(ttl, jsonld, nt, rdf, html):extension>")
@bp.get("/def/<path:path>")
def definition(path: str = "", extension: str | None = None):
    """The vocabulary: ``/def``, ``/def/policing[/{Term}]``, ``/def/{scheme}[/{notation}]``."""
    key, fmt = _negotiated(path) if path else ("", negotiate(OFFERED, extension))
    local = f"/def/{key}" if key else "/def"
    release = current_release()
    found = resolve(release.base, key) if key == "" or valid_key(key) else None
    if found is None:
        return not_found(fmt, local, f"The vocabulary defines nothing at /def/{key[:200]}.")
    if fmt is HTML:
        response = Response(_definition_page(release, found), content_type=HTML.content_type)
    else:
        response = Response(_vocabulary_rdf(release.base, key, fmt), content_type=fmt.content_type)
    return _conditional(finish(response, local, fmt), release, fmt)


@lru_cache(maxsize=256)
def _vocabulary_rdf(base: str, path: str, fmt: Format) -> str:
    """The vocabulary never changes under a base: serialise each definition once per process."""
    found = resolve(base, path)
    assert found is not None
    return serialize(found.graph, fmt)


@bp.get("/def/policing/context.jsonld")
def jsonld_context():
    """The JSON-LD context of the JSON API's records."""
    release = current_release()
    body = json.dumps(context_document(release), indent=2)
    response = Response(body, content_type=f"{JSONLD_CONTEXT_TYPE}; charset=utf-8")
    response.set_etag(f"{release.id}-context")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response.make_conditional(request)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on every site; answer with the site's icon, not a 404."""
    return send_from_directory(STATIC, "favicon.svg", mimetype="image/svg+xml", max_age=86400)


@bp.get("/")
def home():
    release = current_release()
    return render_template("linked_data/home.html", examples=home_examples(release))


# --- pages ---------------------------------------------------------------------------------


def _linked_labels(release: Release, description: Description) -> dict[str, str]:
    """Labels of the resources a description links to: map points, forces, LSOAs."""
    labels: dict[str, str] = {}
    ids, lsoas = f"{release.base}id/", str(vocab.namespaces(release.base).STATID)
    store = store_for(release)
    for obj in set(description.graph.objects()):
        text = str(obj)
        if not isinstance(obj, URIRef) or (obj, None, None) in description.graph:
            continue
        if text.startswith(ids):
            for quad in store.quads_for_pattern(ox.NamedNode(text), ox.NamedNode(str(RDFS.label)), None):
                labels[text] = _readable(quad.object.value, text)
        elif text.startswith((lsoas + "E01", lsoas + "W01")):
            with release.engine.connect() as conn:
                name = conn.execute(select(tables.lsoa.c.name).where(tables.lsoa.c.code == text[len(lsoas) :])).scalar()
            if name:
                labels[text] = f"{name} ({text[len(lsoas) :]})"
    return labels


def _readable(label: str, iri: str) -> str:
    """Map points of stop-and-search files have no street name: "On or near " alone."""
    if label.strip() in ("", "On or near"):
        return f"Map point {iri.rsplit('/', 1)[-1]} (no street name)"
    return label


def _resource_page(release: Release, description: Description) -> str:
    labeller = Labeller(release.base, description.graph, _linked_labels(release, description))
    ns = vocab.namespaces(release.base)
    iri = description.iri
    children = []
    for name in CHILD_PROPERTIES:
        items = sorted(description.graph.objects(iri, ns.POL[name]), key=str)
        if items:
            heading = labeller.label(ns.POL[name])
            children.append((heading, [(child, labeller.rows(child)) for child in items]))
    blank = {node: labeller.rows(node) for node in description.graph.all_nodes() if not isinstance(node, URIRef)}
    type_name = labeller.kind_name(iri, description.kind)
    context = {
        "description": description,
        "title": _readable(labeller.label(iri), str(iri))
        if labeller.label(iri) != labeller.compact(str(iri))
        else _title(description),
        "type_name": type_name,
        "type_article": indefinite_article(type_name),
        "type_iri": str(labeller.main_type(iri) or OWL.Thing),
        "rows": labeller.rows(iri, skip=tuple(ns.POL[name] for name in CHILD_PROPERTIES)),
        "blank": blank,
        "children": children,
        "derived_from": sorted(str(o) for o in description.graph.objects(iri, PROV.wasDerivedFrom)),
        "offered": OFFERED,
        "labeller": labeller,
        **_helpers(release),
    }
    if description.kind in ("borough", "lsoa"):
        context["figures"] = area_figures(release, description.kind, description.key)
        context["ons"] = str(ns.STATID[description.key])
    if description.kind == "snap-point":
        context["point_records"] = point_records(release, int(description.key))
    return render_template("linked_data/resource.html", **context)


RECORD_WORDS = {"RecordedCrime": "Crime", "AntiSocialBehaviourIncident": "Anti-social behaviour"}


def _helpers(release: Release) -> dict:
    """Functions the page templates use to label codes and records."""
    ns = vocab.namespaces(release.base)

    def concept_label(scheme: str, notation: str) -> str:
        try:
            return vocab.label_of(ns.scheme(scheme)[notation], release.base) or notation
        except (KeyError, AttributeError):
            return notation

    def record_label(record: PointRecord) -> str:
        if record.kind in RECORD_WORDS:
            return f"{RECORD_WORDS[record.kind]}: {concept_label('crime-category', record.label)}"
        return f"Stop and search: {record.label}"

    def definition_of(graph: Graph, term: URIRef) -> str:
        found = graph.value(term, SKOS.definition) or graph.value(term, RDFS.comment)
        return str(found) if found is not None else ""

    return {"concept_label": concept_label, "record_label": record_label, "definition_of": definition_of}


def _title(description: Description) -> str:
    words = description.kind.replace("/", " ").replace("-", " ")
    keys = " ".join(description.path.split("/")[1::2])
    return f"{words[:1].upper()}{words[1:]} {keys}"


def _definition_page(release: Release, found: Definition) -> str:
    labeller = Labeller(release.base, found.graph)
    context = {
        "definition": found,
        "title": labeller.label(found.subject) if found.kind != "vocabulary" else "The policing vocabulary",
        "rows": labeller.rows(found.subject) if found.kind != "vocabulary" else [],
        "offered": OFFERED,
        "labeller": labeller,
        "rdf_type": RDF.type,
        **_helpers(release),
        "groups": ontology_terms(found) if found.kind == "ontology" else [],
        "concepts": scheme_concepts(found) if found.kind == "scheme" else [],
        "class_properties": sorted(labeller.vocabulary.subjects(RDFS.domain, found.subject), key=str)
        if found.kind == "term"
        else [],
        "parts": vocabulary_parts(release.base) if found.kind in ("vocabulary", "ontology") else [],
        "local": f"/def/{found.path}" if found.path else "/def",
    }
    return render_template("linked_data/definition.html", **context)
