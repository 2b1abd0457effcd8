"""Published rows in data.police.uk's JSON shapes (police-uk-api.md sections 5 to 7).

The traps clients depend on: coordinates are JSON strings with six decimals, ``id`` and
``street.id`` are numbers, ``persistent_id``, ``context`` and ``location_subtype`` are
``""`` rather than null (``persistent_id`` also for a crime data.police.uk gave no id, whose
id the gateway made), ``outcome_status`` carries the outcome's display name.

Values are what the record's source said: a record with a location name or a label of its
own (archive files) gives that, else its map point's name and its code's display name.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rdflib import DCTERMS, SKOS

from gateway.internal import lookups
from gateway.publish.dumps import OUTCOME_LABEL
from gateway.publish.persistent_ids import as_police_uk
from vocab.concepts import concept_for
from vocab.loader import vocabulary_graph

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
    """``{latitude, street{id, name}, longitude}`` of a row joined with its map point
    (:mod:`gateway.queries.records`: ``street_name`` is the record's own, else the point's)."""
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
        name = col("last_outcome_label") or STATUS_NAME.get(last, last)
        shape["outcome_status"] = {"category": name, "date": col("last_outcome_month")} if last else None
    return shape


def outcome(code: str, month: str, label: str | None = None) -> dict:
    """One entry of an outcome history (section 6); ``label``: the source's, if it had one."""
    name = label or OUTCOME_NAME.get(code, code)
    return {"category": {"code": code, "name": name}, "date": month, "person_id": None}


@lru_cache(maxsize=256)
def stop_outcome_id(label: str) -> str:
    """The ``outcome_object.id`` of a stop outcome label: one of data.police.uk's seven
    ``bu-*`` ids, or ``""``. An older label ("Suspect arrested") has the id of the current
    outcome that replaced it (``bu-arrest``); one that nothing replaced ("Article found -
    Detailed outcome unavailable") has none, as an empty outcome has none: an id of our own
    would be one no client of data.police.uk knows."""
    if label in STOP_OUTCOME_ID:
        return STOP_OUTCOME_ID[label]
    try:
        concept = concept_for("search-outcome", label)
    except KeyError:
        return ""
    graph = vocabulary_graph()
    for candidate in (concept, *graph.objects(concept, DCTERMS.isReplacedBy)):
        notation = str(graph.value(candidate, SKOS.notation) or "")
        if notation in STOP_OUTCOME_ID.values():
            return notation
    return ""


def stop(row: Any) -> dict:
    """A stop and search (section 7.1), its keys in the order of real stops-force answers
    (City of London 2023-01 and Leicestershire 2023-07; the 2018 stops-street docs too)."""
    label = row.outcome or ""
    return {
        "age_range": row.age_range,
        "outcome": label,
        "involved_person": row.type != "Vehicle search",
        "self_defined_ethnicity": row.self_defined_ethnicity,
        "gender": row.gender,
        "legislation": row.legislation,
        "outcome_linked_to_object_of_search": row.outcome_linked_to_object_of_search,
        "datetime": row.datetime,
        "removal_of_more_than_outer_clothing": row.removal_of_more_than_outer_clothing,
        "outcome_object": {"id": stop_outcome_id(label) if label else "", "name": label},
        "location": location(row),
        "operation": row.operation,
        "officer_defined_ethnicity": row.officer_defined_ethnicity,
        "type": row.type,
        "operation_name": None,
        "object_of_search": row.object_of_search,
    }
