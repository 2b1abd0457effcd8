"""This interface's one error envelope: upstream's, a short ``text/plain`` body.

data.police.uk answers errors with a status and a plain-text body (``Not Found``); its
clients look at the status only. The gateway keeps that form and makes the body say what
was wrong: ``400 Bad Request: lat must be a number between -90 and 90``. Nothing from a
database or engine ever reaches it.
"""

from __future__ import annotations

import logging

from flask import Response
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error answer: its status and what was wrong."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def plain_error(status: int, message: str, retry_after: int | None = None) -> Response:
    """The error answer itself (also used by the rate limiter for ``/api/``)."""
    from http import HTTPStatus

    title = HTTPStatus(status).phrase
    response = Response(f"{status} {title}: {message}\n", status=status, mimetype="text/plain")
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def handle_api_error(error: ApiError) -> Response:
    return plain_error(error.status, error.message, error.retry_after)


def handle_http_error(error: HTTPException) -> Response:
    retry_after = getattr(error, "retry_after", None)
    response = plain_error(error.code or 500, error.description or error.name, retry_after)
    if error.code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def handle_unexpected(error: Exception) -> Response:
    log.exception("unhandled error in /api/", exc_info=error)
    return plain_error(500, "the gateway failed to answer this request")
