"""The app-wide JSON error envelope, for errors no interface handles itself.

Every error body is ``{"error": {"status": <code>, "title": <reason>, "message": <what
was wrong>}}``. Messages are written by the gateway; exception text from a database or
engine never reaches a client.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


def error_body(status: int, title: str, message: str) -> dict:
    return {"error": {"status": status, "title": title, "message": message}}


def _http_error(exc: HTTPException):
    response = jsonify(error_body(exc.code or 500, exc.name, exc.description or exc.name))
    response.status_code = exc.code or 500
    if exc.code == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _unexpected(exc: Exception):
    log.exception("unhandled error", exc_info=exc)
    server_error = InternalServerError(description="The gateway failed to answer this request.")
    return _http_error(server_error)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
