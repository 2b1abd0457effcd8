"""The change log: it names every partition whose source rows changed, and no publish
trusts it where it cannot (another database's position, a log made again)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from gateway.demo.build import build_demo_data
from gateway.internal import changes
from gateway.internal.database import make_engine
from gateway.publish.context import INTERNAL_TABLES
from gateway.publish.partitions import changed_partitions, source_digests, tracked_tables
from gateway.publish.pipeline import DEFAULT_BASE, load_checked_mappings
from gateway.publish.reuse import Work
from mappings import INTERNAL
from tests.conftest import BACKENDS

KEY = b"change-log-test"


@pytest.fixture(params=BACKENDS)
def logged(request, scratch_database):
    """A demo internal database with its change log (new, empty)."""
    request.node.callspec  # noqa: B018 (the backend is the scratch database's)
    build_demo_data(scratch_database)
    engine = make_engine(scratch_database)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def mappings():
    return load_checked_mappings(INTERNAL, DEFAULT_BASE)


def _digests(engine, mappings, months=None):
    return source_digests(engine, mappings, INTERNAL_TABLES.metadata, KEY, workers=1, months=months)


def _one(conn, sql: str):
    return conn.execute(text(sql)).scalar_one()


# Changes of every kind, each with the partitions it touches (the demo's months, London time).
CHANGES = [
    # an outcome revised: its crime's month (whatever the outcome's own month)
    (
        "UPDATE crime_outcome SET outcome_code = (SELECT min(code) FROM outcome_code) WHERE internal_ref = "
        "(SELECT min(o.internal_ref) FROM crime_outcome o JOIN crime_report r ON r.internal_ref = o.crime_ref "
        "WHERE r.recorded_at >= '2023-03-10' AND r.recorded_at < '2023-03-20')",
        {"street-crime/2023-03"},
    ),
    # a crime moved from one month to another: both (its outcomes move with it)
    (
        "UPDATE crime_report SET recorded_at = '2022-06-15 12:00:00' WHERE internal_ref = "
        "(SELECT min(internal_ref) FROM crime_report WHERE recorded_at >= '2023-05-10' AND recorded_at < '2023-05-20')",
        {"street-crime/2023-05", "street-crime/2022-06"},
    ),
    # a stop moved to a London month's edge (23:30 UTC on 30 September is October)
    (
        "UPDATE stop_search SET searched_at = '2022-09-30 23:30:00' WHERE internal_ref = "
        "(SELECT min(internal_ref) FROM stop_search WHERE searched_at >= '2022-09-05' AND searched_at < '2022-09-25')",
        {"stop-and-search/2022-09", "stop-and-search/2022-10"},
    ),
    # a tactic of a use of force deleted: the use of force's month
    (
        "DELETE FROM use_of_force_tactic WHERE uof_ref = (SELECT min(internal_ref) FROM use_of_force "
        "WHERE occurred_at >= '2024-01-10' AND occurred_at < '2024-01-20') AND tactic_order = 1",
        {"use-of-force/2024-01"},
    ),
]


def test_the_log_names_every_changed_partition_and_no_other(logged, mappings):
    before = _digests(logged, mappings)
    with logged.connect() as conn:
        position = changes.position(conn)
    # a new log, with only its first row: the rows written by the build are not changes
    assert position["id"] == 1
    expected: set[str] = set()
    with logged.begin() as conn:
        for sql, touched in CHANGES:
            assert conn.execute(text(sql)).rowcount >= 1, sql
            expected |= touched
    with logged.connect() as conn:
        since = changes.since(conn, position)
        assert since is not None
        named = changed_partitions(conn, mappings, INTERNAL_TABLES.metadata, since)
    assert named == expected
    after = _digests(logged, mappings)
    assert {n for n in {*before, *after} if before.get(n) != after.get(n)} == expected
    # The digests of the named partitions alone, with the others from before, are the
    # digests of every row.
    fresh = _digests(logged, mappings, Work.months_of(named))
    assert set(fresh) == named
    assert {**{n: d for n, d in before.items() if n not in named}, **fresh} == after


def test_a_new_month_and_a_whole_month_deleted(logged, mappings):
    with logged.connect() as conn:
        position = changes.position(conn)
    with logged.begin() as conn:
        conn.execute(text("DELETE FROM anti_social_behaviour WHERE reported_at < '2024-01-01'"))
        conn.execute(
            text(
                "INSERT INTO crime_report SELECT 'NEW-' || internal_ref, persistent_id, '2030-01-15 10:00:00', "
                + ", ".join(c.name for c in INTERNAL_TABLES.metadata.tables["crime_report"].columns)[
                    len("internal_ref, persistent_id, recorded_at, ") :
                ]
                + " FROM crime_report WHERE internal_ref = (SELECT min(internal_ref) FROM crime_report)"
            )
        )
    with logged.connect() as conn:
        named = changed_partitions(conn, mappings, INTERNAL_TABLES.metadata, changes.since(conn, position))
    assert "street-crime/2030-01" in named
    deleted = {n for n in named if n != "street-crime/2030-01"}
    assert deleted and all(n.startswith("street-crime/") for n in deleted)
    after = _digests(logged, mappings)
    assert "street-crime/2030-01" in after


def test_the_log_is_not_trusted_where_it_cannot_say(logged, mappings, tmp_path):
    with logged.begin() as conn:
        conn.execute(text("DELETE FROM stop_search WHERE internal_ref = (SELECT min(internal_ref) FROM stop_search)"))
    with logged.connect() as conn:
        position = changes.position(conn)
        assert position["id"] > 0 and position["token"]
        assert changes.since(conn, position) is not None
        assert changes.since(conn, None) is None  # a release made before the log
        assert changes.since(conn, {**position, "token": "0" * 16}) is None  # another database's
        assert changes.since(conn, {**position, "id": position["id"] + 5}) is None  # a position it never had
        assert changes.since(conn, {"id": "nonsense"}) is None
    # The log made again (as a rebuild of the tables does): the old positions are no one's,
    # even the one taken before any change (the tables may hold anything now).
    with logged.connect() as conn:
        first = {"id": 1, "token": conn.execute(text("SELECT token FROM gateway_change_log WHERE id = 1")).scalar()}
        first["snapshot"] = position.get("snapshot")
        first = {k: v for k, v in first.items() if v is not None}
        assert changes.since(conn, first) is not None
    changes.install(logged, tracked_tables(mappings, INTERNAL_TABLES.metadata), fresh=True)
    with logged.connect() as conn:
        assert changes.since(conn, position) is None
        assert changes.since(conn, first) is None
        assert changes.position(conn)["id"] == 1
    # A database without a log.
    other = make_engine(f"sqlite:///{tmp_path / 'none.sqlite'}")
    with other.connect() as conn:
        assert changes.position(conn) is None and changes.since(conn, position) is None
    other.dispose()


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs GATEWAY_TEST_POSTGRES_URL")
@pytest.mark.parametrize("scratch_database", ["postgresql"], indirect=True)
def test_a_transaction_that_commits_after_the_position_with_a_lower_id_is_seen(scratch_database, mappings):
    build_demo_data(scratch_database)
    engine = make_engine(scratch_database)
    try:
        late = engine.connect()
        late.execute(text("UPDATE stop_search SET searched_at = '2022-10-10 10:00:00' WHERE internal_ref = "
                          "(SELECT min(internal_ref) FROM stop_search WHERE searched_at < '2022-09-30')"))  # fmt: skip
        with engine.begin() as conn:  # a later transaction: higher ids, committed first
            first = "(SELECT min(internal_ref) FROM use_of_force WHERE occurred_at >= '2024-01-10')"
            conn.execute(text(f"DELETE FROM use_of_force_tactic WHERE tactic_order = 1 AND uof_ref = {first}"))
        with engine.connect() as conn:
            position = changes.position(conn)
        late.commit()
        late.close()
        with engine.connect() as conn:
            named = changed_partitions(conn, mappings, INTERNAL_TABLES.metadata, changes.since(conn, position))
        assert "stop-and-search/2022-10" in named  # the late transaction's change
        assert not any(n.startswith("use-of-force/") for n in named)  # seen at the position
    finally:
        engine.dispose()
