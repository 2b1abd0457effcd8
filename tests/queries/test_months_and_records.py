from sqlalchemy import func, select

from gateway.publish import tables
from gateway.queries import months, records
from gateway.queries.records import IN_LIST_LIMIT


def test_is_month():
    assert months.is_month("2024-01")
    for bad in ["2024-13", "2024-1", "24-01", "2024-00", "2024-01-01", ""]:
        assert not months.is_month(bad)


def test_street_months_newest_first(any_conn):
    found = months.street_months(any_conn)
    assert found == sorted(found, reverse=True)
    expected = {m for (m,) in any_conn.execute(select(tables.street.c.month).distinct())}
    assert set(found) == expected


def test_stop_forces_by_month(any_conn):
    found = months.stop_forces_by_month(any_conn)
    st = tables.stop_search
    expected = {(m, f) for m, f in any_conn.execute(select(st.c.month, st.c.force).distinct())}
    assert {(m, f) for m, forces in found.items() for f in forces} == expected


def test_street_by_points_small_and_large_lists_agree(any_conn):
    s = tables.street
    month = any_conn.execute(select(s.c.month).group_by(s.c.month).order_by(func.count().desc()).limit(1)).scalar()
    points = [p for (p,) in any_conn.execute(select(s.c.map_point).where(s.c.month == month).distinct()) if p]
    assert len(points) > IN_LIST_LIMIT  # so the large-list path runs
    few = points[:10]
    small = records.street(any_conn, month, point_ids=few)
    expected = any_conn.execute(select(func.count()).where(s.c.month == month, s.c.map_point.in_(few))).scalar()
    assert len(small) == expected
    large = records.street(any_conn, month, point_ids=points)
    located = any_conn.execute(select(func.count()).where(s.c.month == month, s.c.map_point.is_not(None))).scalar()
    assert len(large) == located
    assert all(r.latitude is not None for r in large)


def test_street_filters(any_conn):
    s = tables.street
    month = months.street_months(any_conn)[0]
    unlocated = records.street(any_conn, month, located=False, force="city-of-london", category="other-theft")
    assert all(r.map_point is None and r.category == "other-theft" for r in unlocated)
    expected = any_conn.execute(
        select(func.count()).where(
            s.c.month == month, s.c.map_point.is_(None), s.c.force == "city-of-london", s.c.category == "other-theft"
        )
    ).scalar()
    assert len(unlocated) == expected


def test_crime_and_outcomes(any_conn):
    o, s = tables.crime_outcome, tables.street
    crime_id, count = any_conn.execute(
        select(o.c.crime_id, func.count()).group_by(o.c.crime_id).having(func.count() > 1).limit(1)
    ).one()
    pid = any_conn.execute(select(s.c.persistent_id).where(s.c.id == crime_id)).scalar()
    crime, history = records.crime_and_outcomes(any_conn, pid)
    assert crime is not None and crime.persistent_id == pid
    assert len(history) >= count and crime_id in {h.crime_id for h in history}
    assert [(h.month, h.crime_id, h.seq) for h in history] == sorted((h.month, h.crime_id, h.seq) for h in history)
    assert records.crime_and_outcomes(any_conn, "") == (None, [])  # ASB incidents have no persistent id
    assert records.crime_and_outcomes(any_conn, "0" * 64) == (None, [])


def test_outcomes_belong_to_the_persistent_id(any_conn):
    """Crimes sharing a persistent id (the demo has such, as real files do) share one history."""
    o, s = tables.crime_outcome, tables.street
    shared = (
        select(s.c.persistent_id)
        .join(o, o.c.crime_id == s.c.id)
        .group_by(s.c.persistent_id)
        .having(func.count(s.c.id.distinct()) > 1)
        .limit(1)
    )
    pid = any_conn.execute(shared).scalar()
    crime, history = records.crime_and_outcomes(any_conn, pid)
    holders = any_conn.execute(select(o.c.crime_id).join(s, s.c.id == o.c.crime_id).where(s.c.persistent_id == pid))
    holders = [h for (h,) in holders]
    assert len(set(holders)) > 1 and sorted(h.crime_id for h in history) == sorted(holders)
    assert crime.id == history[0].crime_id, "the crime whose outcome begins the history"


def test_outcomes_in_month_carry_their_crime(any_conn):
    o = tables.crime_outcome
    month = any_conn.execute(select(o.c.month).group_by(o.c.month).order_by(func.count().desc()).limit(1)).scalar()
    rows = records.outcomes(any_conn, month)
    assert len(rows) == any_conn.execute(select(func.count()).where(o.c.month == month)).scalar()
    assert all(r.c_id == r.crime_id and r.month == month for r in rows)


def test_stops(any_conn):
    st = tables.stop_search
    month = any_conn.execute(select(st.c.month).limit(1)).scalar()
    everything = records.stops(any_conn, month, force="metropolitan")
    unlocated = records.stops(any_conn, month, located=False, force="metropolitan")
    assert 0 < len(unlocated) < len(everything)
    assert [r.datetime for r in everything] == sorted(r.datetime for r in everything)
    assert records.stops(any_conn, month, force="kent") == []
