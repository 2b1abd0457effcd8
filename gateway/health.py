"""Liveness and readiness probes.

``/readyz`` needs only what a public server has: the releases folder (and, when the
releases' tables live in PostgreSQL, that database). It never touches the internal
records database, so a public server needs no internal credentials.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from .current import Release, Serving, registry
from .publish.tables import map_point

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up and answering."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready to serve: the current release is published, verified intact, and its tables answer."""
    serving = registry().serving(recheck=True)
    checks = {"release": _release_check(serving)}
    if serving is not None and serving.release is not None:
        checks["tables"] = _tables_check(serving.release)
    ready = all(c["ok"] for c in checks.values())
    response = jsonify(status="ready" if ready else "not ready", checks=checks)
    response.status_code = 200 if ready else 503
    return response


def _release_check(serving: Serving | None) -> dict:
    if serving is None or not serving.published:
        return {"ok": False, "message": "no release has been published yet (run: gateway publish)"}
    verdict = serving.verdict
    if verdict.ok:
        return {"ok": True, "id": serving.current, "verified_at": verdict.checked_at}
    if serving.fallback:
        instead = f"serving {serving.release.id}, the newest intact release before it, until it is published again"
    else:
        instead = "no release before it is intact, so nothing is served: publish again (gateway publish)"
    return {
        "ok": False,
        "id": serving.current,
        "message": f"release {serving.current} failed verification: {verdict.summary()}; {instead}",
        "serving": serving.release.id if serving.release is not None else None,
    }


def _tables_check(release: Release) -> dict:
    try:
        with release.engine.connect() as conn:
            conn.execute(select(map_point.c.id).limit(1)).all()
    except HTTPException as exc:  # e.g. tables in PostgreSQL, but no GATEWAY_RELEASE_DATABASE_URL
        return {"ok": False, "message": exc.description}
    except Exception as exc:  # any failure means not ready; the reason stays in the log
        current_app.logger.warning("readiness: the release's tables do not answer: %s", type(exc).__name__)
        return {"ok": False, "message": "the release's published tables do not answer"}
    return {"ok": True}
