"""Aggregate endpoints: ``/api/v1/aggregates/{dataset}?group=a,b,c``, suppressed.

Counts are grouped by up to three dimensions, filtered like the record endpoints, and
published through ``suppression.suppress``. A count over the fields of the published
records is public (the records give it: listing them counts them), so it is published
exactly, small or not. A count that involves a protected dimension (grouped or filtered
by it) has its small cells withheld with their complements, taking every public count
as known; its one-way margins are suppressed as the one-dimension query would suppress
them, and its grand total is withheld when it is itself small. Where a denominator file
is configured (``DENOMINATORS``: ``area_code,population``), cells grouped by borough or
LSOA carry a rate per 1,000 people.
"""

from __future__ import annotations

import csv
from collections import OrderedDict, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app, request
from flask.views import MethodView
from sqlalchemy import func, select
from werkzeug.exceptions import BadRequest, ServiceUnavailable

from ..current import current_release
from ..negotiation import CSV, JSON, choose
from ..suppression import Key, suppress
from . import bp
from .datasets import DATASETS, Dataset, Dimension
from .filters import conditions, dimension_expression
from .responses import formatted, linked_data_headers
from .schemas import aggregate_query_schema, aggregate_schema

# More groups than this is a download, not an aggregate (and slow to protect).
MAX_CELLS = 2_000
# Answers kept per process.
CACHED_ANSWERS = 64


def aggregate(dataset: Dataset, args: dict[str, Any]) -> dict[str, Any]:
    """The suppressed counts of ``dataset`` grouped by ``args["group"]``.

    A release never changes, so answers are kept per process (a few, least recently
    used first out): protecting a large table takes seconds, repeating it need not.
    """
    names = list(args["group"])
    if len(set(names)) != len(names):
        raise BadRequest(f"group: a dimension is named twice in {','.join(names)}")
    release = current_release()
    threshold = int(current_app.config["SUPPRESSION_THRESHOLD"])
    question = {k: v for k, v in args.items() if k != "format"}
    key = (release.id, dataset.name, threshold, current_app.config.get("DENOMINATORS"), _frozen(question))
    cache = current_app.extensions.setdefault("gateway.api.aggregates", OrderedDict())
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    body = _aggregate(dataset, args, names, release, threshold)
    cache[key] = body
    while len(cache) > CACHED_ANSWERS:
        cache.popitem(last=False)
    return body


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _aggregate(dataset: Dataset, args: dict[str, Any], names: list[str], release, threshold: int) -> dict[str, Any]:
    sub = dataset.statement().subquery()
    dims = [dataset.dimension(name) for name in names]
    exprs = [dimension_expression(dataset, d, sub, release.base).label(d.name) for d in dims]
    with release.engine.connect() as conn:
        where = conditions(dataset, args, sub, release.base, conn)
        query = select(*exprs, func.count().label("n")).select_from(sub).where(*where).group_by(*exprs)
        rows = conn.execute(query.limit(MAX_CELLS + 1)).all()
    if len(rows) > MAX_CELLS:
        raise BadRequest(f"group: more than {MAX_CELLS:,} groups; count by fewer dimensions or filter more")
    cells: dict[Key, int] = {tuple(row[: len(names)]): row.n for row in rows}
    public = public_dimensions(dataset, dims, args)
    table = suppress(cells, threshold, public=public)
    population, source = denominators()
    area = next((i for i, n in reversed(list(enumerate(names))) if n in ("borough", "lsoa")), None)

    def count(value: int | None, withheld: bool, place: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {"count": value, "suppressed": withheld}
        if population is not None:
            people = population.get(place) if place else None
            out["rate"] = round(1000 * value / people, 3) if value is not None and people else None
        return out

    out_cells = []
    for key in sorted(table.counts, key=_sort_key):
        cell: dict[str, Any] = dict(zip(names, key, strict=True))
        cell.update(count(table.counts[key], key in table.withheld, key[area] if area is not None else None))
        out_cells.append(cell)
    margins: dict[str, list[dict[str, Any]]] = {}
    if len(names) > 1:
        for i, name in enumerate(names):
            sums: dict[Key, int] = defaultdict(int)
            for key, n in cells.items():
                sums[(key[i],)] += n
            one_way = suppress(sums, threshold, public=_one_way(public, i))
            place = name in ("borough", "lsoa")
            margins[name] = [
                {"value": key[0], **count(one_way.counts[key], key in one_way.withheld, key[0] if place else None)}
                for key in sorted(one_way.counts, key=_sort_key)
            ]
    grand = sum(cells.values())
    hidden = public is None and 0 < grand < threshold
    total = {"count": None if hidden else grand, "suppressed": hidden}
    return {
        "dataset": dataset.name,
        "release": release.id,
        "group": names,
        "threshold": threshold,
        "cells": out_cells,
        "margins": margins,
        "total": total,
        "denominator": source,
    }


def _one_way(public: frozenset[int] | None, i: int) -> frozenset[int] | None:
    """``public`` for the one-way table of dimension ``i``."""
    if public is None:
        return None
    return frozenset({0}) if i in public else frozenset()


def public_dimensions(dataset: Dataset, dims: list[Dimension], args: dict[str, Any]) -> frozenset[int] | None:
    """Which of ``dims`` (by position) the records publish, or None when a filter on a
    protected dimension makes every count of the answer a protected one."""
    if any(d.protected and args.get(d.name) for d in dataset.dimensions):
        return None
    return frozenset(i for i, d in enumerate(dims) if not d.protected)


def _sort_key(key: Key) -> tuple:
    return tuple((v is None, v or "") for v in key)


def denominators() -> tuple[dict[str, float] | None, str | None]:
    """The configured population by area code, and the file's name (or None, None)."""
    configured = current_app.config.get("DENOMINATORS")
    if not configured:
        return None, None
    path = Path(configured)
    try:
        return _read_denominators(path, path.stat().st_mtime), path.name
    except (OSError, ValueError, KeyError) as exc:
        current_app.logger.error("DENOMINATORS %s cannot be read: %s", path, exc)
        raise ServiceUnavailable("The population figures for rates are misconfigured; try again later.") from None


@lru_cache(maxsize=4)
def _read_denominators(path: Path, mtime: float) -> dict[str, float]:
    with path.open(newline="", encoding="utf-8") as f:
        return {row["area_code"].strip(): float(row["population"]) for row in csv.DictReader(f)}


def _register(dataset: Dataset) -> None:
    offered = (JSON, CSV)

    def get(self, args: dict[str, Any]):
        fmt = choose(request.headers.get("Accept"), offered, args.get("format"))
        body = aggregate(dataset, args)
        headers = linked_data_headers()
        if fmt is JSON:
            return body, 200, headers
        columns = [*body["group"], "count", "suppressed"] + (["rate"] if body["denominator"] else [])
        return formatted(fmt, f"{dataset.name}-counts", columns, body["cells"], {}, headers)

    get.__doc__ = f"""{dataset.title}: counts by up to three dimensions, small cells withheld

    Counts below the threshold are null and flagged ``suppressed``, with enough other
    cells withheld that no total gives them away. JSON (default) or CSV.
    """
    view = type(f"{dataset.name.title().replace('-', '')}Aggregates", (MethodView,), {"get": get})
    decorated = bp.arguments(aggregate_query_schema(dataset), location="query", as_kwargs=False)(get)
    decorated = bp.response(200, aggregate_schema(dataset))(decorated)
    content = {"application/json": {"schema": aggregate_schema(dataset)}, "text/csv": {"schema": {"type": "string"}}}
    decorated = bp.doc(responses={"200": {"description": "OK", "content": content}})(decorated)
    view.get = decorated
    bp.route(f"/aggregates/{dataset.name}", endpoint=f"{dataset.name}-aggregates")(view)


for _dataset in DATASETS.values():
    _register(_dataset)
