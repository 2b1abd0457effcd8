"""marshmallow schemas of /api/v1: query parameters and responses, one set per dataset.

The same schemas validate requests (webargs, through flask-smorest) and describe them in
the OpenAPI document, so the document cannot drift from what the API accepts.
"""

from __future__ import annotations

import re
from functools import cache

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from ..config import DEFAULTS
from .datasets import DATASETS, FIVE_GROUPS, Dataset, Dimension

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
PATTERNS = {"borough": r"^E09\d{6}$", "lsoa": r"^[EW]01\d{6}$"}
FORMATS = ("json", "csv", "geojson")
MAX_DIMENSIONS = 3
MAX_POLYGON_POINTS = 100


def _month(description: str, data_key: str) -> fields.String:
    return fields.String(
        data_key=data_key,
        validate=validate.Regexp(MONTH_PATTERN, error="must be a month written YYYY-MM"),
        metadata={"description": description, "example": "2024-01"},
    )


class BoundingBox(fields.String):
    """``minLon,minLat,maxLon,maxLat`` (WGS84, GeoJSON order) -> a tuple of floats."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            west, south, east, north = (float(p) for p in text.split(","))
        except ValueError:
            raise ValidationError("must be four numbers minLon,minLat,maxLon,maxLat") from None
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise ValidationError("must be minLon,minLat,maxLon,maxLat with min < max, within -180..180 and -90..90")
        return west, south, east, north


class Polygon(fields.String):
    """``lat,lng:lat,lng:…`` (as data.police.uk writes ``poly``) -> a list of (lat, lng)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        points = []
        for pair in text.split(":"):
            try:
                lat, lng = (float(p) for p in pair.split(","))
            except ValueError:
                raise ValidationError(f"{pair!r} is not a point lat,lng; write points as lat,lng:lat,lng:…") from None
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise ValidationError(f"{pair!r} is not a latitude,longitude")
            points.append((lat, lng))
        if points and points[0] == points[-1]:
            points.pop()
        if not 3 <= len(points) <= MAX_POLYGON_POINTS:
            raise ValidationError(f"a polygon needs between 3 and {MAX_POLYGON_POINTS} distinct points")
        return points


class _Strict(Schema):
    """Unknown query parameters are errors, never silently ignored."""

    class Meta:
        unknown = RAISE

    @validates_schema
    def _month_range(self, data, **kwargs):
        start, end = data.get("from_"), data.get("to")
        if start and end and start > end:
            raise ValidationError(f"'from' ({start}) is after 'to' ({end})", "from")


class NoQueryArgsSchema(_Strict):
    """No parameters: any given is an error."""


def _filter_fields(dataset: Dataset, dimensions: tuple[Dimension, ...]) -> dict[str, fields.Field]:
    found: dict[str, fields.Field] = {
        "from_": _month("the first month (YYYY-MM), inclusive", "from"),
        "to": _month("the last month (YYYY-MM), inclusive", "to"),
    }
    for dim in dimensions:
        if dim.kind == "month":
            continue
        if dim.kind in PATTERNS:
            item = fields.String(validate=validate.Regexp(PATTERNS[dim.kind], error=f"must be a GSS code {dim.kind}"))
        elif dim.kind == "group":
            item = fields.String(validate=validate.OneOf(FIVE_GROUPS))
        else:
            item = fields.String(validate=validate.Length(1, 200))
        found[dim.name] = fields.List(
            item, metadata={"description": f"{dim.description}; repeat the parameter for any of several values"}
        )
    if dataset.spatial:
        found["bbox"] = BoundingBox(
            metadata={"description": "records within minLon,minLat,maxLon,maxLat", "example": "-0.1,51.5,-0.08,51.52"}
        )
        found["poly"] = Polygon(
            metadata={
                "description": "records within a polygon lat,lng:lat,lng:… (3 to 100 points)",
                "example": "51.51,-0.1:51.52,-0.09:51.51,-0.08",
            }
        )
    return found


def _format_field(offered: tuple[str, ...]) -> fields.String:
    return fields.String(
        data_key="_format",
        validate=validate.OneOf(offered),
        metadata={"description": "the format, instead of the Accept header"},
    )


def _class_name(dataset: Dataset, suffix: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-_]", dataset.name)) + suffix


@cache
def records_query_schema(dataset: Dataset) -> type[Schema]:
    sorts = [*dataset.sortable, *(f"-{s}" for s in dataset.sortable)]
    found = _filter_fields(dataset, dataset.filters)
    found["sort"] = DelimitedList(
        fields.String(validate=validate.OneOf(sorts)),
        data_key="_sort",
        metadata={"description": "fields to sort by, comma-separated; a leading - sorts descending"},
    )
    found["page"] = fields.Integer(
        data_key="_page", validate=validate.Range(min=1, max=1_000_000), metadata={"description": "page number, from 1"}
    )
    found["page_size"] = fields.Integer(
        data_key="_pageSize",
        validate=validate.Range(min=1, max=DEFAULTS["API_MAX_PAGE_SIZE"]),
        metadata={"description": "records per page"},
    )
    found["format"] = _format_field(FORMATS if dataset.spatial else FORMATS[:2])
    return type(_class_name(dataset, "QueryArgsSchema"), (_Strict,), found)


@cache
def aggregate_query_schema(dataset: Dataset) -> type[Schema]:
    found = _filter_fields(dataset, dataset.dimensions)
    found["group"] = DelimitedList(
        fields.String(validate=validate.OneOf(dataset.dimension_names)),
        required=True,
        validate=validate.Length(1, MAX_DIMENSIONS),
        metadata={"description": f"the dimensions to count by, comma-separated (1 to {MAX_DIMENSIONS})"},
    )
    found["format"] = _format_field(FORMATS[:2])
    return type(_class_name(dataset, "AggregateQueryArgsSchema"), (_Strict,), found)


_TYPES = {"string": fields.String, "integer": fields.Integer, "number": fields.Float, "boolean": fields.Boolean}


@cache
def record_schema(dataset: Dataset) -> type[Schema]:
    found = {name: _TYPES[kind](allow_none=True) for name, kind in dataset.fields.items()}
    found["uri"] = fields.String(required=True, metadata={"description": "the record's linked-data URI"})
    return type(_class_name(dataset, "Schema"), (Schema,), found)


@cache
def page_schema(dataset: Dataset) -> type[Schema]:
    found = {
        "dataset": fields.String(required=True),
        "release": fields.String(required=True),
        "page": fields.Integer(required=True),
        "pageSize": fields.Integer(required=True),
        "total": fields.Integer(required=True, metadata={"description": "records matching the filters"}),
        "first": fields.String(required=True),
        "prev": fields.String(allow_none=True),
        "next": fields.String(allow_none=True),
        "items": fields.List(fields.Nested(record_schema(dataset)), required=True),
    }
    return type(_class_name(dataset, "PageSchema"), (Schema,), found)


class CountSchema(Schema):
    count = fields.Integer(allow_none=True, required=True, metadata={"description": "null when suppressed"})
    suppressed = fields.Boolean(required=True)
    rate = fields.Float(allow_none=True, metadata={"description": "per 1,000 population, where known"})


@cache
def cell_schema(dataset: Dataset) -> type[Schema]:
    found = {d.name: fields.String(allow_none=True) for d in dataset.dimensions}
    found.update({name: field for name, field in CountSchema._declared_fields.items()})
    return type(_class_name(dataset, "CellSchema"), (Schema,), found)


class MarginSchema(CountSchema):
    value = fields.String(allow_none=True, required=True)


@cache
def aggregate_schema(dataset: Dataset) -> type[Schema]:
    found = {
        "dataset": fields.String(required=True),
        "release": fields.String(required=True),
        "group": fields.List(fields.String(), required=True),
        "threshold": fields.Integer(required=True, metadata={"description": "counts below it are withheld"}),
        "cells": fields.List(fields.Nested(cell_schema(dataset)), required=True),
        "margins": fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(MarginSchema)), required=True),
        "total": fields.Nested(CountSchema, required=True),
        "denominator": fields.String(allow_none=True, metadata={"description": "the population figures used"}),
    }
    return type(_class_name(dataset, "AggregateSchema"), (Schema,), found)


class ErrorDetailSchema(Schema):
    status = fields.Integer(required=True)
    title = fields.String(required=True)
    message = fields.String(required=True, metadata={"description": "what was wrong"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "the problems of each query parameter, when there are any"},
    )


class ErrorSchema(Schema):
    """Every error of the gateway: ``{"error": {"status", "title", "message"}}``."""

    error = fields.Nested(ErrorDetailSchema, required=True)


class LinkSchema(Schema):
    href = fields.String(required=True)
    title = fields.String(required=True)


class DatasetSummarySchema(Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    records = fields.String(required=True, metadata={"description": "the record endpoint"})
    aggregates = fields.String(required=True, metadata={"description": "the aggregate endpoint"})
    months = fields.List(fields.String(), required=True)
    count = fields.Integer(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class DatasetsSchema(Schema):
    release = fields.String(required=True)
    created_at = fields.String(required=True)
    base = fields.String(required=True)
    datasets = fields.List(fields.Nested(DatasetSummarySchema), required=True)
    links = fields.Dict(keys=fields.String(), values=fields.Nested(LinkSchema), required=True)


def all_schemas() -> list[type[Schema]]:
    """Every per-dataset schema (so they are built once, at import of the views)."""
    out: list[type[Schema]] = []
    for d in DATASETS.values():
        out += [records_query_schema(d), aggregate_query_schema(d), page_schema(d), aggregate_schema(d)]
    return out
