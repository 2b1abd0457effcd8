"""The disclosure transforms, with their edge cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest

from gateway.internal.lookups import STOP_AGE_BANDS, UOF_AGE_BANDS
from mappings.transforms import (
    SNAP_LIMIT_M,
    TRANSFORMS,
    Drop,
    SnapIndex,
    band_of_age,
    look_up,
    pseudonym,
    to_age_band,
    to_boolean,
    to_month,
    to_utc_datetime,
)


@pytest.mark.parametrize(
    ("moment", "month"),
    [
        (datetime(2024, 1, 31, 23, 30), "2024-01"),  # GMT: London and UTC agree
        (datetime(2022, 8, 31, 23, 0), "2022-09"),  # BST: already September in London
        (datetime(2022, 9, 30, 22, 59), "2022-09"),
        (datetime(2022, 9, 30, 23, 0), "2022-10"),
        (datetime(2022, 8, 31, 23, 0, tzinfo=UTC), "2022-09"),
        (datetime(2024, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=5))), "2024-02"),
        (date(2024, 2, 29), "2024-02"),
        (None, None),
    ],
)
def test_month(moment, month):
    assert to_month(moment) == month


def test_utc_datetime():
    assert to_utc_datetime(datetime(2022, 8, 31, 23, 1, 5, 123456)) == "2022-08-31T23:01:05+00:00"
    aware = datetime(2022, 9, 1, 0, 1, tzinfo=timezone(timedelta(hours=1)))
    assert to_utc_datetime(aware) == "2022-08-31T23:01:00+00:00"
    assert to_utc_datetime(None) is None


@pytest.mark.parametrize(
    ("born", "on", "band"),
    [
        (date(2006, 9, 2), date(2024, 9, 1), "10-17"),  # the day before the 18th birthday
        (date(2006, 9, 1), date(2024, 9, 1), "18-24"),  # on the birthday
        (date(2024, 1, 1), date(2024, 6, 1), "under 10"),
        (date(1920, 1, 1), date(2024, 6, 1), "over 34"),
        (date(2004, 2, 29), date(2022, 2, 28), "10-17"),  # a leap-day birthday
        (date(2004, 2, 29), date(2022, 3, 1), "18-24"),
        (None, date(2024, 6, 1), None),  # no date of birth, no band
    ],
)
def test_age_band(born, on, band):
    assert to_age_band(STOP_AGE_BANDS, born, on) == band


def test_age_band_takes_the_day_of_a_date_time():
    assert to_age_band(STOP_AGE_BANDS, date(1999, 6, 2), datetime(2024, 6, 1, 23, 59)) == "18-24"
    assert to_age_band(STOP_AGE_BANDS, date(1999, 6, 2), datetime(2024, 6, 2, 0, 0)) == "25-34"


def test_age_in_band():
    assert band_of_age(UOF_AGE_BANDS, 10) == "Under 11 years"
    assert band_of_age(UOF_AGE_BANDS, 34) == "18 - 34 years"
    assert band_of_age(UOF_AGE_BANDS, None) is None
    with pytest.raises(Drop, match="age -1"):
        band_of_age(UOF_AGE_BANDS, -1)


@pytest.mark.parametrize(
    ("value", "result"),
    [(True, True), (0, False), (1, True), ("Y", True), ("no", False), ("False", False), (" true ", True)],
)
def test_boolean(value, result):
    assert to_boolean(value) is result


@pytest.mark.parametrize("value", [None, ""])
def test_boolean_unknown(value):
    assert to_boolean(value) is None


def test_boolean_refuses_other_values():
    with pytest.raises(Drop, match="not a yes/no value"):
        to_boolean("maybe")
    with pytest.raises(Drop):
        to_boolean(2)


def test_lookup():
    table = {"IC3": "Black", "IC9": None}
    assert look_up(table, "IC3") == "Black"
    assert look_up(table, "IC9") is None
    assert look_up(table, None) is None
    with pytest.raises(Drop, match="unknown code 'IC7'"):
        look_up(table, "IC7")


def test_pseudonym_is_stable_keyed_and_exact_in_json():
    a = pseudonym(b"key-1", "CANARY-CR-2024-0000001")
    assert a == pseudonym(b"key-1", "CANARY-CR-2024-0000001")
    assert a != pseudonym(b"key-2", "CANARY-CR-2024-0000001")
    assert a != pseudonym(b"key-1", "CANARY-CR-2024-0000002")
    assert 0 <= a < 2**53


@pytest.fixture
def index():
    # Three points on a line, 100 m apart, in British National Grid metres.
    return SnapIndex([11, 12, 13], [530_000.0, 530_100.0, 530_200.0], [180_000.0] * 3)


def test_snap_to_nearest(index):
    assert index.snap(530_049.0, 180_010.0) == 11
    assert index.snap(530_051.0, 180_010.0) == 12
    assert index.snap(None, 180_000.0) is None


def test_snap_limit_of_20_km(index):
    assert index.snap(530_200.0 + SNAP_LIMIT_M - 0.5, 180_000.0) == 13
    assert index.snap(530_200.0 + SNAP_LIMIT_M + 0.5, 180_000.0) is None
    assert index.snap(530_000.0, 180_000.0 - SNAP_LIMIT_M - 1) is None


def test_snap_many_matches_snap(index):
    rng = np.random.default_rng(1)
    east = rng.uniform(500_000, 560_000, 500)
    north = rng.uniform(170_000, 190_000, 500)
    east[::7] = np.nan
    expected = [None if np.isnan(e) else index.snap(e, n) for e, n in zip(east, north, strict=True)]
    assert index.snap_many(east, north) == expected
    assert None in expected and 11 in expected


def test_registry_guards_disclosure_classes():
    private_readers = [t.name for t in TRANSFORMS.values() if "private" in t.accepts]
    assert private_readers == ["pseudonym"]
    exact_readers = {t.name for t in TRANSFORMS.values() if "transform" in t.accepts}
    assert exact_readers == {"month", "utc-datetime", "age-band", "age-in-band", "snap-to-map-point"}
