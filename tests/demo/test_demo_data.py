"""Invariants of the demo internal tables built from the real published files.

They hold on every backend: the records reproduce the published files once the
published values are looked up, every private value carries the marker, and the
invented exact places, times and dates of birth agree with what was published.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from scipy.spatial import cKDTree
from sqlalchemy import func, select

from gateway.demo.invent import CANARY
from gateway.demo.mappoints import MAX_OFFSET_M
from gateway.internal import lookups, schema

LONDON = ZoneInfo("Europe/London")
CATEGORY_OF_OFFENCE = {o.ho_code: o.category for o in lookups.OFFENCES}
OUTCOME_OF_CODE = {c.code: c.published for c in lookups.OUTCOMES}
FORCE_OF_CODE = {c.code: c.published for c in lookups.FORCES}


def rows(engine, table, *columns):
    with engine.connect() as conn:
        return conn.execute(select(*(table.c[c] for c in columns)) if columns else select(table)).all()


def month(moment) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def test_street_records_per_month_and_category_equal_the_files(demo_engine, sources):
    published = Counter((r.force, r.month, r.category) for r in sources.street)
    built = Counter(
        (FORCE_OF_CODE[force], month(at), CATEGORY_OF_OFFENCE[offence])
        for at, offence, force in rows(demo_engine, schema.crime_report, "recorded_at", "offence_code", "force_code")
    )
    built.update(
        (FORCE_OF_CODE[force], month(at), "anti-social-behaviour")
        for at, force in rows(demo_engine, schema.anti_social_behaviour, "reported_at", "force_code")
    )
    assert built == published
    assert sum(published.values()) == 27_422 + 9_470  # the README's row counts


def test_crime_times_fall_in_their_month_in_utc_and_london_time(demo_engine):
    for (recorded_at,) in rows(demo_engine, schema.crime_report, "recorded_at"):
        assert month(recorded_at) == month(recorded_at.replace(tzinfo=UTC).astimezone(LONDON))


def test_persistent_ids_are_the_published_ones(demo_engine, sources):
    published = Counter(r.crime_id for r in sources.street if r.crime_id)
    built = Counter(pid for (pid,) in rows(demo_engine, schema.crime_report, "persistent_id"))
    assert built == published


def has_marker(engine, column):
    """Case-sensitive search: public data holds "Canary Wharf", never "CANARY"."""
    position = func.instr if engine.dialect.name == "sqlite" else func.strpos
    return position(column, CANARY) > 0


def test_every_private_value_carries_the_marker(demo_engine):
    with demo_engine.connect() as conn:
        for column in schema.private_columns():
            total, marked = conn.execute(
                select(func.count(column), func.count(column).filter(has_marker(demo_engine, column)))
            ).one()
            assert total > 0, f"{column} holds no values to test leaks with"
            assert marked == total, f"{column}: {total - marked} values without {CANARY}"


def test_no_public_value_carries_the_marker(demo_engine):
    with demo_engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            for column in table.columns:
                if column.info["disclosure"] != schema.PRIVATE and column.type.python_type is str:
                    hits = conn.execute(select(func.count()).where(has_marker(demo_engine, column))).scalar()
                    assert hits == 0, column


@pytest.fixture(scope="module")
def map_points(demo_engine):
    points = rows(demo_engine, schema.map_point, "id", "latitude", "longitude", "easting", "northing")
    ids = [p.id for p in points]
    keys = [(round(p.latitude, 6), round(p.longitude, 6)) for p in points]
    tree = cKDTree(np.array([(p.easting, p.northing) for p in points]))
    return ids, keys, tree


def snapped(map_points, located):
    """For each exact location: the published coordinates it snaps to, and how far away."""
    _ids, keys, tree = map_points
    distance, nearest = tree.query(np.array(located, dtype=float))
    return [keys[i] for i in nearest], distance


def test_crime_locations_snap_back_to_their_published_points(demo_engine, sources, map_points):
    published = Counter((r.month, r.point.key if r.point else None) for r in sources.street)
    records = rows(demo_engine, schema.crime_report, "recorded_at", "easting", "northing")
    records += rows(demo_engine, schema.anti_social_behaviour, "reported_at", "easting", "northing")
    located = [r for r in records if r.easting is not None]
    keys, distance = snapped(map_points, [(r.easting, r.northing) for r in located])
    assert distance.max() <= MAX_OFFSET_M + 1, "an exact location strays too far from its map point"
    assert np.median(distance) > 1, "exact locations should not sit on the map points"
    built = Counter((month(r[0]), k) for r, k in zip(located, keys, strict=True))
    built.update((month(r[0]), None) for r in records if r.easting is None)
    assert built == published


def test_stops_reproduce_the_published_values(demo_engine, sources, map_points):
    def published_of(codes):
        return {c.code: c.published for c in codes}

    lookup = {
        "search_type": published_of(lookups.SEARCH_TYPES),
        "gender_code": published_of(lookups.GENDERS),
        "sde_code": published_of(lookups.SELF_DEFINED_ETHNICITIES),
        "ic_code": published_of(lookups.IC_CODES),
        "legislation_code": published_of(lookups.LEGISLATION),
        "object_code": published_of(lookups.SEARCH_OBJECTS),
        "outcome_code": published_of(lookups.SEARCH_OUTCOMES),
    }
    records = rows(demo_engine, schema.stop_search)
    located = [r for r in records if r.easting is not None]
    keys, distance = snapped(map_points, [(r.easting, r.northing) for r in located])
    assert distance.max() <= MAX_OFFSET_M + 1
    key_of = {id(r): k for r, k in zip(located, keys, strict=True)}

    def band(dob: date | None, on: date) -> str | None:
        if dob is None:
            return None
        age = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
        return next(b for b, lo, hi in lookups.STOP_AGE_BANDS if lo <= age <= hi)

    built = Counter(
        (
            r.searched_at,
            lookup["search_type"][r.search_type],
            key_of.get(id(r)),
            lookup["gender_code"].get(r.gender_code),
            band(r.subject_dob, r.searched_at.date()),
            lookup["sde_code"].get(r.sde_code),
            lookup["ic_code"].get(r.ic_code),
            lookup["legislation_code"].get(r.legislation_code),
            lookup["object_code"].get(r.object_code),
            lookup["outcome_code"].get(r.outcome_code),
            r.part_of_operation,
        )
        for r in records
    )
    published = Counter(
        (
            s.searched_at,
            s.search_type,
            s.point.key if s.point else None,
            s.gender,
            s.age_range,
            s.self_defined_ethnicity,
            s.officer_defined_ethnicity,
            s.legislation,
            s.object_of_search,
            s.outcome,
            s.part_of_operation,
        )
        for s in sources.stops
    )
    assert built == published
    assert len(records) == 12_447


def test_dates_of_birth_fall_in_the_published_age_band(demo_engine, sources):
    with_dob = [r for r in rows(demo_engine, schema.stop_search, "searched_at", "subject_dob") if r.subject_dob]
    assert len(with_dob) == sum(1 for s in sources.stops if s.age_range)
    for searched_at, dob in with_dob:
        assert dob < searched_at.date()
        assert 5 <= (searched_at.date() - dob).days // 366 <= 85


def test_outcome_histories_reproduce_the_outcomes_files(demo_engine, sources):
    with demo_engine.connect() as conn:
        history = conn.execute(
            select(
                schema.crime_report.c.internal_ref,
                schema.crime_report.c.persistent_id,
                schema.crime_report.c.recorded_at,
                schema.crime_report.c.force_code,
                schema.crime_outcome.c.outcome_code,
                schema.crime_outcome.c.outcome_date,
                schema.crime_outcome.c.internal_ref.label("outcome_ref"),
            ).join(schema.crime_outcome)
        ).all()
    covered = {(o.force, o.month) for o in sources.outcomes}
    built = Counter(
        (h.persistent_id, month(h.outcome_date), OUTCOME_OF_CODE[h.outcome_code])
        for h in history
        if (FORCE_OF_CODE[h.force_code], month(h.outcome_date)) in covered
    )
    published = Counter((o.crime_id, o.month, o.outcome) for o in sources.outcomes)
    assert built == published
    assert all(h.outcome_date >= h.recorded_at.date() for h in history)

    last: dict[str, tuple] = {}
    for h in sorted(history, key=lambda h: (h.outcome_date, h.outcome_ref)):
        last[h.internal_ref] = (h.persistent_id, OUTCOME_OF_CODE[h.outcome_code])
    assert Counter(last.values()) == Counter((r.crime_id, r.last_outcome) for r in sources.street if r.last_outcome)


def test_map_points_carry_names_lsoas_and_boroughs(demo_engine, sources):
    points = rows(demo_engine, schema.map_point)
    distinct = {r.point.key for r in sources.street if r.point} | {s.point.key for s in sources.stops if s.point}
    assert len(points) == len(distinct)
    assert len({p.id for p in points}) == len(points)
    with_lsoa = [p for p in points if p.lsoa_code]
    assert len(with_lsoa) / len(points) > 0.99
    boroughs = {b for (b,) in rows(demo_engine, schema.map_point, "borough_code") if b}
    assert len(boroughs) == 33  # City of London and the 32 boroughs the Met polices


def test_use_of_force_is_synthesised_per_met_month(demo_engine):
    uof = rows(demo_engine, schema.use_of_force)
    per_month = Counter(month(r.occurred_at) for r in uof)
    assert set(per_month) == {"2022-09", "2024-01", "2024-02"}
    assert all(1_500 <= n <= 1_502 for n in per_month.values())
    assert all(r.borough_code and r.borough_code != "E09000001" for r in uof)
    incidents = Counter(r.incident_ref for r in uof)
    assert 1 < len(uof) / len(incidents) < 2, "several officers per incident, on average fewer than two"
    tactics = rows(demo_engine, schema.use_of_force_tactic)
    per_row = Counter(t.uof_ref for t in tactics)
    assert set(per_row) == {r.internal_ref for r in uof}, "every use of force records at least one tactic"
    assert all((t.ced_mode is not None) == (t.tactic_code == "TSR") for t in tactics)
    ethnicity = Counter(r.subject_ethnicity for r in uof)
    assert ethnicity.most_common(2)[0][0] == "PW" and ethnicity["PB"] > ethnicity["PA"]


def test_same_seed_gives_the_same_records(tmp_path):
    from gateway.demo.build import build_demo_data
    from gateway.internal.database import make_engine

    dumps = []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name}.sqlite"
        build_demo_data(url, seed=7)
        engine = make_engine(url)
        with engine.connect() as conn:
            dumps.append(
                {
                    t.name: sorted(map(tuple, conn.execute(select(t)).all()), key=repr)
                    for t in (*schema.RECORD_TABLES, schema.map_point)
                }
            )
        engine.dispose()
    assert dumps[0] == dumps[1]


def test_a_crime_published_without_a_crime_id_gets_an_internal_one(tmp_path):
    """Met files of 2010-12 to 2011-11 give crimes no Crime ID; the internal tables hold one."""
    from gateway.demo.build import build_demo_data
    from gateway.internal.database import make_engine
    from tests.archive.conftest import NO_ID_MET_STREET, STREET, write

    write(tmp_path / "files", "2011-01-metropolitan-street.csv", STREET, NO_ID_MET_STREET)
    url = f"sqlite:///{tmp_path / 'internal.sqlite'}"
    build_demo_data(url, sources_dir=tmp_path / "files")
    engine = make_engine(url)
    ids = [pid for (pid,) in rows(engine, schema.crime_report, "persistent_id")]
    outcomes = rows(engine, schema.crime_outcome)
    engine.dispose()
    assert len(ids) == len(set(ids)) == 4 and all(len(pid) == 64 and int(pid, 16) >= 0 for pid in ids)
    assert outcomes == [], "a month before outcomes were published"
