"""The data.police.uk-compatible JSON API under /api/."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("police_uk", __name__, url_prefix="/api")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
