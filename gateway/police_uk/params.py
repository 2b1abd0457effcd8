"""The parameters of the data.police.uk methods, parsed with marshmallow.

GET takes them from the query string; POST from an ``application/x-www-form-urlencoded``
(or multipart) form body, with the same names. Empty values count as absent, unknown
names are ignored (clients send ``?&`` and ``&&``), and every failure becomes a 400 that
names the parameter and what it must look like.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from gateway.queries.geometry import ONE_MILE_M, Area, Circle, Polygon
from gateway.queries.months import is_month

from .errors import bad_request

POLY_EXAMPLE = "51.515,-0.098:51.520,-0.090:51.510,-0.085"
# The most points a poly may have. data.police.uk's neighbourhood boundaries, which clients
# send back as poly, have up to about 2,100; /api/v1/ allows 100 (its polygons are drawn).
MAX_POLY_POINTS = 10_000


def _month(value: str) -> None:
    if not is_month(value):
        raise ValidationError(f"date must be a month written YYYY-MM (e.g. 2024-01), not {value!r}")


class PolyField(fields.Field):
    """``lat,lng:lat,lng:...``: a polygon of at least three points, closed automatically."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Polygon:
        if not isinstance(value, str):
            raise ValidationError("poly must be text")
        pairs = value.strip().strip(":").split(":")
        if len(pairs) > MAX_POLY_POINTS + 1:  # + 1: the first point repeated to close it
            raise ValidationError(_too_many_points(len(pairs)))
        vertices: list[tuple[float, float]] = []
        for number, pair in enumerate(pairs, start=1):
            parts = pair.split(",")
            try:
                if len(parts) != 2:
                    raise ValueError
                lat, lng = float(parts[0]), float(parts[1])
            except ValueError:
                raise ValidationError(
                    f"poly must be lat,lng pairs joined by colons (e.g. {POLY_EXAMPLE}); point {number} is {pair!r}"
                ) from None
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise ValidationError(f"poly point {number} ({pair}) is not a latitude,longitude on Earth")
            vertices.append((lat, lng))
        if len(vertices) > 1 and vertices[0] == vertices[-1]:
            vertices.pop()
        if len(set(vertices)) < 3:
            raise ValidationError("poly needs at least 3 different points to enclose an area")
        if len(vertices) > MAX_POLY_POINTS:
            raise ValidationError(_too_many_points(len(vertices)))
        return Polygon(tuple(vertices))


def _too_many_points(count: int) -> str:
    return f"poly has {count:,} points, more than the {MAX_POLY_POINTS:,} allowed: simplify the area's outline"


class MethodArgs(Schema):
    """Every parameter any method takes; each method checks which ones it needs."""

    class Meta:
        unknown = EXCLUDE

    date = fields.String(validate=_month)
    lat = fields.Float(
        validate=validate.Range(-90, 90, error="lat must be a latitude between -90 and 90"),
        error_messages={"invalid": "lat must be a number (a latitude in degrees)"},
    )
    lng = fields.Float(
        validate=validate.Range(-180, 180, error="lng must be a longitude between -180 and 180"),
        error_messages={"invalid": "lng must be a number (a longitude in degrees)"},
    )
    poly = PolyField()
    location_id = fields.Integer(
        validate=validate.Range(min=0, error="location_id must be a location id (a whole number)"),
        error_messages={"invalid": "location_id must be a location id (a whole number)"},
    )
    force = fields.String(validate=validate.Length(max=100, error="force is too long to be a force id"))
    category = fields.String(validate=validate.Length(max=100, error="category is too long to be a category"))


_SCHEMA = MethodArgs()


@dataclass(frozen=True)
class Args:
    date: str | None = None
    lat: float | None = None
    lng: float | None = None
    poly: Polygon | None = None
    location_id: int | None = None
    force: str | None = None
    category: str | None = None

    def area(self, required: bool = True) -> Area | None:
        """The 1-mile circle around ``lat``/``lng``, or the ``poly`` area."""
        if self.poly is not None:
            return self.poly
        if self.lat is not None and self.lng is not None:
            return Circle(self.lat, self.lng, ONE_MILE_M)
        if self.lat is not None or self.lng is not None:
            missing = "lng" if self.lng is None else "lat"
            raise bad_request(f"{missing} is missing: give both lat and lng, or poly")
        if required:
            raise bad_request(f"give lat and lng (a point; 1-mile radius), or poly (an area: {POLY_EXAMPLE})")
        return None


def _message(error: ValidationError) -> str:
    messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
    parts = []
    for name, problems in messages.items():
        for problem in problems if isinstance(problems, list) else [problems]:
            text = str(problem)
            parts.append(text if text.startswith(name) else f"{name}: {text}")
    return "; ".join(parts)


def parse(request: Request) -> Args:
    """The method's parameters from the query string, or the form body of a POST."""
    if request.method == "POST" and request.mimetype not in (
        "",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        raise bad_request(f"send POST parameters as a form (application/x-www-form-urlencoded), not {request.mimetype}")
    raw = {**request.args.to_dict(), **(request.form.to_dict() if request.method == "POST" else {})}
    raw = {k: v for k, v in raw.items() if v != ""}
    try:
        return Args(**_SCHEMA.load(raw))
    except ValidationError as error:
        raise bad_request(_message(error)) from None
