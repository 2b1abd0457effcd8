"""Malformed rows and files are reported (file:line: problem) and left out; the rest
publishes. Only a folder with nothing usable at all fails, with one line and status 2."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, func, select

from gateway import releases
from gateway.cli import main
from gateway.publish import tables

from .conftest import CITY, OUTCOMES, STOPS, STREET, crime_id, write

GOOD = f"{crime_id(1)},2023-01,{CITY},-0.096718,51.515511,On or near ,E01000001,City of London 001A,Drugs,,"
ASB = f",2023-01,{CITY},-0.097078,51.519045,On or near A1,E01000001,City of London 001A,Anti-social behaviour,,"
STOP = ("Person search,2023-01-05T10:00:00+00:00,False,,51.515511,-0.096718,Male,18-24,White - Irish,White,"
        "Misuse of Drugs Act 1971 (section 23),Controlled drugs,Arrest,,")  # fmt: skip
STREET_LINES = [
    GOOD,  # line 2
    GOOD.replace("2023-01", "2023-13").replace(crime_id(1), crime_id(2)),  # 3: bad month
    GOOD.replace("-0.096718", "east").replace(crime_id(1), crime_id(3)),  # 4: bad coordinates
    GOOD.replace("Drugs", "Piracy").replace(crime_id(1), crime_id(4)),  # 5: unknown category
    GOOD.replace(crime_id(1), crime_id(5)) + ",extra",  # 6: wrong field count
    ASB,  # 7
    GOOD.replace("E01000001", "W01000001").replace(crime_id(1), crime_id(6)),  # 8: a Welsh LSOA
    GOOD.replace(crime_id(1), ""),  # 9: a crime without a Crime ID
]
OUTCOME_LINES = [
    f"{crime_id(1)},2023-02,{CITY},-0.096718,51.515511,On or near ,E01000001,City of London 001A,Suspect charged",
    f"{crime_id(9)},2023-02,{CITY},,,No location,,,Suspect charged",  # 3: its crime is not in the folder
    f"{crime_id(6)},2023-02,{CITY},,,No location,,,Suspect charged",  # 4: its crime's row was rejected
    f"{crime_id(1)},2023-02,{CITY},,,No location,,,Hanged",  # 5: unknown outcome
]
STOP_LINES = [
    STOP,
    STOP.replace("White - Irish", "Martian"),  # 3: unknown self-defined ethnicity
    STOP.replace("2023-01-05T10:00:00+00:00", "yesterday"),  # 4: bad date-time
]


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    folder = tmp_path_factory.mktemp("broken-archive")
    write(folder, "2023-01-city-of-london-street.csv", STREET, STREET_LINES)
    write(folder, "2023-02-city-of-london-outcomes.csv", OUTCOMES, OUTCOME_LINES)
    write(folder, "2023-01-city-of-london-stop-and-search.csv", STOPS, STOP_LINES)
    write(folder, "2023-02-city-of-london-street.csv", "Crime ID,Month", [GOOD])  # a wrong header
    (folder / "2023-03-city-of-london-street.csv").write_bytes(STREET.encode() + b"\r\n\xff\xfe,\r\n")
    write(folder, "notes.csv", STREET, [GOOD])  # not an archive file name
    write(folder, "2023-01-atlantis-street.csv", STREET, [GOOD])  # not a force
    return folder


@pytest.fixture(scope="module")
def published(broken, tmp_path_factory):
    from click.testing import CliRunner

    var = tmp_path_factory.mktemp("var")
    result = CliRunner().invoke(main, ["publish", "-q", "--data-dir", str(var), "--archive", str(broken)])
    return result, var / "releases"


def test_the_publish_succeeds_and_prints_the_problems(published):
    result, _releases = published
    assert result.exit_code == 0, result.output
    assert result.output.startswith("published release ")
    assert "rejected 11 rows and 4 whole files of the archive:" in result.output
    assert "    2023-01-city-of-london-street.csv:3: bad month '2023-13'" in result.output


def test_the_manifest_lists_every_problem_with_file_and_line(published):
    _result, releases_dir = published
    manifest = json.loads((releases.current_path(releases_dir) / "manifest.json").read_text())
    rejected = manifest["rejected"]
    assert (rejected["files"], rejected["rows"], rejected["not_listed"]) == (4, 11, 0)
    problems = "\n".join(rejected["problems"])
    for expected in [
        "2023-01-city-of-london-street.csv:3: bad month '2023-13'",
        "2023-01-city-of-london-street.csv:4: bad coordinates '51.515511', 'east'",
        "2023-01-city-of-london-street.csv:5: unknown crime type 'Piracy'",
        "2023-01-city-of-london-street.csv:6: expected 12 fields, found 13",
        "2023-01-city-of-london-street.csv:8: LSOA code 'W01000001' is not an English LSOA code",
        "2023-01-city-of-london-street.csv:9: bad Crime ID ''",
        "2023-02-city-of-london-outcomes.csv:3: outcome for crime 000000000000... which no street file holds",
        "2023-02-city-of-london-outcomes.csv:4: outcome for crime 000000000000... whose street row was rejected",
        "2023-02-city-of-london-outcomes.csv:5: unknown outcome 'Hanged'",
        "2023-01-city-of-london-stop-and-search.csv:3: unknown Self-defined ethnicity 'Martian'",
        "2023-01-city-of-london-stop-and-search.csv:4: bad date-time 'yesterday'",
        "2023-02-city-of-london-street.csv:1: unexpected header ['Crime ID', 'Month']",
        "2023-03-city-of-london-street.csv: not UTF-8 text",
        "notes.csv: not a data.police.uk archive file name",
        "2023-01-atlantis-street.csv: force 'atlantis' is not one this records system holds",
    ]:
        assert expected in problems, expected
    assert str(releases_dir.parent) not in problems, "paths are relative to the archive folder"
    files_and_lines = [problem.split(": ")[0] for problem in rejected["problems"]]
    stops = "2023-01-city-of-london-stop-and-search.csv"
    assert files_and_lines[:3] == ["2023-01-atlantis-street.csv", f"{stops}:3", f"{stops}:4"], "in file order"
    assert manifest["source"]["files"] == 3 and manifest["source"]["files_skipped"] == 4


def test_the_rest_publishes(published):
    _result, releases_dir = published
    engine = create_engine(f"sqlite:///{releases.current_path(releases_dir) / 'release.sqlite'}")
    with engine.connect() as conn:
        street = conn.execute(select(tables.street.c.record, tables.street.c.persistent_id)).all()
        outcomes = conn.execute(select(func.count()).select_from(tables.crime_outcome)).scalar()
        stops = conn.execute(select(func.count()).select_from(tables.stop_search)).scalar()
    engine.dispose()
    assert sorted(street) == [("AntiSocialBehaviourIncident", ""), ("RecordedCrime", crime_id(1))]
    assert outcomes == 1 and stops == 1


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"2023-02-city-of-london-street.csv": "Crime ID,Month\r\nx,y\r\n"}, "nothing to publish"),
        ({"2023-02-city-of-london-street.csv": f"{STREET}\r\n{GOOD.replace('2023-01', '23')}\r\n"}, "0 of 1 files"),
        ({}, "no data.police.uk CSV files found"),
    ],
)
def test_a_folder_with_nothing_usable_fails(runner, tmp_path, files, message):
    folder = tmp_path / "archive"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    result = runner.invoke(main, ["publish", "-q", "--data-dir", str(tmp_path / "var"), "--archive", str(folder)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("gateway: error: ") and message in result.output
    assert result.output.count("\n") == 1, "one line"
    assert releases.current_release(tmp_path / "var" / "releases") is None


def test_a_missing_folder_fails(runner, tmp_path):
    result = runner.invoke(main, ["publish", "-q", "--data-dir", str(tmp_path), "--archive", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "not a folder of data.police.uk files" in result.output
