"""``/api/v1/datasets``: what the current release holds, and where every interface is."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import current_app, render_template, request, url_for
from flask.views import MethodView
from sqlalchemy import Engine, func, select

from ..current import current_release
from ..publish import tables as t
from . import bp
from .datasets import DATASETS, Dataset
from .schemas import DatasetsSchema, NoQueryArgsSchema

# Other interfaces of the gateway, by path (each answers for the same release).
INTERFACES = {
    "police_uk": ("/api/", "The data.police.uk-compatible API"),
    "sparql": ("/sparql", "SPARQL 1.1 endpoint"),
    "catalog": ("/catalog", "Dataset catalogue (DCAT)"),
    "downloads": ("/downloads", "Monthly CSV files and the N-Quads dump"),
    "vocabulary": ("/def/policing", "The policing vocabulary"),
}


@lru_cache(maxsize=4)
def _street_counts(release_id: str, engine: Engine) -> dict[str, dict[str, int]]:
    """Crimes and anti-social behaviour share a table: count each by month once per release."""
    s = t.street
    query = select(s.c.record, s.c.month, func.count()).group_by(s.c.record, s.c.month)
    counts: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        for record, month, n in conn.execute(query):
            counts.setdefault(record, {})[month] = n
    return counts


def _counts(dataset: Dataset) -> dict[str, int]:
    release = current_release()
    if dataset.manifest_key == "street-crime":
        by_month = _street_counts(release.id, release.engine).get(dataset.record, {})
    else:
        by_month = release.manifest.get("counts", {}).get(dataset.manifest_key, {})
    return dict(sorted(by_month.items()))


def summary() -> dict[str, Any]:
    release = current_release()
    root = request.url_root.rstrip("/")
    datasets = []
    for dataset in DATASETS.values():
        counts = _counts(dataset)
        datasets.append(
            {
                "name": dataset.name,
                "title": dataset.title,
                "records": url_for(f"api.{dataset.name}-records", _external=True),
                "aggregates": url_for(f"api.{dataset.name}-aggregates", _external=True),
                "months": list(counts),
                "count": sum(counts.values()),
                "counts": counts,
            }
        )
    links = {name: {"href": root + path, "title": title} for name, (path, title) in INTERFACES.items()}
    links["openapi"] = {"href": url_for("v1-api-docs.openapi_json", _external=True), "title": "OpenAPI 3"}
    links["docs"] = {"href": url_for("api.docs", _external=True), "title": "API documentation"}
    links["linked_data"] = {"href": f"{release.base}id/", "title": "Linked-data URIs of the records"}
    return {
        "release": release.id,
        "created_at": release.created_at.isoformat(),
        "base": release.base,
        "datasets": datasets,
        "links": links,
    }


@bp.route("/datasets", endpoint="datasets")
class Datasets(MethodView):
    @bp.arguments(NoQueryArgsSchema, location="query", as_kwargs=True)
    @bp.response(200, DatasetsSchema)
    def get(self):
        """The datasets of the current release, their months and counts, and the other interfaces"""
        return summary()


@bp.route("/docs", endpoint="docs")
class Docs(MethodView):
    @bp.arguments(NoQueryArgsSchema, location="query", as_kwargs=True)
    @bp.doc(responses={"200": {"description": "OK", "content": {"text/html": {"schema": {"type": "string"}}}}})
    def get(self):
        """This documentation, as a web page"""
        return render_template("api/docs.html", threshold=current_app.config["SUPPRESSION_THRESHOLD"])
