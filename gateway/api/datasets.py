"""The datasets /api/v1 serves: which published table, which fields, which dimensions.

Everything here is plain data over the published tables (``gateway/publish/tables.py``).
A *dimension* is something records can be filtered and counted by; its values are
checked against the vocabulary scheme the mapping publishes it under, so a filter on a
value that does not exist is a 400, not an empty answer that looks like "no crime".

A *protected* dimension is one no record carries (its mapping field says ``records:
false``: the characteristics of the subject of a use of force): it is published only as
counts with small cells withheld, so the record endpoints neither filter by it nor show
it. Every other dimension is a field of the published records, so its counts are public.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import ColumnElement, Select, func, select

from ..publish import tables as t

MAPPINGS_DIR = Path(__file__).resolve().parents[2] / "mappings" / "internal"
FIVE_GROUPS = ("white", "mixed", "asian", "black", "other")


@dataclass(frozen=True)
class Dimension:
    """A field records can be filtered and counted by."""

    name: str
    description: str
    kind: str = "code"  # code | month | borough | lsoa | group
    scheme: str | None = None  # the vocabulary scheme of its values
    of: str | None = None  # for kind "group": the dimension whose values are grouped
    protected: bool = False  # on no record: counted only, small counts withheld


@dataclass(frozen=True, eq=False)
class Dataset:
    """One dataset of /api/v1: a published table seen through a select."""

    name: str
    title: str
    manifest_key: str  # its key in the manifest's counts
    record: str  # the mapping's record type, for the linked-data URI
    statement: Callable[[], Select]  # every output column, labelled by field name
    fields: dict[str, str]  # field name -> type (string, integer, number, boolean, array)
    dimensions: tuple[Dimension, ...]
    sortable: tuple[str, ...]
    default_sort: tuple[str, ...]
    spatial: bool = True  # whether records have map points (bbox, polygon, GeoJSON)
    uri_fields: dict[str, str] = field(default_factory=dict)  # template key -> field name

    def dimension(self, name: str) -> Dimension:
        return next(d for d in self.dimensions if d.name == name)

    @property
    def filters(self) -> tuple[Dimension, ...]:
        """The dimensions the record endpoint filters by: the public ones."""
        return tuple(d for d in self.dimensions if not d.protected)

    @property
    def dimension_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dimensions)


@cache
def uri_templates() -> dict[str, str]:
    """Each record type's URI template, read from the mappings (``crime/{crime_id}``)."""
    templates = {}
    for path in sorted(MAPPINGS_DIR.glob("*.yaml")):
        mapping = yaml.safe_load(path.read_text())
        templates[mapping["record"]] = mapping["uri"]
    return templates


def _point_columns(*own_names: ColumnElement) -> list[ColumnElement]:
    """The map point's position, and the record's own location name (the first of
    ``own_names`` that is not null: archive records carry one), else the point's."""
    p = t.map_point
    name = func.coalesce(*own_names, p.c.street_name).label("street_name") if own_names else p.c.street_name
    return [p.c.latitude, p.c.longitude, name]


def _street(record: str) -> Callable[[], Select]:
    def statement() -> Select:
        s, p = t.street, t.map_point
        columns = [s.c.id, s.c.persistent_id] if record == "RecordedCrime" else [s.c.id]
        columns += [s.c.category, s.c.month, s.c.map_point, *_point_columns(s.c.street_name)]
        columns += [s.c.lsoa_code, s.c.borough_code, s.c.force]
        if record == "RecordedCrime":
            columns += [s.c.last_outcome, s.c.last_outcome_month]
        return select(*columns).select_from(s.outerjoin(p, p.c.id == s.c.map_point)).where(s.c.record == record)

    return statement


def _outcomes() -> Select:
    o, s, p = t.crime_outcome, t.street, t.map_point
    return select(
        o.c.id,
        o.c.crime_id,
        o.c.seq,
        o.c.category,
        o.c.month,
        s.c.persistent_id,
        s.c.month.label("crime_month"),
        s.c.category.label("crime_category"),
        s.c.map_point,
        *_point_columns(o.c.street_name, s.c.street_name),
        s.c.lsoa_code,
        s.c.borough_code,
    ).select_from(o.join(s, s.c.id == o.c.crime_id).outerjoin(p, p.c.id == s.c.map_point))


def _stops() -> Select:
    s, p = t.stop_search, t.map_point
    return select(
        s.c.id,
        s.c.datetime,
        s.c.month,
        s.c.type,
        s.c.map_point,
        *_point_columns(),
        s.c.lsoa_code,
        s.c.borough_code,
        s.c.legislation,
        s.c.object_of_search,
        s.c.outcome,
        s.c.outcome_linked_to_object_of_search,
        s.c.removal_of_more_than_outer_clothing,
        s.c.operation,
        s.c.gender,
        s.c.age_range,
        s.c.self_defined_ethnicity,
        s.c.officer_defined_ethnicity,
        s.c.force,
    ).select_from(s.outerjoin(p, p.c.id == s.c.map_point))


def _uses_of_force() -> Select:
    u = t.use_of_force
    return select(
        u.c.id,
        u.c.month,
        u.c.borough.label("borough_code"),
        u.c.location_type,
        u.c.outcome,
        u.c.subject_injured,
        u.c.staff_injured,
        u.c.impact_alcohol,
        u.c.impact_drugs,
        u.c.impact_mental_health,
        u.c.impact_weapon,
        u.c.perceived_ethnicity,  # protected: for the counts, never listed
        u.c.age_band,
        u.c.gender,
    )


MONTH = Dimension("month", "the month (YYYY-MM)", "month")
BOROUGH = Dimension("borough", "the London borough (ONS GSS code E09…)", "borough")
LSOA = Dimension("lsoa", "the lower layer super output area (ONS GSS code E01… or, in Wales, W01…)", "lsoa")
POINT = {"map_point": "integer", "latitude": "number", "longitude": "number", "street_name": "string"}
AREA = {"lsoa_code": "string", "borough_code": "string"}

STREET_CRIME = Dataset(
    name="street-crime",
    title="Street-level crime",
    manifest_key="street-crime",
    record="RecordedCrime",
    statement=_street("RecordedCrime"),
    fields={
        "uri": "string",
        "id": "integer",
        "persistent_id": "string",
        "category": "string",
        "month": "string",
        **POINT,
        **AREA,
        "force": "string",
        "last_outcome": "string",
        "last_outcome_month": "string",
    },
    dimensions=(
        MONTH,
        BOROUGH,
        LSOA,
        Dimension("category", "the crime category (data.police.uk slug)", scheme="crime-category"),
        Dimension("outcome", "the latest outcome (data.police.uk slug)", scheme="crime-outcome"),
    ),
    sortable=("month", "category", "id"),
    default_sort=("-month", "id"),
    uri_fields={"crime_id": "id"},
)

ANTI_SOCIAL_BEHAVIOUR = Dataset(
    name="anti-social-behaviour",
    title="Anti-social behaviour",
    manifest_key="street-crime",
    record="AntiSocialBehaviourIncident",
    statement=_street("AntiSocialBehaviourIncident"),
    fields={
        "uri": "string",
        "id": "integer",
        "category": "string",
        "month": "string",
        **POINT,
        **AREA,
        "force": "string",
    },
    dimensions=(MONTH, BOROUGH, LSOA),
    sortable=("month", "id"),
    default_sort=("-month", "id"),
    uri_fields={"asb_id": "id"},
)

OUTCOMES = Dataset(
    name="outcomes",
    title="Outcomes of recorded crimes",
    manifest_key="outcomes",
    record="CrimeOutcome",
    statement=_outcomes,
    fields={
        "uri": "string",
        "id": "integer",
        "crime_uri": "string",
        "crime_id": "integer",
        "persistent_id": "string",
        "seq": "integer",
        "category": "string",
        "month": "string",
        "crime_month": "string",
        "crime_category": "string",
        **POINT,
        **AREA,
    },
    dimensions=(
        MONTH,
        BOROUGH,
        LSOA,
        Dimension("category", "the outcome (data.police.uk slug)", scheme="crime-outcome"),
        Dimension("crime_category", "the category of the crime (data.police.uk slug)", scheme="crime-category"),
    ),
    sortable=("month", "crime_month", "category", "id"),
    default_sort=("-month", "id"),
    uri_fields={"crime_id": "crime_id", "outcome_id": "id"},
)

STOP_AND_SEARCH = Dataset(
    name="stop-and-search",
    title="Stop and search",
    manifest_key="stop-and-search",
    record="StopAndSearch",
    statement=_stops,
    fields={
        "uri": "string",
        "id": "integer",
        "datetime": "string",
        "month": "string",
        "type": "string",
        **POINT,
        **AREA,
        "legislation": "string",
        "object_of_search": "string",
        "outcome": "string",
        "outcome_linked_to_object_of_search": "boolean",
        "removal_of_more_than_outer_clothing": "boolean",
        "operation": "boolean",
        "gender": "string",
        "age_range": "string",
        "self_defined_ethnicity": "string",
        "officer_defined_ethnicity": "string",
        "force": "string",
    },
    dimensions=(
        MONTH,
        BOROUGH,
        LSOA,
        Dimension("type", "the type of search", scheme="search-type"),
        Dimension("legislation", "the power the search was made under", scheme="search-power"),
        Dimension("object_of_search", "what was searched for", scheme="search-object"),
        Dimension("outcome", "the outcome of the search", scheme="search-outcome"),
        Dimension("gender", "the gender of the person searched", scheme="gender"),
        Dimension("age_range", "the age band of the person searched", scheme="age-band/stop-search"),
        Dimension("self_defined_ethnicity", "the ethnicity the person searched gave", scheme="self-defined-ethnicity"),
        Dimension(
            "officer_defined_ethnicity", "the ethnicity the officer recorded", scheme="officer-defined-ethnicity"
        ),
        Dimension(
            "ethnic_group",
            "the five-group ethnicity (white, mixed, asian, black, other) of the self-defined ethnicity",
            "group",
            of="self_defined_ethnicity",
        ),
        Dimension(
            "officer_ethnic_group",
            "the five-group ethnicity (white, mixed, asian, black, other) of the officer-defined ethnicity",
            "group",
            of="officer_defined_ethnicity",
        ),
    ),
    sortable=("datetime", "month", "id"),
    default_sort=("-datetime", "id"),
    uri_fields={"stop_id": "id"},
)

USE_OF_FORCE = Dataset(
    name="use-of-force",
    title="Use of force",
    manifest_key="use-of-force",
    record="UseOfForce",
    statement=_uses_of_force,
    fields={
        "uri": "string",
        "id": "integer",
        "month": "string",
        "borough_code": "string",
        "location_type": "string",
        "outcome": "string",
        "subject_injured": "boolean",
        "staff_injured": "boolean",
        "impact_alcohol": "boolean",
        "impact_drugs": "boolean",
        "impact_mental_health": "boolean",
        "impact_weapon": "boolean",
    },
    dimensions=(
        MONTH,
        BOROUGH,
        Dimension("location_type", "the type of place", scheme="incident-location-type"),
        Dimension("outcome", "the outcome of the incident", scheme="incident-outcome"),
        Dimension(
            "perceived_ethnicity",
            "the subject's ethnicity as the officer perceived it",
            scheme="perceived-ethnicity",
            protected=True,
        ),
        Dimension(
            "ethnic_group",
            "the five-group ethnicity (white, mixed, asian, black, other) of the perceived ethnicity",
            "group",
            of="perceived_ethnicity",
            protected=True,
        ),
        Dimension("age_band", "the subject's age band", scheme="age-band/use-of-force", protected=True),
        Dimension("gender", "the subject's gender", scheme="gender", protected=True),
    ),
    sortable=("month", "id"),
    default_sort=("-month", "id"),
    spatial=False,
    uri_fields={"uof_id": "id"},
)

DATASETS: dict[str, Dataset] = {
    d.name: d for d in (STREET_CRIME, ANTI_SOCIAL_BEHAVIOUR, OUTCOMES, STOP_AND_SEARCH, USE_OF_FORCE)
}


def column_name(dataset: Dataset, dimension: Dimension) -> str:
    """The select column a (non-group) dimension reads."""
    if dimension.name in ("borough", "lsoa"):
        return f"{dimension.name}_code"
    if dataset.name == "street-crime" and dimension.name == "outcome":
        return "last_outcome"
    return dimension.name
