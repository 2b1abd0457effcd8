"""Linked data: /id, /doc and /def URIs with content negotiation, and the home page.

``/id/{type}/{key}`` names a thing and answers 303 See Other to ``/doc/{type}/{key}``,
the document about it; ``/def/...`` is the published vocabulary. Descriptions are read
from the release being served (its RDF store, opened read-only once per process, and its
published tables); see ``views`` for the routes.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("linked_data", __name__)


def init_app(app: Flask) -> None:
    from . import store, views  # noqa: F401  (views registers its routes on bp)

    store.init_app(app)
    app.register_blueprint(bp)
