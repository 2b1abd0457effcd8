"""The internal schema: disclosure classes, and a real round trip on every backend."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import inspect, select

from gateway.internal import lookups, schema
from gateway.internal.database import make_engine
from tests.conftest import BACKENDS


def test_every_column_has_a_disclosure_class():
    for table in schema.metadata.sorted_tables:
        for column in table.columns:
            assert column.info.get("disclosure") in {schema.PRIVATE, schema.TRANSFORM, schema.PUBLIC}, column


@pytest.mark.parametrize(
    "column",
    [
        "crime_report.internal_ref",
        "crime_report.victim_name",
        "crime_report.suspect_name",
        "crime_report.address",
        "crime_report.narrative",
        "crime_report.officer_warrant_number",
        "crime_outcome.suspect_ref",
        "stop_search.subject_name",
        "stop_search.operation_name",
        "stop_search.officer_warrant_number",
        "use_of_force.subject_name",
        "use_of_force.officer_warrant_number",
        "anti_social_behaviour.reporter_name",
    ],
)
def test_names_narratives_and_references_are_private(column):
    assert column in {f"{c.table.name}.{c.name}" for c in schema.private_columns()}


@pytest.mark.parametrize(
    "column",
    ["crime_report.recorded_at", "crime_report.easting", "stop_search.subject_dob", "use_of_force.subject_age"],
)
def test_exact_times_places_and_ages_need_a_transform(column):
    table, name = column.split(".")
    assert schema.metadata.tables[table].c[name].info["disclosure"] == schema.TRANSFORM


def test_internal_codes_differ_from_published_values():
    for _table, codes in schema.LOOKUP_CONTENTS:
        for code in codes:
            assert code.code != code.published, code
    for offence in lookups.OFFENCES:
        assert offence.ho_code != offence.category and offence.internal_class != offence.category
    published = {c.published for c in lookups.OUTCOMES}
    assert published == set(lookups.OUTCOME_LABELS.values()), "every published outcome has an internal code"


@pytest.mark.parametrize("scratch_database", BACKENDS, indirect=True)
def test_schema_round_trip(scratch_database):
    engine = make_engine(scratch_database)
    try:
        with engine.begin() as conn:
            schema.metadata.create_all(conn)
            for table, rows in schema.lookup_rows().items():
                conn.execute(table.insert(), rows)
            conn.execute(
                schema.crime_report.insert(),
                {
                    "internal_ref": "CANARY-CR-2024-0000001",
                    "persistent_id": "a" * 64,
                    "recorded_at": datetime(2024, 1, 5, 13, 45, 12),
                    "offence_code": "28E",
                    "internal_class": "BURG/RES",
                    "force_code": "MPS",
                    "easting": 530000.0,
                    "northing": 180000.0,
                    "address": "CANARY 1 High Street",
                    "victim_name": "CANARY A Person",
                    "suspect_name": None,
                    "officer_warrant_number": "CANARY-123456",
                    "narrative": "CANARY text",
                    "marker_domestic_abuse": False,
                    "marker_sexual_offence": False,
                    "marker_hate_crime": True,
                    "marker_restricted": False,
                    "lsoa_code": None,
                    "borough_code": "E09000033",
                },
            )
            conn.execute(
                schema.crime_outcome.insert(),
                {
                    "internal_ref": "CANARY-OC-2024-0000001",
                    "crime_ref": "CANARY-CR-2024-0000001",
                    "outcome_code": "OT18",
                    "outcome_date": date(2024, 2, 1),
                    "suspect_ref": None,
                    "officer_warrant_number": "CANARY-123456",
                },
            )
        with engine.connect() as conn:
            crime = conn.execute(select(schema.crime_report)).one()
            assert crime.recorded_at == datetime(2024, 1, 5, 13, 45, 12)
            assert crime.marker_hate_crime is True
            joined = conn.execute(
                select(schema.offence_code.c.published, schema.outcome_code.c.published)
                .select_from(schema.crime_report)
                .join(schema.offence_code)
                .join(schema.crime_outcome)
                .join(schema.outcome_code)
            ).one()
            assert tuple(joined) == ("burglary", "no-further-action")
            assert set(inspect(conn).get_table_names()) == set(schema.metadata.tables)
    finally:
        engine.dispose()


@pytest.mark.parametrize("scratch_database", BACKENDS, indirect=True)
def test_foreign_keys_are_enforced(scratch_database):
    from sqlalchemy.exc import IntegrityError

    engine = make_engine(scratch_database)
    try:
        with engine.begin() as conn:
            schema.metadata.create_all(conn)
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(
                schema.crime_outcome.insert(),
                {"internal_ref": "x", "crime_ref": "missing", "outcome_code": "nope", "outcome_date": date(2024, 1, 1)},
            )
    finally:
        engine.dispose()
