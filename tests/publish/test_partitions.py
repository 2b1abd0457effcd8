"""Partitions: the database's reading of a record's month is the transforms' reading."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Column, Date, DateTime, Integer, MetaData, Table, insert, select

from gateway.internal.database import make_engine
from gateway.publish.context import INTERNAL_TABLES
from gateway.publish.partitions import month_expression, source_digests
from gateway.publish.pipeline import DEFAULT_BASE, load_checked_mappings
from mappings import INTERNAL
from mappings.transforms import to_month
from tests.conftest import BACKENDS


def _instants() -> list[datetime]:
    """Every month's edges over years of both rules' edge cases (the last hours and the
    first hours of each month, either side of the clock changes), and ordinary times."""
    found = []
    for year in (2010, 2016, 2020, 2023, 2024, 2025):
        for month in range(1, 13):
            first = datetime(year, month, 1)
            for minutes in (-120, -61, -60, -59, -1, 0, 1, 59, 60, 61):
                found.append(first + timedelta(minutes=minutes))
            found.append(first + timedelta(days=14, hours=13, seconds=7, microseconds=250_000))
    # the clock changes themselves (last Sundays of March and October, 01:00 UTC)
    for day in (datetime(2024, 3, 31), datetime(2024, 10, 27), datetime(2023, 3, 26), datetime(2023, 10, 29)):
        found += [day + timedelta(minutes=m) for m in (59, 60, 61, 23 * 60 + 30)]
    return found


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_database_reads_every_month_as_the_transforms_do(backend, scratch_database, request):
    if backend == "postgresql":
        url = scratch_database
    else:
        url = f"sqlite:///{request.getfixturevalue('tmp_path') / 'months.sqlite'}"
    metadata = MetaData()
    table = Table("t", metadata, Column("id", Integer, primary_key=True), Column("at", DateTime), Column("on", Date))
    instants = _instants()
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            metadata.create_all(conn)
            conn.execute(insert(table), [{"id": i, "at": t, "on": t.date()} for i, t in enumerate(instants)])
            conn.execute(insert(table), [{"id": -1, "at": None, "on": None}])
            dialect = conn.dialect.name
            rows = conn.execute(
                select(table.c.id, month_expression(table.c.at, dialect), month_expression(table.c.on, dialect))
            ).all()
            metadata.drop_all(conn)
    finally:
        engine.dispose()
    by_id = {i: (at, on) for i, at, on in rows}
    assert by_id.pop(-1) == (None, None)
    wrong = [(t, by_id[i]) for i, t in enumerate(instants) if by_id[i] != (to_month(t), to_month(t.date()))]
    assert wrong == []
    # London's month differs from UTC's in the last hour of summer months only.
    assert by_id[instants.index(datetime(2024, 7, 31, 23, 0))][0] == "2024-08"
    assert by_id[instants.index(datetime(2024, 12, 31, 23, 0))][0] == "2024-12"


_DIGESTS_APART = """
import json, sys
from gateway.internal.database import make_engine
from gateway.publish import partitions
from gateway.publish.context import INTERNAL_TABLES
from gateway.publish.pipeline import DEFAULT_BASE, load_checked_mappings
from mappings import INTERNAL

pools = []
class Recorded(partitions.ProcessPoolExecutor):
    def __init__(self, *args, **kwargs):
        pools.append(kwargs["max_workers"])
        super().__init__(*args, **kwargs)
partitions.ProcessPoolExecutor = Recorded
engine = make_engine(sys.argv[1])
mappings = load_checked_mappings(INTERNAL, DEFAULT_BASE)
digests = partitions.source_digests(engine, mappings, INTERNAL_TABLES.metadata, b"key", workers=3)
print(json.dumps({"pools": pools, "digests": digests}))
"""


def test_the_digests_are_the_same_read_by_one_process_or_several(demo_engine):
    mappings = load_checked_mappings(INTERNAL, DEFAULT_BASE)
    metadata = INTERNAL_TABLES.metadata
    alone = source_digests(demo_engine, mappings, metadata, b"key", workers=1)
    # Several processes are forked from a process with one thread: a publish's, not this one.
    url = demo_engine.url.render_as_string(hide_password=False)
    done = subprocess.run([sys.executable, "-c", _DIGESTS_APART, url], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    apart = json.loads(done.stdout)
    assert apart["pools"] == [3]
    assert apart["digests"] == alone
    assert len(alone) > 30 and {n.split("/")[0] for n in alone} == {
        m.dataset for m in mappings.mappings if not m.parent
    }
    assert source_digests(demo_engine, mappings, metadata, b"other key", workers=1) != alone
