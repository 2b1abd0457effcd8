"""The app's handle on the internal database: one engine per app, made on first use."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import Engine

from .internal.database import make_engine

EXTENSION = "gateway.database"


def get_engine() -> Engine:
    """The engine for the app's ``DATABASE_URL``, created lazily (after a fork)."""
    engine = current_app.extensions.get(EXTENSION)
    if engine is None:
        engine = make_engine(current_app.config["DATABASE_URL"])
        current_app.extensions[EXTENSION] = engine
    return engine
