"""HTTP done properly, app-wide: validators and caching tied to the release, gzip, CORS.

Every successful ``GET``/``HEAD`` answer that is derived from the current release (all of
them, except the health probes) carries

- ``ETag``: a weak validator made of the release id and the request's ``Accept`` (so
  each negotiated representation has its own; weak because gzip or not, the content is
  the same), and ``Last-Modified``: when the release was created;
- ``Cache-Control: public, max-age=HTTP_MAX_AGE``: a new release may replace it;

and a conditional request (``If-None-Match``, ``If-Modified-Since``) that matches gets a
``304 Not Modified`` without a body. Errors are ``Cache-Control: no-store``. Responses
are compressed (gzip, Brotli, zstd, deflate; flask-compress) when the client accepts it,
and every answer to ``GET``, ``HEAD`` and ``OPTIONS`` may be read from any origin (CORS).
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, current_app, g, request
from flask_compress import Compress

from . import __version__
from .current import registry

# Responses about the process, not the release: never cached, never given a validator.
UNCACHED_BLUEPRINTS = frozenset({"health"})
CORS_METHODS = "GET, HEAD, OPTIONS"
CORS_REQUEST_HEADERS = "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since"
CORS_EXPOSED_HEADERS = "ETag, Last-Modified, Link, Retry-After, Content-Disposition"
# What is worth compressing, beyond flask-compress's defaults (HTML, CSS, JS, JSON, XML).
COMPRESSED_TYPES = (
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/geo+json",
    "application/ld+json",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/rdf+xml",
    "application/sparql-results+json",
    "application/sparql-results+xml",
)


def release_etag(release_id: str, accept: str | None) -> str:
    """The opaque tag of one representation of one release's answer (without quotes).

    The gateway's version is part of it, so a new deployment (which may shape answers
    differently) does not validate what the old one served.
    """
    digest = hashlib.sha256(f"{__version__}\n{(accept or '').strip()}".encode()).hexdigest()[:12]
    return f"{release_id}-{digest}"


def _remember_release() -> None:
    if request.method in ("GET", "HEAD") and request.blueprint not in UNCACHED_BLUEPRINTS:
        g.http_release_id = registry().current_id()


def _add_validators(response: Response) -> Response:
    release_id = g.pop("http_release_id", None)
    if response.status_code >= 400:
        response.headers["Cache-Control"] = "no-store"
        return response
    if request.method not in ("GET", "HEAD"):
        return response
    if request.blueprint in UNCACHED_BLUEPRINTS:
        response.headers.setdefault("Cache-Control", "no-store")
        return response
    release = registry().current()
    # Only when the release did not change under the request, and the view set no
    # validators of its own (static files have theirs).
    if response.status_code != 200 or release is None or release.id != release_id or response.get_etag()[0]:
        return response
    response.set_etag(release_etag(release.id, request.headers.get("Accept")), weak=True)
    response.last_modified = release.created_at
    if "Cache-Control" not in response.headers:
        response.cache_control.public = True
        response.cache_control.max_age = int(current_app.config["HTTP_MAX_AGE"])
    return response.make_conditional(request)


def _cors(response: Response) -> Response:
    """CORS headers, merged with any an interface set itself (its own exposed headers)."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return response
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    exposed = [h.strip() for h in response.headers.get("Access-Control-Expose-Headers", "").split(",") if h.strip()]
    exposed += [h for h in CORS_EXPOSED_HEADERS.split(", ") if h not in exposed]
    response.headers["Access-Control-Expose-Headers"] = ", ".join(exposed)
    if request.method == "OPTIONS":
        response.headers.setdefault("Access-Control-Allow-Methods", CORS_METHODS)
        response.headers.setdefault("Access-Control-Allow-Headers", CORS_REQUEST_HEADERS)
        response.headers.setdefault("Access-Control-Max-Age", "86400")
    return response


def init_app(app: Flask) -> None:
    """Register caching, compression and CORS on ``app`` (after every blueprint)."""
    app.config.setdefault("COMPRESS_MIMETYPES", [])
    app.config["COMPRESS_MIMETYPES"] = [
        *app.config["COMPRESS_MIMETYPES"],
        "text/html",
        "text/css",
        "text/plain",
        "text/xml",
        "application/json",
        "application/javascript",
        "text/javascript",
        "application/xml",
        *COMPRESSED_TYPES,
    ]
    # Streams are compressed too (CSV downloads), but gzip only for whole bodies.
    app.config.setdefault("COMPRESS_ALGORITHM", ["gzip", "br", "zstd", "deflate"])
    Compress(app)
    # after_request functions run last-registered first: validators and the 304 before
    # compression (a 304 has no body to compress), CORS on every answer.
    app.before_request(_remember_release)
    app.after_request(_cors)
    app.after_request(_add_validators)
