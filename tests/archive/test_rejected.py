"""Malformed rows and files are reported (file:line: problem) and left out; the rest
publishes. Only a folder with nothing usable at all fails, with one line and status 2."""

from __future__ import annotations

import csv
import hashlib
import io
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
    GOOD.replace("E01000001", "E00000001").replace(crime_id(1), crime_id(6)),  # 8: an output area, no LSOA
    GOOD.replace(crime_id(1), crime_id(1)[1:]),  # 9: a Crime ID of 63 digits
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
    assert "rejected 11 rows and 4 whole files of the archive, by cause:" in result.output
    assert "    2023-01-city-of-london-street.csv:3: bad month '2023-13'" in result.output


def test_the_publish_prints_the_rejections_by_cause(published):
    result, releases_dir = published
    lines = result.output.splitlines()
    start = lines.index("  rejected 11 rows and 4 whole files of the archive, by cause:")
    summary = dict(reversed(line.split()) for line in lines[start + 1 : start + 1 + len(CAUSES)])
    assert summary == {cause: "1" for cause in CAUSES}
    listed = releases.current_path(releases_dir).resolve() / "dumps" / "rejected.csv"
    assert lines[start + 1 + len(CAUSES)] == f"  every one is listed in {listed}; the first:"


def test_the_manifest_lists_every_problem_with_file_and_line(published):
    _result, releases_dir = published
    manifest = json.loads((releases.current_path(releases_dir) / "manifest.json").read_text())
    rejected = manifest["rejected"]
    assert (rejected["files"], rejected["rows"], rejected["not_listed"]) == (4, 11, 0)
    assert rejected["by_cause"] == {cause: 1 for cause in sorted(CAUSES)} and rejected["file"] == "dumps/rejected.csv"
    problems = "\n".join(rejected["problems"])
    for expected in [
        "2023-01-city-of-london-street.csv:3: bad month '2023-13'",
        "2023-01-city-of-london-street.csv:4: bad coordinates '51.515511', 'east'",
        "2023-01-city-of-london-street.csv:5: unknown crime type 'Piracy'",
        "2023-01-city-of-london-street.csv:6: expected 12 fields, found 13",
        "2023-01-city-of-london-street.csv:8: LSOA code 'E00000001' is not the code of an LSOA",
        "2023-01-city-of-london-street.csv:9: bad Crime ID '000000",
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


# Each problem of the broken folder, by file and line (none for a whole file), and its cause.
CAUSES = {
    "bad-month": ("2023-01-city-of-london-street.csv", 3),
    "bad-coordinates": ("2023-01-city-of-london-street.csv", 4),
    "unknown-crime-type": ("2023-01-city-of-london-street.csv", 5),
    "field-count": ("2023-01-city-of-london-street.csv", 6),
    "not-an-lsoa-code": ("2023-01-city-of-london-street.csv", 8),
    "bad-crime-id": ("2023-01-city-of-london-street.csv", 9),
    "outcome-of-unknown-crime": ("2023-02-city-of-london-outcomes.csv", 3),
    "outcome-of-rejected-crime": ("2023-02-city-of-london-outcomes.csv", 4),
    "unknown-outcome": ("2023-02-city-of-london-outcomes.csv", 5),
    "unknown-self-defined-ethnicity": ("2023-01-city-of-london-stop-and-search.csv", 3),
    "bad-date-time": ("2023-01-city-of-london-stop-and-search.csv", 4),
    "unexpected-header": ("2023-02-city-of-london-street.csv", 1),
    "not-utf-8": ("2023-03-city-of-london-street.csv", None),
    "not-an-archive-file": ("notes.csv", None),
    "force-not-held": ("2023-01-atlantis-street.csv", None),
}


def _rejected_csv(release_path) -> tuple[bytes, list[dict]]:
    raw = (release_path / "dumps" / "rejected.csv").read_bytes()
    return raw, list(csv.DictReader(io.StringIO(raw.decode())))


def test_every_rejection_is_in_a_file_of_the_release(published):
    _result, releases_dir = published
    release_path = releases.current_path(releases_dir)
    manifest = json.loads((release_path / "manifest.json").read_text())
    raw, rows = _rejected_csv(release_path)
    assert raw.startswith(b"file,line,cause,message\r\n") and raw.endswith(b"\r\n")
    found = {row["cause"]: (row["file"], int(row["line"]) if row["line"] else None) for row in rows}
    assert found == CAUSES and len(rows) == len(CAUSES)
    assert [
        f"{r['file']}:{r['line']}: {r['message']}" if r["line"] else f"{r['file']}: {r['message']}" for r in rows
    ] == (manifest["rejected"]["problems"]), "the same problems, in the same order"
    listed = {f["path"]: f for f in manifest["files"]}["dumps/rejected.csv"]
    assert listed["sha256"] == hashlib.sha256(raw).hexdigest() and listed["bytes"] == len(raw)


def test_the_rejections_can_be_downloaded(published):
    from gateway import create_app
    from tests.catalog.conftest import fetch
    from tests.conftest import UNLIMITED

    _result, releases_dir = published
    client = create_app({"TESTING": True, "DATA_DIR": str(releases_dir.parent), **UNLIMITED}).test_client()
    listing = client.get("/downloads", headers={"Accept": "application/json"}).get_json()
    entry = next(f for f in listing["files"] if f["path"] == "dumps/rejected.csv")
    assert entry["media_type"] == "text/csv" and entry["month"] is None
    response = fetch(client, "/downloads/dumps/rejected.csv")
    assert response.status_code == 200
    assert response.get_data() == _rejected_csv(releases.current_path(releases_dir))[0]


def test_the_manifest_lists_the_first_problems_and_the_file_every_one(tmp_path, runner):
    folder = tmp_path / "archive"
    bad = [GOOD.replace(crime_id(1), crime_id(n)).replace("Drugs", "Piracy") for n in range(100, 250)]
    write(folder, "2023-01-city-of-london-street.csv", STREET, [GOOD, *bad])
    result = runner.invoke(main, ["publish", "-q", "--data-dir", str(tmp_path / "var"), "--archive", str(folder)])
    assert result.exit_code == 0, result.output
    assert "    150 unknown-crime-type\n" in result.output and "    ... and 130 more\n" in result.output
    release_path = releases.current_path(tmp_path / "var" / "releases")
    rejected = json.loads((release_path / "manifest.json").read_text())["rejected"]
    assert (rejected["rows"], len(rejected["problems"]), rejected["not_listed"]) == (150, 100, 50)
    _raw, rows = _rejected_csv(release_path)
    assert [int(row["line"]) for row in rows] == list(range(3, 153)), "every one, in line order"
    assert {row["cause"] for row in rows} == {"unknown-crime-type"}


def test_a_release_without_rejections_has_an_empty_file(legacy_release):
    _raw, rows = _rejected_csv(legacy_release.path)
    manifest = json.loads((legacy_release.path / "manifest.json").read_text())
    assert rows == [] and manifest["rejected"]["by_cause"] == {}


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
