"""Headers and non-JSON bodies shared by the /api/v1 views."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Response

from ..negotiation import CSV, Format
from .writers import to_csv, to_geojson

# The JSON-LD context of the gateway's JSON (published by the linked-data pages).
CONTEXT_LINK = '</def/policing/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"'


def linked_data_headers(links: Sequence[str] = ()) -> dict[str, str]:
    return {"Link": ", ".join([CONTEXT_LINK, *links]), "Vary": "Accept"}


def formatted(
    fmt: Format,
    name: str,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    members: Mapping[str, Any],
    headers: Mapping[str, str],
) -> Response:
    """A CSV or GeoJSON response of ``rows`` (GeoJSON keeps ``members`` at the top)."""
    body = to_csv(columns, rows) if fmt is CSV else to_geojson(rows, members)
    response = Response(body, content_type=fmt.content_type, headers=dict(headers))
    response.headers["Content-Disposition"] = f'inline; filename="{name}.{fmt.extension}"'
    return response
