"""The data.police.uk-compatible JSON API under /api/.

The methods, shapes and errors of the Home Office Police API
(``shared/reference/police-uk-api.md``), served from the current release, so that code
written for https://data.police.uk/api/ works with only its base URL changed.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from werkzeug.exceptions import HTTPException

from gateway import ratelimit
from gateway.current import registry

from . import errors, views
from .crime_cache import CrimeCache
from .facts import FactsCache

bp = Blueprint("police_uk", __name__, url_prefix="/api")
views.register(bp)
bp.register_error_handler(errors.ApiError, errors.handle_api_error)
bp.register_error_handler(HTTPException, errors.handle_http_error)
bp.register_error_handler(Exception, errors.handle_unexpected)


def init_app(app: Flask) -> None:
    crimes, facts = CrimeCache(), FactsCache()
    app.extensions[views.EXTENSION] = (crimes, facts)

    def _retire(release) -> None:
        crimes.forget(release.id)
        facts.forget(release.id)

    registry(app).on_retire(_retire)
    app.register_blueprint(bp)
    # The rate limit covers both JSON APIs (/api/ and /api/v1/): one app-wide hook on the
    # path prefix, installed here with the first of them.
    ratelimit.init_app(app)
