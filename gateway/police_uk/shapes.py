"""Published rows in data.police.uk's JSON shapes (police-uk-api.md sections 5 to 7).

The traps clients depend on: coordinates are JSON strings with six decimals, ``id`` and
``street.id`` are numbers, ``persistent_id``, ``context`` and ``location_subtype`` are
``""`` rather than null (``persistent_id`` also for a crime data.police.uk gave no id, whose
id the gateway made), ``outcome_status`` carries the outcome's display name.
"""

from __future__ import annotations

import re
from typing import Any

from gateway.internal import lookups
from gateway.publish.dumps import OUTCOME_LABEL
from gateway.publish.persistent_ids import as_police_uk

ALL_CRIME = "all-crime"
# crime-categories, in upstream order: "all-crime" first, then the 14 categories.
CATEGORIES: tuple[tuple[str, str], ...] = (
    (ALL_CRIME, "All crime"),
    *((slug, label) for label, slug in lookups.CATEGORY_LABELS.items()),
)
LEGACY_CATEGORIES = {"public-disorder-weapons": "Public disorder and weapons"}
# Outcome display names: the API's spelling in outcome lists, the archive's in outcome_status
# (real outcome_status strings say "Offender given penalty notice").
OUTCOME_NAME = {}
for _label, _code in lookups.OUTCOME_LABELS.items():
    OUTCOME_NAME.setdefault(_code, _label)
STATUS_NAME = OUTCOME_LABEL
STOP_OUTCOME_ID = {
    "A no further action disposal": "bu-no-further-action",
    "Arrest": "bu-arrest",
    "Khat or Cannabis warning": "bu-khat-or-cannabis-warning",
    "Summons / charged by post": "bu-summons",
    "Community resolution": "bu-community-resolution",
    "Penalty Notice for Disorder": "bu-penalty-notice",
    "Caution (simple or conditional)": "bu-caution",
}


def coordinate(value: float) -> str:
    return f"{value:.6f}"


def location(row: Any, point_column: str = "map_point") -> dict | None:
    """``{latitude, street{id, name}, longitude}`` of a row joined with its map point."""
    point_id = getattr(row, point_column)
    if point_id is None:
        return None
    return {
        "latitude": coordinate(row.latitude),
        "street": {"id": point_id, "name": f"On or near {row.street_name}"},
        "longitude": coordinate(row.longitude),
    }


def crime(row: Any, *, with_status: bool = True, prefix: str = "") -> dict:
    """A street-level crime or ASB incident (section 5.1); ``prefix`` for ``c_*`` columns."""

    def col(name: str) -> Any:
        return getattr(row, prefix + name)

    located = location(row, prefix + "map_point")
    shape: dict[str, Any] = {
        "category": col("category"),
        "persistent_id": as_police_uk(col("persistent_id")),
        "location_subtype": "",
        "id": col("id"),
        "location": located,
        "context": "",
        "month": col("month"),
        "location_type": "Force" if located else None,
    }
    if with_status:
        last = col("last_outcome")
        shape["outcome_status"] = (
            {"category": STATUS_NAME.get(last, last), "date": col("last_outcome_month")} if last else None
        )
    return shape


def outcome(code: str, month: str) -> dict:
    """One entry of an outcome history (section 6)."""
    return {"category": {"code": code, "name": OUTCOME_NAME.get(code, code)}, "date": month, "person_id": None}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def stop(row: Any) -> dict:
    """A stop and search (section 7.1)."""
    label = row.outcome or ""
    outcome_id = STOP_OUTCOME_ID.get(label, f"bu-{_slug(label)}") if label else ""
    return {
        "age_range": row.age_range,
        "officer_defined_ethnicity": row.officer_defined_ethnicity,
        "involved_person": row.type != "Vehicle search",
        "self_defined_ethnicity": row.self_defined_ethnicity,
        "gender": row.gender,
        "legislation": row.legislation,
        "outcome_linked_to_object_of_search": row.outcome_linked_to_object_of_search,
        "datetime": row.datetime,
        "outcome_object": {"id": outcome_id, "name": label},
        "location": location(row),
        "object_of_search": row.object_of_search,
        "operation": row.operation,
        "outcome": label,
        "type": row.type,
        "operation_name": None,
        "removal_of_more_than_outer_clothing": row.removal_of_more_than_outer_clothing,
    }
