"""Linked-data URIs of records, exactly as the RDF store has them (``{base}id/…``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vocab.namespaces import namespaces


def record_uri(base: str, template: str, keys: Mapping[str, str], row: Mapping[str, Any]) -> str:
    """The URI of a record: the mapping's template filled from the row's fields.

    :param template: the mapping's ``uri:`` (``crime/{crime_id}/outcome/{outcome_id}``).
    :param keys: template key -> the row field holding it.
    """
    path = template.format(**{key: row[field] for key, field in keys.items()})
    return str(namespaces(base).ID[path])
