"""Record endpoints: ``/api/v1/{dataset}``, filtered, sorted and paged.

Pages are ``_page`` / ``_pageSize`` (the UK Linked Data API's names). A release never
changes, and every sort ends with the record id, so page n of a query is the same
records for as long as the release is current (its ETag says which release it is).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import current_app, request
from flask.views import MethodView
from sqlalchemy import func, select
from werkzeug.exceptions import BadRequest

from ..current import current_release
from ..negotiation import CSV, GEOJSON, JSON, choose
from . import bp
from .datasets import DATASETS, Dataset, uri_templates
from .filters import conditions
from .responses import formatted, linked_data_headers
from .schemas import page_schema, records_query_schema
from .uris import record_uri


def fetch_page(dataset: Dataset, args: dict[str, Any]) -> dict[str, Any]:
    """One page of ``dataset``'s records matching ``args`` (validated parameters)."""
    release = current_release()
    cap = current_app.config["API_MAX_PAGE_SIZE"]
    size = args.get("page_size") or min(current_app.config["API_PAGE_SIZE"], cap)
    if size > cap:
        raise BadRequest(f"_pageSize: at most {cap} records a page")
    page = args.get("page") or 1
    sub = dataset.statement().subquery()
    order = []
    sort = list(args.get("sort") or dataset.default_sort)
    for name in sort:
        column = sub.c[name.lstrip("-")]
        order.append(column.desc() if name.startswith("-") else column.asc())
    if not {s.lstrip("-") for s in sort} & {"id"}:
        order.append(sub.c.id.asc())
    with release.engine.connect() as conn:
        where = conditions(dataset, args, sub, release.base, conn)
        total = conn.execute(select(func.count()).select_from(sub).where(*where)).scalar_one()
        query = select(sub).where(*where).order_by(*order).limit(size).offset((page - 1) * size)
        rows = [dict(row._mapping) for row in conn.execute(query)]
    template = uri_templates()[dataset.record]
    items = []
    for row in rows:
        item = {"uri": record_uri(release.base, template, dataset.uri_fields, row)}
        if dataset.name == "outcomes":
            crime = uri_templates()["RecordedCrime"]
            item["crime_uri"] = record_uri(release.base, crime, {"crime_id": "crime_id"}, row)
        item.update({name: _typed(dataset.fields[name], row.get(name)) for name in dataset.fields if name not in item})
        items.append(item)
    last = max(1, -(-total // size))
    return {
        "dataset": dataset.name,
        "release": release.id,
        "page": page,
        "pageSize": size,
        "total": total,
        "first": _page_url(1, size),
        "prev": _page_url(page - 1, size) if page > 1 else None,
        "next": _page_url(page + 1, size) if page < last else None,
        "items": items,
    }


def _typed(kind: str, value: Any) -> Any:
    """Booleans as booleans in every format (SQLite hands back 0 and 1)."""
    return bool(value) if kind == "boolean" and value is not None else value


def _page_url(page: int, size: int) -> str:
    params = [(k, v) for k, v in request.args.items(multi=True) if k not in ("_page", "_pageSize")]
    params += [("_page", str(page)), ("_pageSize", str(size))]
    return f"{request.base_url}?{urlencode(params)}"


def _paging_links(body: dict[str, Any]) -> list[str]:
    links = [f'<{body["first"]}>; rel="first"']
    links += [f'<{body[rel]}>; rel="{rel}"' for rel in ("prev", "next") if body[rel]]
    return links


def _register(dataset: Dataset) -> None:
    offered = (JSON, CSV, GEOJSON) if dataset.spatial else (JSON, CSV)

    def get(self, args: dict[str, Any]):
        fmt = choose(request.headers.get("Accept"), offered, args.get("format"))
        body = fetch_page(dataset, args)
        headers = linked_data_headers(_paging_links(body))
        if fmt is JSON:
            return body, 200, headers
        columns = list(dataset.fields)
        members = {k: v for k, v in body.items() if k != "items"}
        return formatted(fmt, dataset.name, columns, body["items"], members, headers)

    get.__doc__ = f"""{dataset.title}: records of the current release

    Filter by month range, area, the dataset's codes{" and a box or polygon" if dataset.spatial else ""};
    sort with ``_sort``; page with ``_page`` and ``_pageSize``. JSON (default), CSV
    {"or GeoJSON " if dataset.spatial else ""}by ``Accept`` or ``_format``.
    """
    view = type(f"{dataset.name.title().replace('-', '')}Records", (MethodView,), {"get": get})
    decorated = bp.arguments(records_query_schema(dataset), location="query", as_kwargs=False)(get)
    decorated = bp.response(200, page_schema(dataset))(decorated)
    decorated = bp.doc(responses=_alternatives(offered, page_schema(dataset)))(decorated)
    view.get = decorated
    bp.route(f"/{dataset.name}", endpoint=f"{dataset.name}-records")(view)


def _alternatives(offered, schema) -> dict:
    """The 200 answer's media types: JSON through ``schema``, CSV text, GeoJSON."""
    kinds = {JSON: schema, CSV: {"type": "string"}, GEOJSON: {"type": "object"}}
    return {"200": {"description": "OK", "content": {f.media_type: {"schema": kinds[f]} for f in offered}}}


for _dataset in DATASETS.values():
    _register(_dataset)
