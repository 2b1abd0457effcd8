"""The DCAT catalogue, the VoID description and the downloads of the current release."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("catalog", __name__)


def init_app(app: Flask) -> None:
    from gateway.current import registry

    from . import datasets, views, void

    assert views  # the routes are registered on bp when views is imported
    app.register_blueprint(bp)
    registry(app).on_retire(void.forget)
    registry(app).on_retire(datasets.forget)
