"""The DCAT catalogue, the VoID description and the downloads of the current release."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("catalog", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
