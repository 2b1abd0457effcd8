"""CSV and GeoJSON bodies for /api/v1 (JSON goes through the marshmallow schemas)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """A CSV document (RFC 4180, CRLF line ends) with a header row of ``columns``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def to_geojson(records: Iterable[Mapping[str, Any]], members: Mapping[str, Any]) -> str:
    """A FeatureCollection: a Point per record with a place (RFC 7946 order: lon, lat)."""
    features = []
    for record in records:
        lat, lon = record.get("latitude"), record.get("longitude")
        geometry = None if lat is None or lon is None else {"type": "Point", "coordinates": [lon, lat]}
        properties = {k: v for k, v in record.items() if k not in ("latitude", "longitude")}
        features.append({"type": "Feature", "id": record["uri"], "geometry": geometry, "properties": properties})
    return json.dumps({"type": "FeatureCollection", **members, "features": features}, ensure_ascii=False)
