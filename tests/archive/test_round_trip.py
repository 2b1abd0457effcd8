"""Publishing the shipped data.police.uk files as an archive folder gives those files back.

Unlike publishing the demo internal tables (``tests/publish/test_round_trip.py``), each
record keeps the location name its row had: the 52 coordinates whose rows name them in
two ways (an empty name, a different spelling) come back as they were. One documented
exception remains: LSOAs renamed between census vintages, named by their newest name.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, func, select

from gateway.publish import tables
from mappings import ARCHIVE
from mappings.transforms import pseudonym
from tests.publish.test_round_trip import co_located, published, renamed_lsoas, source

from .conftest import KEY


@pytest.mark.parametrize("kind", ["street", "stop-and-search", "outcomes"])
def test_published_files_reproduce_the_source_files(archive_release, sources, kind):
    assert len(co_located(sources)) == 52, "coordinates whose rows name them in more than one way"
    ambiguous = (set(), renamed_lsoas(sources)) if kind != "stop-and-search" else (set(), set())
    theirs, ours = source(kind, ambiguous), published(archive_release, kind, ambiguous)
    assert theirs and set(ours) == set(theirs), "one published file per source file, and no other"
    for name, rows in theirs.items():
        missing, extra = rows - ours[name], ours[name] - rows
        example = f"e.g. {next(iter(missing), None)} / {next(iter(extra), None)}"
        assert not missing and not extra, f"{name}: {missing.total()} missing, {extra.total()} extra, {example}"


def test_the_manifest_names_the_folder_and_rejects_nothing(archive_release, sources):
    manifest = json.loads((archive_release.path / "manifest.json").read_text())
    assert manifest["source"]["archive"].endswith("gateway/demo/data/police-uk")
    assert manifest["source"]["files"] == len(sources.files) and manifest["source"]["extracted_at"]
    assert manifest["rejected"] == {
        "files": 0,
        "rows": 0,
        "by_cause": {},
        "file": "dumps/rejected.csv",
        "problems": [],
        "not_listed": 0,
    }
    assert manifest["dropped"] == []
    assert set(manifest["mappings"]) == {p.stem for p in ARCHIVE.glob("*.yaml")}
    assert manifest["counts"]["stop-and-search"]["2022-09"] == 12_447
    assert sum(manifest["counts"]["outcomes"].values()) == len(sources.outcomes)
    assert manifest["shacl"]["conforms"] is True and manifest["shacl"]["records_checked"] > 100


def test_records_keep_their_place_month_and_last_outcome(archive_release, sources):
    """One record per row, each with its own map point, LSOA and last outcome."""
    engine = create_engine(f"sqlite:///{archive_release.path / 'release.sqlite'}")
    with engine.connect() as conn:
        s, mp = tables.street, tables.map_point
        records = dict(conn.execute(select(s.c.record, func.count()).group_by(s.c.record)).all())
        located = conn.execute(select(func.count()).where(s.c.map_point.is_not(None))).scalar()
        last = conn.execute(select(func.count()).where(s.c.last_outcome.is_not(None))).scalar()
        points = conn.execute(select(func.count()).select_from(mp)).scalar()
        lsoas = {code for (code,) in conn.execute(select(s.c.lsoa_code).distinct()) if code}
    engine.dispose()
    asb = sum(r.category == "anti-social-behaviour" for r in sources.street)
    assert records == {"RecordedCrime": len(sources.street) - asb, "AntiSocialBehaviourIncident": asb}
    assert located == sum(r.point is not None for r in sources.street)
    assert last == sum(r.last_outcome is not None for r in sources.street)
    coordinates = {r.point.key for r in [*sources.street, *sources.outcomes, *sources.stops] if r.point}
    assert points == len(coordinates)
    assert lsoas == {r.lsoa_code for r in sources.street if r.lsoa_code}


def test_ids_are_stable_and_distinct(archive_release, sources):
    """Ids are keyed hashes of content keys: a crime's is that of its Crime ID (and which
    of the rows with that Crime ID it is), so re-importing the files gives the same ids."""
    crime = next(r for r in sources.street if r.crime_id)
    engine = create_engine(f"sqlite:///{archive_release.path / 'release.sqlite'}")
    with engine.connect() as conn:
        s = tables.street
        ids = {i for (i,) in conn.execute(select(s.c.id).where(s.c.persistent_id == crime.crime_id))}
        total = conn.execute(select(func.count(s.c.id.distinct()))).scalar()
    engine.dispose()
    assert pseudonym(KEY, f"crime:{crime.crime_id}#0") in ids
    assert total == len(sources.street)
