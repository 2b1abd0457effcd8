"""The published tables of a release: what the JSON API serves and the dumps are cut from.

One table per published record type; their columns are the mappings' field names plus
what a map point adds (LSOA, borough). They hold published values only, so everything
built from them (RDF, CSV, JSON) can only ever carry what a mapping publishes.

A record's ``street_name`` and ``*_label`` columns are what its source said where that
can differ from its map point's name or its concept's label (archive files: "DUNOLLIE
PLACE" at a point named "Dunollie Place", "Violent crime" for ``violent-crime``); null,
the record has none of its own and the map point's name and the code's label stand.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

map_point = Table(
    "map_point",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("street_name", Text, nullable=False),
    Column("lsoa_code", String(9)),
    Column("lsoa_name", Text),
    Column("borough_code", String(9)),
)

lsoa = Table(
    "lsoa",
    metadata,
    Column("code", String(9), primary_key=True),
    Column("name", Text, nullable=False),
    Column("borough_code", String(9)),
)

street = Table(
    "street",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("record", String(40), nullable=False),
    Column("persistent_id", String(64), nullable=False),
    Column("category", String(40), nullable=False),
    Column("month", String(7), nullable=False),
    Column("map_point", Integer),
    Column("force", String(40), nullable=False),
    Column("lsoa_code", String(9)),
    Column("borough_code", String(9)),
    Column("last_outcome", String(60)),
    Column("last_outcome_month", String(7)),
    Column("street_name", Text),
    Column("category_label", Text),
    Column("last_outcome_label", Text),
    comment="Street-level crime and anti-social behaviour.",
)
Index("ix_street_month_category", street.c.month, street.c.category)
Index("ix_street_point_month", street.c.map_point, street.c.month)
Index("ix_street_persistent_id", street.c.persistent_id)
Index("ix_street_borough_month", street.c.borough_code, street.c.month)
Index("ix_street_lsoa", street.c.lsoa_code)

crime_outcome = Table(
    "crime_outcome",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("crime_id", BigInteger, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("category", String(60), nullable=False),
    Column("month", String(7), nullable=False),
    Column("street_name", Text),
    Column("category_label", Text),
)
Index("ix_outcome_crime", crime_outcome.c.crime_id, crime_outcome.c.seq)
Index("ix_outcome_month", crime_outcome.c.month)

stop_search = Table(
    "stop_search",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("datetime", String(25), nullable=False),
    Column("month", String(7), nullable=False),
    Column("type", Text, nullable=False),
    Column("map_point", Integer),
    Column("lsoa_code", String(9)),
    Column("borough_code", String(9)),
    Column("legislation", Text),
    Column("object_of_search", Text),
    Column("outcome", Text),
    Column("outcome_linked_to_object_of_search", Boolean),
    Column("removal_of_more_than_outer_clothing", Boolean),
    Column("operation", Boolean),
    Column("gender", Text),
    Column("age_range", Text),
    Column("self_defined_ethnicity", Text),
    Column("officer_defined_ethnicity", Text),
    Column("force", String(40), nullable=False),
)
Index("ix_stop_month", stop_search.c.month)
Index("ix_stop_point_month", stop_search.c.map_point, stop_search.c.month)
Index("ix_stop_borough_month", stop_search.c.borough_code, stop_search.c.month)
Index("ix_stop_lsoa", stop_search.c.lsoa_code)

use_of_force = Table(
    "use_of_force",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("month", String(7), nullable=False),
    Column("borough", String(9)),
    Column("location_type", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("subject_injured", Boolean, nullable=False),
    Column("staff_injured", Boolean, nullable=False),
    Column("impact_alcohol", Boolean, nullable=False),
    Column("impact_drugs", Boolean, nullable=False),
    Column("impact_mental_health", Boolean, nullable=False),
    Column("impact_weapon", Boolean, nullable=False),
    Column("perceived_ethnicity", Text),
    Column("age_band", Text),
    Column("gender", Text),
    Column("physical_disability", Boolean, nullable=False),
    Column("mental_disability", Boolean, nullable=False),
)
Index("ix_uof_month_borough", use_of_force.c.month, use_of_force.c.borough)

use_of_force_tactic = Table(
    "use_of_force_tactic",
    metadata,
    Column("uof_id", BigInteger, primary_key=True, autoincrement=False),
    Column("order", Integer, primary_key=True, autoincrement=False),
    Column("tactic", Text, nullable=False),
    Column("effective", Boolean, nullable=False),
    Column("ced_mode", Text),
)

# Which table each record type is published into, and the field that is its id.
TABLE_OF_RECORD = {
    "RecordedCrime": (street, "crime_id"),
    "AntiSocialBehaviourIncident": (street, "asb_id"),
    "CrimeOutcome": (crime_outcome, "outcome_id"),
    "StopAndSearch": (stop_search, "stop_id"),
    "UseOfForce": (use_of_force, "uof_id"),
    "TacticUse": (use_of_force_tactic, None),
}

# The SQLite R*Tree over map points, for radius, box and polygon queries.
RTREE_DDL = "CREATE VIRTUAL TABLE map_point_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon)"
RTREE_FILL = "INSERT INTO map_point_rtree SELECT id, latitude, latitude, longitude, longitude FROM map_point"
