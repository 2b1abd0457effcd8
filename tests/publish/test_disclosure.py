"""Disclosure rules on planted records: far-away places, missing dates of birth, unknown
codes and reporting restrictions give a record without a location, a subject without an
age band, or a reported drop; never a crash and never a leak."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, select, text, update

from gateway.demo.build import build_demo_data
from gateway.internal import schema
from gateway.internal.database import make_engine
from gateway.publish import tables
from gateway.publish.pipeline import publish
from mappings.transforms import pseudonym

from .conftest import KEY


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    directory = tmp_path_factory.mktemp("planted")
    url = f"sqlite:///{directory / 'internal.sqlite'}"
    build_demo_data(url)
    engine = make_engine(url)
    cr, ss = schema.crime_report, schema.stop_search
    with engine.begin() as conn:
        refs = [r for (r,) in conn.execute(select(cr.c.internal_ref).order_by(cr.c.internal_ref).limit(6))]
        stop = conn.execute(select(ss.c.internal_ref).where(ss.c.subject_dob.is_not(None)).limit(1)).scalar()
        # Manchester: more than 20 km from every London map point.
        conn.execute(update(cr).where(cr.c.internal_ref == refs[0]).values(easting=383_000, northing=398_000))
        # Just inside the limit, 19.9 km north of the northernmost map point.
        north = conn.execute(text("SELECT easting, northing FROM map_point ORDER BY northing DESC LIMIT 1")).one()
        far = {"easting": north.easting, "northing": north.northing + 19_900}
        conn.execute(update(cr).where(cr.c.internal_ref == refs[1]).values(**far))
        conn.execute(schema.offence_code.insert(), {"code": "99Z", "description": "planted", "internal_class": "X/X",
                                                     "published": "not-a-category"})  # fmt: skip
        conn.execute(update(cr).where(cr.c.internal_ref == refs[2]).values(offence_code="99Z"))
        conn.execute(update(cr).where(cr.c.internal_ref.in_(refs[3:6])).values(marker_restricted=True))
        conn.execute(update(ss).where(ss.c.internal_ref == stop).values(subject_dob=None))
    engine.dispose()
    result = publish(url, directory / "releases", key=KEY)
    release = create_engine(f"sqlite:///{result.path / 'release.sqlite'}")
    yield result, release, refs, stop
    release.dispose()


def street_row(release, ref):
    with release.connect() as conn:
        return conn.execute(select(tables.street).where(tables.street.c.id == pseudonym(KEY, ref))).one_or_none()


def test_beyond_20_km_there_is_no_location(planted):
    _result, release, refs, _stop = planted
    row = street_row(release, refs[0])
    assert row is not None and row.map_point is None and row.lsoa_code is None


def test_within_20_km_the_nearest_point_is_taken(planted):
    _result, release, refs, _stop = planted
    assert street_row(release, refs[1]).map_point is not None


def test_an_unknown_code_is_a_reported_drop(planted):
    result, release, refs, _stop = planted
    assert street_row(release, refs[2]) is None
    dropped = {d["reason"]: d["rows"] for d in result.manifest["dropped"]}
    assert dropped["category: 'not-a-category' is not a concept of crime-category"] == 1


def test_restricted_records_and_their_outcomes_are_withheld(planted):
    result, release, refs, _stop = planted
    assert all(street_row(release, ref) is None for ref in refs[3:6])
    dropped = {(d["mapping"], d["reason"]): d["rows"] for d in result.manifest["dropped"]}
    assert dropped[("crime_report", "subject to a reporting restriction")] == 3
    assert dropped[("crime_outcome", "its crime is not published")] >= 3
    with release.connect() as conn:
        withheld = [pseudonym(KEY, r) for r in refs[2:6]]
        outcomes = conn.execute(select(tables.crime_outcome).where(tables.crime_outcome.c.crime_id.in_(withheld)))
        assert outcomes.all() == []


def test_no_date_of_birth_means_no_age_band(planted):
    _result, release, _refs, stop = planted
    with release.connect() as conn:
        row = conn.execute(select(tables.stop_search).where(tables.stop_search.c.id == pseudonym(KEY, stop))).one()
    assert row.age_range is None


def test_the_manifest_lists_every_drop(planted):
    result, *_ = planted
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert sum(d["rows"] for d in manifest["dropped"]) >= 1 + 3 + 3
