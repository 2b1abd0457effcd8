"""The internal tables: what the Met's records systems hand over to the gateway.

Defined once with SQLAlchemy Core, so that the same code runs on SQLite (the embedded
default) and PostgreSQL (production). Every column says how it may be disclosed, in
``Column.info["disclosure"]``:

``private``
    never published, in any form: names, narratives, addresses, officer numbers,
    internal references. The demo data marks every value of these with ``CANARY``.
``transform``
    published only through a disclosure transform: exact locations (snapped to a map
    point), exact date-times (reduced to a month where the rules say so), dates of birth
    and ages (reduced to a band).
``public``
    safe to publish as it is or through a code lookup.

All date-times are naive and in UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from . import lookups

metadata = MetaData()

PRIVATE = "private"
TRANSFORM = "transform"
PUBLIC = "public"


def private(name: str, type_=None, *args, **kwargs) -> Column:
    """A column that must never be published."""
    return Column(name, type_ if type_ is not None else Text, *args, info={"disclosure": PRIVATE}, **kwargs)


def transformed(name: str, type_, **kwargs) -> Column:
    """A column that may be published only through a disclosure transform."""
    return Column(name, type_, info={"disclosure": TRANSFORM}, **kwargs)


def public(name: str, type_, *args, **kwargs) -> Column:
    """A column that is safe to publish as it is, or through a code lookup."""
    return Column(name, type_, *args, info={"disclosure": PUBLIC}, **kwargs)


def _code(name: str, lookup: str, nullable: bool = True) -> Column:
    return public(name, String(16), ForeignKey(f"{lookup}.code"), nullable=nullable)


def _lookup_table(name: str, doc: str) -> Table:
    return Table(
        name,
        metadata,
        public("code", String(16), primary_key=True),
        public("description", Text, nullable=False),
        public("published", Text, nullable=True),
        comment=doc,
    )


# --- Reference and lookup tables -------------------------------------------------------

force = _lookup_table("force", "Forces; published is the data.police.uk force id.")
asb_type = _lookup_table("asb_type", "Anti-social behaviour incident types.")
outcome_code = _lookup_table("outcome_code", "Crime outcome codes; published is the data.police.uk outcome code.")
search_type = _lookup_table("search_type", "Stop and search types.")
legislation_code = _lookup_table("legislation_code", "Search powers.")
search_object = _lookup_table("search_object", "Objects of search.")
search_outcome = _lookup_table("search_outcome", "Stop and search outcomes.")
gender_code = _lookup_table("gender_code", "Gender codes.")
sde_code = _lookup_table("sde_code", "Self-defined ethnicity, 18+1 codes.")
ic_code = _lookup_table("ic_code", "Officer-defined ethnicity, Met IC codes.")
uof_location_type = _lookup_table("uof_location_type", "Use of force: incident location types.")
uof_tactic = _lookup_table("uof_tactic", "Use of force: tactics.")
uof_ced_mode = _lookup_table("uof_ced_mode", "Use of force: CED (Taser) use modes.")
uof_outcome = _lookup_table("uof_outcome", "Use of force: incident outcomes.")
uof_ethnicity = _lookup_table("uof_ethnicity", "Use of force: subject ethnicity as perceived by the officer.")

offence_code = Table(
    "offence_code",
    metadata,
    public("code", String(16), primary_key=True, comment="Home Office offence code"),
    public("description", Text, nullable=False),
    public("internal_class", String(16), nullable=False, comment="the force's own classification"),
    public("published", Text, nullable=False, comment="data.police.uk crime category slug"),
)

borough = Table(
    "borough",
    metadata,
    public("gss_code", String(9), primary_key=True),
    public("name", Text, nullable=False),
)

lsoa = Table(
    "lsoa",
    metadata,
    public("code", String(9), primary_key=True),
    public("name", Text, nullable=False),
    public("borough_code", String(9), ForeignKey("borough.gss_code"), nullable=True),
)

map_point = Table(
    "map_point",
    metadata,
    public("id", Integer, primary_key=True, autoincrement=False),
    public("latitude", Float, nullable=False),
    public("longitude", Float, nullable=False),
    public("easting", Float, nullable=False),
    public("northing", Float, nullable=False),
    public("street_name", Text, nullable=False, comment="published as 'On or near <name>'"),
    public("lsoa_code", String(9), ForeignKey("lsoa.code"), nullable=True),
    public("borough_code", String(9), ForeignKey("borough.gss_code"), nullable=True),
    comment="The master list of anonymous map points (snap points).",
)

extract_info = Table(
    "extract_info",
    metadata,
    public("key", String(64), primary_key=True),
    public("value", Text, nullable=False),
    comment="When and how this extract of the records system was made.",
)

# --- Records ---------------------------------------------------------------------------

crime_report = Table(
    "crime_report",
    metadata,
    private("internal_ref", String(40), primary_key=True),
    public("persistent_id", String(64), nullable=False, comment="the 64-hex published id"),
    transformed("recorded_at", DateTime, nullable=False),
    _code("offence_code", "offence_code", nullable=False),
    public("internal_class", String(16), nullable=False),
    _code("force_code", "force", nullable=False),
    transformed("easting", Float, nullable=True),
    transformed("northing", Float, nullable=True),
    private("address"),
    private("victim_name"),
    private("suspect_name"),
    private("officer_warrant_number", String(40)),
    private("narrative"),
    public("marker_domestic_abuse", Boolean, nullable=False),
    public("marker_sexual_offence", Boolean, nullable=False),
    public("marker_hate_crime", Boolean, nullable=False),
    public("marker_restricted", Boolean, nullable=False, comment="subject to a reporting restriction"),
    public("lsoa_code", String(9), nullable=True),
    public("borough_code", String(9), nullable=True),
)
Index("ix_crime_report_recorded_at", crime_report.c.recorded_at)
Index("ix_crime_report_persistent_id", crime_report.c.persistent_id)

crime_outcome = Table(
    "crime_outcome",
    metadata,
    private("internal_ref", String(40), primary_key=True),
    private("crime_ref", String(40), ForeignKey("crime_report.internal_ref"), nullable=False),
    _code("outcome_code", "outcome_code", nullable=False),
    public("outcome_date", Date, nullable=False),
    private("suspect_ref", String(40)),
    private("officer_warrant_number", String(40)),
)
Index("ix_crime_outcome_crime_ref", crime_outcome.c.crime_ref)

anti_social_behaviour = Table(
    "anti_social_behaviour",
    metadata,
    private("internal_ref", String(40), primary_key=True),
    transformed("reported_at", DateTime, nullable=False),
    _code("asb_type", "asb_type", nullable=False),
    _code("force_code", "force", nullable=False),
    transformed("easting", Float, nullable=True),
    transformed("northing", Float, nullable=True),
    private("address"),
    private("reporter_name"),
    private("officer_warrant_number", String(40)),
    private("narrative"),
    public("lsoa_code", String(9), nullable=True),
    public("borough_code", String(9), nullable=True),
)
Index("ix_asb_reported_at", anti_social_behaviour.c.reported_at)

stop_search = Table(
    "stop_search",
    metadata,
    private("internal_ref", String(40), primary_key=True),
    transformed("searched_at", DateTime, nullable=False),
    _code("search_type", "search_type", nullable=False),
    _code("force_code", "force", nullable=False),
    transformed("easting", Float, nullable=True),
    transformed("northing", Float, nullable=True),
    private("location_description"),
    private("subject_name"),
    transformed("subject_dob", Date, nullable=True),
    _code("sde_code", "sde_code"),
    _code("ic_code", "ic_code"),
    _code("gender_code", "gender_code"),
    _code("legislation_code", "legislation_code"),
    _code("object_code", "search_object"),
    _code("outcome_code", "search_outcome"),
    public("outcome_linked_to_object", Boolean, nullable=True),
    public("outer_clothing_removed", Boolean, nullable=True),
    public("part_of_operation", Boolean, nullable=False),
    private("operation_name"),
    private("grounds"),
    private("officer_warrant_number", String(40)),
    public("borough_code", String(9), nullable=True),
)
Index("ix_stop_search_searched_at", stop_search.c.searched_at)

use_of_force = Table(
    "use_of_force",
    metadata,
    private("internal_ref", String(40), primary_key=True),
    private("incident_ref", String(40), nullable=False),
    transformed("occurred_at", DateTime, nullable=False),
    public("borough_code", String(9), nullable=True),
    _code("location_type", "uof_location_type", nullable=False),
    transformed("easting", Float, nullable=True),
    transformed("northing", Float, nullable=True),
    private("subject_name"),
    transformed("subject_age", Integer, nullable=True),
    _code("subject_gender", "gender_code"),
    _code("subject_ethnicity", "uof_ethnicity"),
    public("physical_disability", Boolean, nullable=False),
    public("mental_disability", Boolean, nullable=False),
    public("subject_injured", Boolean, nullable=False),
    public("staff_injured", Boolean, nullable=False),
    public("impact_alcohol", Boolean, nullable=False),
    public("impact_drugs", Boolean, nullable=False),
    public("impact_mental_health", Boolean, nullable=False),
    public("impact_weapon", Boolean, nullable=False),
    _code("outcome_code", "uof_outcome", nullable=False),
    private("officer_warrant_number", String(40)),
    private("narrative"),
    comment="One row per officer and subject in an incident, as the Home Office collects it.",
)
Index("ix_use_of_force_occurred_at", use_of_force.c.occurred_at)

use_of_force_tactic = Table(
    "use_of_force_tactic",
    metadata,
    private("uof_ref", String(40), ForeignKey("use_of_force.internal_ref"), primary_key=True),
    public("tactic_order", Integer, primary_key=True, autoincrement=False),
    _code("tactic_code", "uof_tactic", nullable=False),
    public("effective", Boolean, nullable=False),
    _code("ced_mode", "uof_ced_mode"),
)

# Lookup tables and their contents, in the order they must be loaded.
LOOKUP_CONTENTS: tuple[tuple[Table, tuple[lookups.Code, ...]], ...] = (
    (force, lookups.FORCES),
    (asb_type, lookups.ASB_TYPES),
    (outcome_code, lookups.OUTCOMES),
    (search_type, lookups.SEARCH_TYPES),
    (legislation_code, lookups.LEGISLATION),
    (search_object, lookups.SEARCH_OBJECTS),
    (search_outcome, lookups.SEARCH_OUTCOMES),
    (gender_code, lookups.GENDERS),
    (sde_code, lookups.SELF_DEFINED_ETHNICITIES),
    (ic_code, lookups.IC_CODES),
    (uof_location_type, lookups.UOF_LOCATION_TYPES),
    (uof_tactic, lookups.UOF_TACTICS),
    (uof_ced_mode, lookups.UOF_CED_MODES),
    (uof_outcome, lookups.UOF_OUTCOMES),
    (uof_ethnicity, lookups.UOF_ETHNICITIES),
)

# Tables the mappings' lookup transform may use: internal code -> published value.
LOOKUP_TABLES = (*(t.name for t, _codes in LOOKUP_CONTENTS), "offence_code")

RECORD_TABLES = (crime_report, crime_outcome, anti_social_behaviour, stop_search, use_of_force, use_of_force_tactic)


def lookup_rows() -> dict[Table, list[dict]]:
    """Every reference table's rows, ready to insert."""
    rows: dict[Table, list[dict]] = {table: [c._asdict() for c in codes] for table, codes in LOOKUP_CONTENTS}
    rows[offence_code] = [
        {"code": o.ho_code, "description": o.description, "internal_class": o.internal_class, "published": o.category}
        for o in lookups.OFFENCES
    ]
    rows[borough] = [{"gss_code": gss, "name": name} for gss, name in lookups.BOROUGHS]
    return rows


def private_columns() -> list[Column]:
    """Every column, in every table, that must never be published."""
    return [c for t in metadata.sorted_tables for c in t.columns if c.info.get("disclosure") == PRIVATE]
