"""Linked data: /id, /doc and /def URIs with content negotiation, and the home page."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("linked_data", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
