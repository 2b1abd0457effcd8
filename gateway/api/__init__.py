"""Our own JSON API under /api/v1/, described by OpenAPI 3.

flask-smorest validates the query parameters and serialises the responses through the
marshmallow schemas in ``schemas.py`` and generates ``/api/v1/openapi.json`` from them;
``/api/v1/docs`` is Swagger UI, vendored under ``static/api/``.

Errors use the gateway's envelope (``gateway/errors.py``), with the offending parameters
under ``errors`` when there are any::

    {"error": {"status": 400, "title": "Bad Request",
               "message": "Invalid query parameters: foo: unknown parameter",
               "errors": {"foo": ["Unknown field."]}}}

flask-smorest would register its own handler for every HTTP error of the whole app; the
subclass below does not, so the other interfaces keep theirs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import Flask, jsonify
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from ..errors import error_body
from .schemas import ErrorSchema

CONFIG_PREFIX = "V1"


class QueryParser(FlaskParser):
    """Unknown query parameters and bad values are a 400 (webargs says 422 and ignores them)."""

    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION: ClassVar[dict[str, str | None]] = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": "raise",
        "querystring": "raise",
    }


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = QueryParser()


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Leave the app's error handlers alone (see the module docstring)."""


bp = ApiBlueprint("api", __name__, url_prefix="/api/v1", description="Records and counts of the current release")


def _describe(messages: Any) -> tuple[str, dict[str, list[str]]]:
    """webargs' messages ({"query": {"field": ["msg"]}}) as one sentence and a field map."""
    fields: dict[str, list[str]] = {}
    for location in messages.values() if isinstance(messages, dict) else []:
        for name, problems in (location or {}).items():
            if isinstance(problems, dict):  # a list field: {index: [messages]}
                problems = [m for ms in problems.values() for m in (ms if isinstance(ms, list) else [ms])]
            fields[name] = [str(p) for p in (problems if isinstance(problems, list) else [problems])]
    parts = []
    for name, problems in fields.items():
        text = "; ".join("unknown parameter" if p == "Unknown field." else p.rstrip(".") for p in problems)
        parts.append(f"{name}: {text}" if name != "_schema" else text)
    return "Invalid query parameters: " + "; ".join(parts), fields


def handle_error(exc: HTTPException):
    """The /api/v1 error envelope (the app-wide one, plus ``errors`` per parameter)."""
    status = exc.code or 500
    message = exc.description or exc.name
    data = getattr(exc, "data", None) or {}
    body = error_body(status, exc.name, message)
    if data.get("messages"):
        body["error"]["message"], body["error"]["errors"] = _describe(data["messages"])
    response = jsonify(body)
    response.status_code = status
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if getattr(exc, "retry_after", None):
        response.headers["Retry-After"] = str(exc.retry_after)
    if status == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


bp.register_error_handler(HTTPException, handle_error)

# The views register themselves on bp.
from . import aggregates, catalogue, records  # noqa: E402, F401


def init_app(app: Flask) -> None:
    for key, value in {
        "API_TITLE": "Met Open Data Gateway API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "info": {
                "description": "Records and suppressed counts of the Metropolitan Police open-data release. "
                "Every record carries its linked-data URI.",
                "license": {
                    "name": "Open Government Licence v3.0",
                    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
                },
            },
            "servers": [{"url": "/"}],
        },
    }.items():
        app.config.setdefault(f"{CONFIG_PREFIX}_{key}", value)
    api = Api(config_prefix=CONFIG_PREFIX)
    api.init_app(app)
    api.register_blueprint(bp)
    app.extensions["gateway.api"] = api
