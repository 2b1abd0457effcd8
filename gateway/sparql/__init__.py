"""The SPARQL 1.1 endpoint at /sparql."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("sparql", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
