"""The archive tables: data.police.uk archive files, imported for the publish pipeline.

A folder of archive CSVs is imported into these tables (a temporary SQLite database) and
published through the archive mappings (``mappings/archive/``) by the same pipeline as the
internal tables. They have the reference tables the pipeline expects of a source
(``map_point``, ``lsoa``, ``extract_info`` and code/published lookup tables).

The files are already anonymised, so records keep the published values: months, the
labels and each row's location name as the files have them (the lookup tables say what
each label stands for), and for a
published point the British National Grid position of its map point, so that snapping
it gives that same map point back. Every column is ``public`` but those positions, which
are ``transform`` like any exact place: only the snap transform may read them.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, Float, Integer, MetaData, String, Table, Text

from gateway.internal.schema import public, transformed

metadata = MetaData()


def position(name: str) -> Column:
    """A map point's easting or northing: published only through the snap transform."""
    return transformed(name, Float, nullable=True)


def _lookup_table(name: str, doc: str) -> Table:
    return Table(
        name,
        metadata,
        public("code", Text, primary_key=True, comment="the label as the archive files have it"),
        public("published", Text, nullable=False),
        comment=doc,
    )


# --- Lookup tables: each label found in the files, and what it is published as -----------

force = _lookup_table("force", "Forces: the name in the files, and the data.police.uk force id.")
crime_category = _lookup_table("crime_category", "Crime types: the category slug.")
crime_outcome = _lookup_table("crime_outcome", "Crime outcomes: the outcome code.")
search_type = _lookup_table("search_type", "Stop and search types: the label itself.")
search_power = _lookup_table("search_power", "Legislation: the label itself.")
search_object = _lookup_table("search_object", "Objects of search: the label itself.")
search_outcome = _lookup_table("search_outcome", "Stop and search outcomes: the label itself.")
gender = _lookup_table("gender", "Genders: the label itself.")
age_range = _lookup_table("age_range", "Stop and search age ranges: the label itself.")
self_defined_ethnicity = _lookup_table("self_defined_ethnicity", "Self-defined ethnicity: the label itself.")
officer_defined_ethnicity = _lookup_table("officer_defined_ethnicity", "Officer-defined ethnicity: the label itself.")

LOOKUP_TABLES = (
    "force",
    "crime_category",
    "crime_outcome",
    "search_type",
    "search_power",
    "search_object",
    "search_outcome",
    "gender",
    "age_range",
    "self_defined_ethnicity",
    "officer_defined_ethnicity",
)

# --- Reference tables ------------------------------------------------------------------

lsoa = Table(
    "lsoa",
    metadata,
    public("code", String(9), primary_key=True),
    public("name", Text, nullable=False),
    public("borough_code", String(9), nullable=True),
)

map_point = Table(
    "map_point",
    metadata,
    public("id", Integer, primary_key=True, autoincrement=False),
    public("latitude", Float, nullable=False),
    public("longitude", Float, nullable=False),
    public("easting", Float, nullable=False),
    public("northing", Float, nullable=False),
    public("street_name", Text, nullable=False),
    public("lsoa_code", String(9), nullable=True),
    public("borough_code", String(9), nullable=True),
    comment="Every distinct published coordinate of the imported files.",
)

extract_info = Table(
    "extract_info",
    metadata,
    public("key", String(64), primary_key=True),
    public("value", Text, nullable=False),
    comment="Which folder was imported, and when.",
)

# --- Records ---------------------------------------------------------------------------
# ``row_key`` is a key made at import from the row's content, so that importing the same
# files again gives the same published ids: "crime:<Crime ID>#<n>" (the n-th row with
# that Crime ID; a crime without one has the id the import made it), and for anti-social
# behaviour a hash of the row's values with its own count.


LOCATION_NAME = "the row's Location after 'On or near ', as the file has it; null without a location"


def _street_columns() -> list[Column]:
    return [
        public("row_key", Text, primary_key=True),
        public("month", Date, nullable=False, comment="the first day of the published month"),
        public("force", Text, nullable=False),
        position("easting"),
        position("northing"),
        public("lsoa_code", String(9), nullable=True),
        public("borough_code", String(9), nullable=True),
        public("crime_type", Text, nullable=False),
        public("street_name", Text, nullable=True, comment=LOCATION_NAME),
    ]


archive_crime = Table(
    "archive_crime",
    metadata,
    *_street_columns(),
    public("persistent_id", String(64), nullable=False, comment="the Crime ID, or one the import made"),
    public("last_outcome", Text, nullable=True),
    public(
        "last_outcome_month",
        Date,
        nullable=True,
        comment="the latest outcomes-file month with that outcome, else of any outcome, else the crime's month",
    ),
    comment="Street-file rows of recorded crime.",
)

archive_asb = Table(
    "archive_asb",
    metadata,
    *_street_columns(),
    comment="Street-file rows of anti-social behaviour.",
)

archive_outcome = Table(
    "archive_outcome",
    metadata,
    public("row_key", Text, primary_key=True),
    public("crime_key", Text, nullable=False, comment="the row_key of the crime's (first) street row"),
    public("month", Date, nullable=False),
    public("outcome_type", Text, nullable=False),
    public("street_name", Text, nullable=True, comment=LOCATION_NAME),
    public("seq", Integer, nullable=False, comment="the order the files have the rows in"),
    comment="Outcomes-file rows.",
)

archive_stop = Table(
    "archive_stop",
    metadata,
    public("row_key", Text, primary_key=True),
    public("searched_at", DateTime, nullable=False, comment="UTC"),
    public("force", Text, nullable=False),
    public("search_type", Text, nullable=False),
    public("part_of_operation", Boolean, nullable=True, comment="null where the file leaves it empty"),
    position("easting"),
    position("northing"),
    public("gender", Text, nullable=True),
    public("age_range", Text, nullable=True),
    public("self_defined_ethnicity", Text, nullable=True),
    public("officer_defined_ethnicity", Text, nullable=True),
    public("legislation", Text, nullable=True),
    public("object_of_search", Text, nullable=True),
    public("outcome", Text, nullable=True),
    public("outcome_linked_to_object", Boolean, nullable=True),
    public("outer_clothing_removed", Boolean, nullable=True),
    comment="Stop-and-search-file rows.",
)
