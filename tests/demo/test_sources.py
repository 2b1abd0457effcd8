"""Reading data.police.uk archive files: what real files contain, and malformed ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.demo.sources import OUTCOMES_HEADER, STOPS_HEADER, STREET_HEADER, SourceError, read_sources

STREET = ",".join(STREET_HEADER)
STOPS = ",".join(STOPS_HEADER)
CRIME_ID = "bb44a3100c83a5ac6a4dd3c272f3e0ab910087a04c4ac39e63230734a09e14b1"
GOOD_STREET = [
    f"{CRIME_ID},2023-01,City of London Police,City of London Police,-0.096718,51.515511,On or near ,"
    "E01000001,City of London 001A,Drugs,Court result unavailable,",
    ",2023-01,City of London Police,City of London Police,-0.097078,51.519045,On or near A1,E01000001,"
    "City of London 001A,Anti-social behaviour,,",
    ",2023-01,City of London Police,City of London Police,,,No Location,,,Anti-social behaviour,,",
]


def write(directory: Path, name: str, header: str, lines: list[str], newline: str = "\n") -> Path:
    path = directory / name
    path.write_bytes((newline.join([header, *lines]) + newline).encode())
    return path


def test_the_shipped_files(sources):
    assert len(sources.street) == 27_422 + 9_470
    assert len(sources.outcomes) == 4_539
    assert len(sources.stops) == 12_447
    unlocated = sum(1 for s in sources.stops if s.point is None)
    assert unlocated == 1_340
    assert {s.month for s in sources.stops} == {"2022-09"}, "stops are published by London month"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_real_rows_in_either_line_ending(tmp_path, newline):
    write(tmp_path, "2023-01-city-of-london-street.csv", STREET, GOOD_STREET, newline)
    sources = read_sources(tmp_path)
    first, asb, unlocated = sources.street
    assert first.category == "drugs" and first.last_outcome == "court-result-unavailable"
    assert first.street_name == "" and first.lsoa_code == "E01000001"
    assert asb.crime_id == "" and asb.last_outcome is None and asb.street_name == "A1"
    assert unlocated.point is None and unlocated.street_name is None


def test_crimes_without_a_crime_id(tmp_path):
    """Met files of 2010-12 to 2011-11 publish no Crime ID for any crime."""
    line = ",2011-01,Metropolitan Police Service,Metropolitan Police Service,,,No Location,,,Burglary,,"
    write(tmp_path, "2011-01-metropolitan-street.csv", STREET, [line])
    (crime,) = read_sources(tmp_path).street
    assert crime.crime_id == "" and crime.category == "burglary" and crime.last_outcome is None


def test_penalty_notice_label_variants(tmp_path):
    lines = [
        GOOD_STREET[0].replace("Court result unavailable", "Offender given penalty notice"),
        GOOD_STREET[0].replace("Court result unavailable", "Offender given a penalty notice"),
    ]
    write(tmp_path, "2023-01-city-of-london-street.csv", STREET, lines)
    assert {r.last_outcome for r in read_sources(tmp_path).street} == {"penalty-notice-issued"}


def test_stop_dates_become_naive_utc(tmp_path):
    line = (
        "Person search,2022-08-31T23:01:00+00:00,False,,51.473926,-0.161134,Male,18-24,"
        "White - Irish,White,Misuse of Drugs Act 1971 (section 23),Controlled drugs,Arrest,,"
    )
    write(tmp_path, "2022-09-metropolitan-stop-and-search.csv", STOPS, [line])
    (stop,) = read_sources(tmp_path).stops
    assert stop.searched_at.isoformat() == "2022-08-31T23:01:00"
    assert stop.month == "2022-09"
    assert stop.outcome_linked_to_object is None and stop.part_of_operation is False


@pytest.mark.parametrize(
    ("name", "header", "line", "message"),
    [
        ("2023-01-city-of-london-street.csv", "Crime ID,Month", None, r"street.csv:1: unexpected header"),
        ("2023-01-city-of-london-street.csv", STREET, GOOD_STREET[0].replace("2023-01", "2023-13"), "bad month"),
        ("2023-01-city-of-london-street.csv", STREET, GOOD_STREET[0].replace("Drugs", "Piracy"), "unknown crime type"),
        ("2023-01-city-of-london-street.csv", STREET, GOOD_STREET[0].replace("-0.096718", "east"), "bad coordinates"),
        ("2023-01-city-of-london-street.csv", STREET, GOOD_STREET[0].replace("51.515511", "40.7"), "outside Great"),
        ("2023-01-city-of-london-street.csv", STREET, GOOD_STREET[0][1:], "bad Crime ID"),
        ("2023-01-city-of-london-street.csv", STREET, GOOD_STREET[0] + ",extra", "expected 12 fields, found 13"),
        ("2023-01-city-of-london-street.csv", STREET, GOOD_STREET[0].replace("City of London Police", "X"), "force"),
        ("2023-01-city-of-london-street.csv", STREET, GOOD_STREET[0].replace("Court result", "Hanged"), "outcome"),
        ("2023-01-city-of-london-street.csv", STREET, GOOD_STREET[1].replace("On or near A1", "A1"), "On or near"),
        ("2022-09-metropolitan-stop-and-search.csv", STOPS, "Person search,yesterday" + ",," * 6 + ",", "date-time"),
        ("2023-01-atlantis-street.csv", STREET, GOOD_STREET[0], "force 'atlantis'"),
        ("notes.csv", STREET, GOOD_STREET[0], "not a data.police.uk archive file name"),
    ],
)
def test_malformed_files_name_file_line_and_problem(tmp_path, name, header, line, message):
    write(tmp_path, name, header, [] if line is None else [line])
    with pytest.raises(SourceError, match=message) as caught:
        read_sources(tmp_path)
    assert name in str(caught.value)
    if line is not None and "file name" not in message and "atlantis" not in message:
        assert f"{name}:2:" in str(caught.value)


def test_outcome_for_an_unknown_crime(tmp_path):
    write(tmp_path, "2023-01-city-of-london-street.csv", STREET, GOOD_STREET)
    outcome = (
        f"{'f' * 64},2023-02,City of London Police,City of London Police,,,No location,,,Unable to prosecute suspect"
    )
    write(tmp_path, "2023-02-city-of-london-outcomes.csv", ",".join(OUTCOMES_HEADER), [outcome])
    with pytest.raises(SourceError, match=r"outcomes\.csv:2: outcome for crime ffffffffffff"):
        read_sources(tmp_path)


def test_not_utf8(tmp_path):
    (tmp_path / "2023-01-city-of-london-street.csv").write_bytes(STREET.encode() + b"\n\xff\xfe,\n")
    with pytest.raises(SourceError, match="not UTF-8"):
        read_sources(tmp_path)


def test_empty_or_missing_folder(tmp_path):
    with pytest.raises(SourceError, match=r"no data\.police\.uk CSV files"):
        read_sources(tmp_path)
    with pytest.raises(SourceError, match="not a folder"):
        read_sources(tmp_path / "missing")
