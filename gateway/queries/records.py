"""Published records by month, map points, force and category.

Rows come back as SQLAlchemy rows with the published tables' column names; located rows
carry their map point's ``latitude`` and ``longitude`` and a ``street_name``: the record's
own where it has one (archive records), else its map point's (outer join: ``None`` when
the record has no location).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Connection, Row, Select, Table, func, select

from gateway.publish import tables
from gateway.publish.persistent_ids import is_police_uk_id

# Above this many map points, one pass over the month filtered in Python beats an IN list
# (and stays clear of the database's limit on bound parameters).
IN_LIST_LIMIT = 500
# Map point ids are an INTEGER column of the published tables (32 bits in PostgreSQL). A
# larger number names no map point, and would overflow the database driver: it matches none.
MAX_POINT_ID = 2**31 - 1

_mp = tables.map_point
_POINT_COLUMNS = (_mp.c.latitude, _mp.c.longitude, _mp.c.street_name)
_OWN_NAME = "street_name"


def _own(table: Table) -> list:
    """A record table's columns, but its own location name (see :func:`_located`)."""
    return [c for c in table.c if c.name != _OWN_NAME]


def _located(table: Table) -> tuple:
    """The map point's position, and the record's own location name or else its point's."""
    name = func.coalesce(table.c.street_name, _mp.c.street_name).label("street_name")
    return (_mp.c.latitude, _mp.c.longitude, name)


def _restrict(statement: Select, column, point_ids: Collection[int] | None) -> tuple[Select, set[int] | None]:
    if point_ids is None:
        return statement, None
    point_ids = [p for p in point_ids if 0 <= p <= MAX_POINT_ID]
    if len(point_ids) <= IN_LIST_LIMIT:
        return statement.where(column.in_(list(point_ids))), None
    return statement.where(column.is_not(None)), set(point_ids)


def _run(conn: Connection, statement: Select, keep: set[int] | None, attribute: str) -> list[Row]:
    rows = conn.execute(statement).all()
    if keep is None:
        return rows
    return [r for r in rows if getattr(r, attribute) in keep]


def street(
    conn: Connection,
    month: str,
    *,
    point_ids: Collection[int] | None = None,
    located: bool | None = None,
    force: str | None = None,
    category: str | None = None,
) -> list[Row]:
    """Street-level crimes and ASB of a month, in id order."""
    s = tables.street
    statement = select(*_own(s), *_located(s)).outerjoin(_mp, _mp.c.id == s.c.map_point).where(s.c.month == month)
    if located is not None:
        statement = statement.where(s.c.map_point.is_not(None) if located else s.c.map_point.is_(None))
    if force is not None:
        statement = statement.where(s.c.force == force)
    if category is not None:
        statement = statement.where(s.c.category == category)
    statement, keep = _restrict(statement.order_by(s.c.id), s.c.map_point, point_ids)
    return _run(conn, statement, keep, "map_point")


def crime_and_outcomes(conn: Connection, persistent_id: str) -> tuple[Row | None, Sequence[Row]]:
    """The recorded crime a data.police.uk persistent id names, and the id's outcome history.

    Outcomes belong to the persistent id, as on data.police.uk: where several recorded
    crimes share one (real files have such street rows), the history is the outcomes of
    every one of them, oldest first, and the crime is the one whose outcome starts it (for
    an archive release, the first street row with the id, which holds them all); with no
    outcomes, the crime of the earliest month (the lowest id). None for an id of another
    kind: ASB incidents have none, and an id the gateway made is not one of data.police.uk.
    """
    if not is_police_uk_id(persistent_id):
        return None, []
    s, o = tables.street, tables.crime_outcome
    crimes = s.c.persistent_id == persistent_id, s.c.record == "RecordedCrime"
    history = conn.execute(
        select(o).join(s, s.c.id == o.c.crime_id).where(*crimes).order_by(o.c.month, o.c.crime_id, o.c.seq)
    ).all()
    statement = select(*_own(s), *_located(s)).outerjoin(_mp, _mp.c.id == s.c.map_point)
    if history:
        statement = statement.where(s.c.id == history[0].crime_id)
    else:
        statement = statement.where(*crimes).order_by(s.c.month, s.c.id)
    return conn.execute(statement).first(), history


def outcomes(conn: Connection, month: str, *, point_ids: Collection[int] | None = None) -> list[Row]:
    """Outcomes recorded in a month, each with its crime (``c_*`` columns) and map point."""
    o, s = tables.crime_outcome, tables.street
    crime_columns = [c.label(f"c_{c.name}") for c in _own(s)]
    statement = (
        select(*_own(o), *crime_columns, *_located(s))
        .join(s, s.c.id == o.c.crime_id)
        .outerjoin(_mp, _mp.c.id == s.c.map_point)
        .where(o.c.month == month)
        .order_by(o.c.crime_id, o.c.seq)
    )
    statement, keep = _restrict(statement, s.c.map_point, point_ids)
    return _run(conn, statement, keep, "c_map_point")


def stops(
    conn: Connection,
    month: str,
    *,
    point_ids: Collection[int] | None = None,
    located: bool | None = None,
    force: str | None = None,
) -> list[Row]:
    """Stops and searches of a month, in time order."""
    st = tables.stop_search
    statement = select(st, *_POINT_COLUMNS).outerjoin(_mp, _mp.c.id == st.c.map_point).where(st.c.month == month)
    if located is not None:
        statement = statement.where(st.c.map_point.is_not(None) if located else st.c.map_point.is_(None))
    if force is not None:
        statement = statement.where(st.c.force == force)
    statement, keep = _restrict(statement.order_by(st.c.datetime, st.c.id), st.c.map_point, point_ids)
    return _run(conn, statement, keep, "map_point")


def point_exists(conn: Connection, point_id: int) -> bool:
    if not 0 <= point_id <= MAX_POINT_ID:
        return False
    return conn.execute(select(_mp.c.id).where(_mp.c.id == point_id)).first() is not None
