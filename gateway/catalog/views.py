"""/catalog (DCAT), /data/... (its datasets), /.well-known/void (VoID) and /downloads."""

from __future__ import annotations

import base64

from flask import Response, abort, current_app, render_template, send_file
from rdflib import Graph
from werkzeug.exceptions import ServiceUnavailable

from gateway import negotiation
from gateway.current import current_release, registry
from gateway.linked_data.iris import valid_key
from gateway.linked_data.representations import serialize, split_extension
from gateway.linked_data.views import not_found
from gateway.negotiation import HTML, JSON, JSONLD, NTRIPLES, RDFXML, TURTLE, Format

from . import bp, datasets, dcat, downloads, void

CATALOG_FORMATS: tuple[Format, ...] = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML)
VOID_FORMATS: tuple[Format, ...] = (TURTLE, JSONLD, NTRIPLES, RDFXML)
DOWNLOADS_FORMATS: tuple[Format, ...] = (HTML, JSON)


def _rdf(graph: Graph | str, fmt: Format, local: str, offered: tuple[Format, ...]) -> Response:
    """``graph`` (or its serialisation) as ``fmt``, with its alternates."""
    body = graph if isinstance(graph, str) else serialize(graph, fmt)
    response = Response(body, content_type=fmt.content_type)
    links = [f'<{local}.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in offered if f is not fmt]
    response.headers["Link"] = ", ".join(links)
    return negotiation.vary_accept(response)


def _extension(ext: str | None, offered: tuple[Format, ...]) -> Format | None:
    if ext is None:
        return None
    for fmt in offered:
        if fmt.extension == ext:
            return fmt
    abort(404, description=f"There is no .{ext} representation here; try one of: "
          + ", ".join(f".{f.extension}" for f in offered) + ".")  # fmt: skip


@bp.get("/catalog")
@bp.get("/catalog.<ext>")
def catalog(ext: str | None = None):
    fixed = _extension(ext, CATALOG_FORMATS)
    fmt = fixed or negotiation.negotiate(CATALOG_FORMATS)
    release = current_release()
    if fmt is HTML:
        page = render_template("catalog/catalog.html", view=_catalog_view(release))
        response = Response(page, content_type=HTML.content_type)
        response.headers["Link"] = ", ".join(
            f'</catalog.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in CATALOG_FORMATS[1:]
        )
        return negotiation.vary_accept(response)
    text = datasets.catalogue_text(release, current_app.config["CONTACT_EMAIL"], fmt)
    return _rdf(text, fmt, "/catalog", CATALOG_FORMATS)


@bp.get("/data/<path:path>")
def dataset(path: str):
    """``{base}data/{path}``: a dataset of the catalogue, described from it."""
    name, extension = split_extension(path)
    fmt = negotiation.negotiate(CATALOG_FORMATS, extension.name if extension else None)
    local = f"/data/{name}"
    release = current_release()
    iri = f"{release.base}data/{name}"
    graph = datasets.catalogue_graph(release, current_app.config["CONTACT_EMAIL"])
    described = datasets.describe(graph, iri)
    if described is None:
        named = f" {iri}" if valid_key(name) else " at this path"  # never echo control characters
        return not_found(fmt, local, f"The catalogue has no dataset{named}; /catalog lists them.")
    if fmt is HTML:
        view = datasets.page(graph, release, iri)
        body = render_template("catalog/dataset.html", view=view, local=local, offered=CATALOG_FORMATS[1:])
        response = Response(body, content_type=HTML.content_type)
        response.headers["Link"] = ", ".join(
            f'<{local}.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in CATALOG_FORMATS[1:]
        )
        return negotiation.vary_accept(response)
    return _rdf(described, fmt, local, CATALOG_FORMATS)


@bp.get("/.well-known/void")
@bp.get("/.well-known/void.<ext>")
def void_description(ext: str | None = None):
    fmt = _extension(ext, VOID_FORMATS) or negotiation.negotiate(VOID_FORMATS)
    return _rdf(void.description(current_release()), fmt, "/.well-known/void", VOID_FORMATS)


@bp.get("/downloads")
def downloads_page():
    fmt = negotiation.negotiate(DOWNLOADS_FORMATS)
    release = current_release()
    files = downloads.listing(release)
    if fmt is JSON:
        body = {
            "release": release.id,
            "files": [
                {
                    "path": d.path,
                    "url": f"/downloads/{d.path}",
                    "bytes": d.bytes,
                    "sha256": d.sha256,
                    "media_type": d.media_type,
                    "month": d.month,
                }
                for d in files
            ],
        }
        return negotiation.vary_accept(current_app.json.response(body))
    page = render_template("catalog/downloads.html", release=release, files=files)
    return negotiation.vary_accept(Response(page, content_type=HTML.content_type))


@bp.get("/downloads/<path:path>")
def download(path: str):
    release = current_release()
    found = downloads.find(release, path)
    if found is None:
        abort(404, description=f"The current release has no download {path!r}; /downloads lists them.")
    file = release.path / found.path
    try:
        size = file.stat().st_size
    except OSError:
        size = None
    if size != found.bytes:
        # Changed since the release was verified: never served under the manifest's checksum.
        registry().recheck_soon()
        current_app.logger.error(
            "download %s of release %s: %s bytes, the manifest says %s", path, release.id, size, found.bytes
        )
        error = ServiceUnavailable(
            f"{found.path} on this server is not the file the release's manifest lists; "
            "it is not served until the release is repaired or published again."
        )
        error.retry_after = 300
        raise error
    response = send_file(
        file,
        mimetype=found.served_type,
        as_attachment=True,
        download_name=found.name,
        conditional=True,
        etag=found.sha256,
        last_modified=release.created_at,
        max_age=int(current_app.config.get("HTTP_MAX_AGE", 300)),
    )
    response.headers["Digest"] = f"sha-256={_base64(found.sha256)}"
    # Served byte for byte as published: the app-wide compression (gateway/http.py) leaves
    # file responses and partial (206) answers alone.
    return response


def _base64(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


def _catalog_view(release) -> dict:
    manifest = release.manifest
    counts = manifest.get("counts", {})
    files = downloads.listing(release)
    series = []
    for name, months in sorted(counts.items()):
        title, description, kind = dcat.SERIES.get(name, (name, "", None))
        series.append(
            {
                "name": name,
                "title": title,
                "description": description,
                "records": sum(months.values()),
                "first": min(months) if months else None,
                "last": max(months) if months else None,
                "months": [
                    {"month": m, "records": n, "files": [d for d in files if d.month == m and d.kind == kind]}
                    for m, n in sorted(months.items(), reverse=True)
                ],
            }
        )
    cubes = [
        {"name": name, "title": dcat.cube_title(name), **cube}
        for name, cube in sorted(manifest.get("cubes", {}).get("datasets", {}).items())
    ]
    dump = next((d for d in files if d.path == "dumps/release.nq.gz"), None)
    return {
        "release": release,
        "series": series,
        "cubes": cubes,
        "threshold": manifest.get("cubes", {}).get("suppression_threshold"),
        "dump": dump,
        "statements": manifest.get("statements"),
    }
