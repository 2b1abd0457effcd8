"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from .database import get_engine
from .releases import current_release

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up and answering."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready to serve: the internal database answers and a release is published."""
    checks: dict[str, dict] = {}
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except Exception as exc:  # any failure means not ready; the reason stays in the log
        current_app.logger.warning("readiness: database check failed: %s", type(exc).__name__)
        checks["database"] = {"ok": False, "message": "the internal database is not reachable"}
    release = current_release(current_app.config["RELEASES_DIR"])
    if release:
        checks["release"] = {"ok": True, "id": release}
    else:
        checks["release"] = {"ok": False, "message": "no release has been published yet (run: gateway publish)"}
    ready = all(c["ok"] for c in checks.values())
    response = jsonify(status="ready" if ready else "not ready", checks=checks)
    response.status_code = 200 if ready else 503
    return response
