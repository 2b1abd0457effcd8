"""Months: parsing ``YYYY-MM`` and what a release holds."""

from __future__ import annotations

import re

from sqlalchemy import Connection, select

from gateway.publish import tables

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def is_month(value: str) -> bool:
    """Whether ``value`` is a month written ``YYYY-MM``."""
    return bool(_MONTH.match(value))


def street_months(conn: Connection) -> list[str]:
    """Every month with street-level crime or anti-social behaviour, newest first."""
    s = tables.street
    return [m for (m,) in conn.execute(select(s.c.month).distinct().order_by(s.c.month.desc()))]


def stop_forces_by_month(conn: Connection) -> dict[str, list[str]]:
    """For each month with stop and search, the forces that published it (sorted)."""
    st = tables.stop_search
    found: dict[str, list[str]] = {}
    for month, force in conn.execute(select(st.c.month, st.c.force).distinct().order_by(st.c.month, st.c.force)):
        found.setdefault(month, []).append(force)
    return found
