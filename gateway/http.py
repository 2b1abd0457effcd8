"""HTTP done properly, app-wide: validators and caching tied to the release, gzip, CORS.

Every successful ``GET``/``HEAD`` answer that is derived from the current release (all of
them, except the health probes and files with validators of their own) carries

- ``ETag``: a weak validator made of the release id, the gateway's version, the URL and
  the request's ``Accept`` (so each negotiated representation has its own; weak because
  gzip or not, the content is the same), and ``Last-Modified``: when the release was created;
- ``Cache-Control: public, max-age=HTTP_MAX_AGE``: a new release may replace it;
- ``Vary: Accept`` (its validator depends on ``Accept``);

and a conditional request (``If-None-Match``, ``If-Modified-Since``) that matches gets a
``304 Not Modified`` without a body. Since the tag depends only on what the request says,
an ``If-None-Match`` naming it is answered 304 before the view runs (a client holds that
tag only from a 200 of the same URL, release and ``Accept``). Errors are
``Cache-Control: no-store``.

Responses are compressed (gzip, Brotli, zstd, deflate; flask-compress) when the client
accepts it, except file responses (downloads are served byte for byte under their SHA-256
tag; the site's own static assets are still compressed) and partial ``206`` answers.

Every answer to ``GET``, ``HEAD`` and ``OPTIONS`` may be read from any origin (CORS), and so
may ``POST`` answers of the SPARQL endpoint (query tools on other sites post queries).
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, current_app, g, request
from flask_compress import Compress
from werkzeug.http import parse_etags

from . import __version__
from .current import registry

# Responses about the process, not the release: never cached, never given a validator.
UNCACHED_BLUEPRINTS = frozenset({"health"})
CORS_METHODS = "GET, HEAD, OPTIONS"
CORS_REQUEST_HEADERS = "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since"
# Endpoints other sites may POST to: the SPARQL endpoint (a query form or an
# application/sparql-query body, as YASGUI sends them). The JSON APIs stay GET-only.
CORS_POST_ENDPOINTS = frozenset({"sparql.endpoint"})
CORS_POST_METHODS = "GET, HEAD, POST, OPTIONS"
# Whole files still compressed: the site's own static assets (flask-compress tags them
# per coding). Every other file response (the downloads) is served as stored.
COMPRESSED_FILE_ENDPOINTS = frozenset({"static"})
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


def release_etag(release_id: str, accept: str | None, url: str = "") -> str:
    """The opaque tag of one representation of one release's answer (without quotes).

    The gateway's version is part of it, so a new deployment (which may shape answers
    differently) does not validate what the old one served; so is the URL (path and
    query), so a tag validates one resource only, whatever a client sends it with.
    """
    text = f"{__version__}\n{url}\n{(accept or '').strip()}"
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return f"{release_id}-{digest}"


def _request_url() -> str:
    query = request.query_string.decode("latin-1")
    return f"{request.path}?{query}" if query else request.path


def _remember_release() -> Response | None:
    """Note the release a GET starts on; answer 304 at once when the client holds its tag."""
    if request.method not in ("GET", "HEAD") or request.blueprint in UNCACHED_BLUEPRINTS:
        return None
    if request.url_rule is None or request.routing_exception is not None:
        return None
    # The release served, which is not the one `current` names while that one fails verification.
    served = registry().current()
    release_id = g.http_release_id = served.id if served is not None else None
    if release_id is None:
        return None
    held = request.headers.get("If-None-Match")
    if not held:
        return None
    tag = release_etag(release_id, request.headers.get("Accept"), _request_url())
    tags = parse_etags(held)
    # "*" is not short-circuited: it would match a URL that has no representation.
    if tags.star_tag or not tags.contains_weak(tag):
        return None
    return _not_modified(tag)


def _not_modified(tag: str) -> Response:
    """The 304 the full answer would have become: its tag, caching and Vary (werkzeug drops
    Last-Modified from every 304, as an entity header)."""
    response = Response(status=304)
    response.set_etag(tag, weak=True)
    response.cache_control.public = True
    response.cache_control.max_age = int(current_app.config["HTTP_MAX_AGE"])
    response.vary.add("Accept")
    return response


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
    response.set_etag(release_etag(release.id, request.headers.get("Accept"), _request_url()), weak=True)
    response.last_modified = release.created_at
    response.vary.add("Accept")
    if "Cache-Control" not in response.headers:
        response.cache_control.public = True
        response.cache_control.max_age = int(current_app.config["HTTP_MAX_AGE"])
    return response.make_conditional(request)


def _merge(response: Response, header: str, values: str) -> None:
    """Add ``values`` (comma-separated) to a list header, keeping what is there first."""
    present = [v.strip() for v in response.headers.get(header, "").split(",") if v.strip()]
    known = {v.lower() for v in present}
    present += [v for v in values.split(", ") if v.lower() not in known]
    response.headers[header] = ", ".join(present)


def _cors(response: Response) -> Response:
    """CORS headers, merged with any an interface set itself (its own exposed headers)."""
    posted_to = request.endpoint in CORS_POST_ENDPOINTS
    if request.method not in ("GET", "HEAD", "OPTIONS") and not (request.method == "POST" and posted_to):
        return response
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    _merge(response, "Access-Control-Expose-Headers", CORS_EXPOSED_HEADERS)
    if request.method == "OPTIONS":
        _merge(response, "Access-Control-Allow-Methods", CORS_POST_METHODS if posted_to else CORS_METHODS)
        _merge(response, "Access-Control-Allow-Headers", CORS_REQUEST_HEADERS)
        response.headers.setdefault("Access-Control-Max-Age", "86400")
    return response


class _Compress(Compress):
    """flask-compress, leaving alone partial answers and files served as stored."""

    def after_request(self, response: Response | None) -> Response:
        if response is not None and (
            response.status_code == 206
            or (response.direct_passthrough and request.endpoint not in COMPRESSED_FILE_ENDPOINTS)
        ):
            return response
        body = response.response if response is not None else None
        compressed = super().after_request(response)
        if compressed is response and compressed.response is not body and hasattr(body, "close"):
            # A streamed file (a static asset) is re-encoded through a generator; close the
            # file with the response, not when the generator is collected.
            compressed.call_on_close(body.close)
        return compressed


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
    _Compress(app)
    # after_request functions run last-registered first: validators and the 304 before
    # compression (a 304 has no body to compress), CORS on every answer. The before_request
    # runs after the rate limit's (registered earlier), so a 304 still counts.
    app.before_request(_remember_release)
    app.after_request(_cors)
    app.after_request(_add_validators)
