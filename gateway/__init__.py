"""The Met Open Data Gateway: internal tables in, an open public release out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from .config import load_settings

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web app.

    Settings come from the defaults, then ``GATEWAY_*`` environment variables, then
    ``config`` (for tests).
    """
    app = Flask(__name__)
    app.config.from_mapping(load_settings(config))
    app.json.sort_keys = False

    from . import api, catalog, current, errors, health, http, linked_data, police_uk, sparql

    errors.init_app(app)
    current.init_app(app)
    app.register_blueprint(health.bp)
    # One blueprint per interface.
    police_uk.init_app(app)
    api.init_app(app)
    sparql.init_app(app)
    catalog.init_app(app)
    linked_data.init_app(app)
    http.init_app(app)
    return app
