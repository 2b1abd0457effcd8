"""Every kind of problem the reader and the import describe has a cause of its own."""

from __future__ import annotations

import pytest

from gateway.archive.rejections import CAUSES, OTHER, Rejection, by_cause, cause_of, rejection
from gateway.demo.sources import read_sources

from .conftest import CITY, STOPS, STREET, crime_id, write

GOOD = f"{crime_id(1)},2023-01,{CITY},-0.096718,51.515511,On or near A1,E01000001,City of London 001A,Drugs,,"
ASB = GOOD.replace(crime_id(1), "").replace("Drugs", "Anti-social behaviour")
STOP = ("Person search,2023-01-05T10:00:00+00:00,False,,51.515511,-0.096718,Male,18-24,White - Irish,White,"
        "Misuse of Drugs Act 1971 (section 23),Controlled drugs,Arrest,,")  # fmt: skip
STREET_FILE, STOPS_FILE = "2023-01-city-of-london-street.csv", "2023-01-city-of-london-stop-and-search.csv"

# A file of one line, and the cause of its problem (the broken folder of test_rejected.py
# has the others).
PROBLEMS = [
    (STREET_FILE, STREET, GOOD.replace("51.515511", "40.7"), "outside-great-britain"),
    (STREET_FILE, STREET, GOOD.replace("-0.096718,51.515511", ","), "location-without-coordinates"),
    (STREET_FILE, STREET, GOOD.replace("On or near A1", "A1"), "bad-location"),
    (STREET_FILE, STREET, GOOD.replace("City of London Police", "Atlantis Police", 1), "unknown-force"),
    (STREET_FILE, STREET, ASB.replace(",2023-01", f"{crime_id(2)},2023-01", 1), "asb-with-crime-id"),
    (STREET_FILE, STREET, GOOD.replace("E01000001", "X01000001"), "bad-lsoa-code"),
    (STREET_FILE, STREET, GOOD.replace("Drugs,,", "Drugs,Hanged,"), "unknown-outcome"),
    (STREET_FILE, STREET, GOOD + "x" * 200_000, "malformed-csv"),  # over the csv module's field size limit
    (STOPS_FILE, STOPS, STOP.replace("Person search", "Submarine search"), "unknown-search-type"),
    (STOPS_FILE, STOPS, STOP.replace("Person search", ""), "empty-search-type"),
    (STOPS_FILE, STOPS, STOP.replace("Male", "Robot"), "unknown-gender"),
    (STOPS_FILE, STOPS, STOP.replace("18-24", "200-300"), "unknown-age-range"),
    (STOPS_FILE, STOPS, STOP.replace("Irish,White,", "Irish,Martian,"), "unknown-officer-defined-ethnicity"),
    (STOPS_FILE, STOPS, STOP.replace("Misuse of Drugs Act 1971 (section 23)", "Magna Carta"), "unknown-legislation"),
    (STOPS_FILE, STOPS, STOP.replace("Controlled drugs", "Dragons"), "unknown-object-of-search"),
    (STOPS_FILE, STOPS, STOP.replace("Arrest", "Knighted"), "unknown-search-outcome"),
    (
        STOPS_FILE,
        STOPS,
        STOP.replace("2023-01-05T10:00:00+00:00,False", "2023-01-05T10:00:00+00:00,Maybe"),
        "bad-boolean",
    ),
]


@pytest.mark.parametrize(("name", "header", "line", "cause"), PROBLEMS, ids=lambda v: str(v)[:40])
def test_each_problem_has_its_cause(tmp_path, name, header, line, cause):
    write(tmp_path, name, header, [line])
    problems = read_sources(tmp_path, lenient=True).rejected
    assert [rejection(p).cause for p in problems] == [cause], problems


def test_every_cause_is_a_short_name_of_its_own():
    names = [cause for cause, _pattern in CAUSES]
    assert len(names) == len(set(names)) and OTHER not in names
    assert all(name.replace("-", "").replace("8", "").isalpha() and name == name.lower() for name in names)


def test_a_problem_is_parsed_into_file_line_cause_and_message():
    assert rejection("metropolitan/2011-01-metropolitan-street.csv:7: bad month '2011-13' (expected YYYY-MM)") == (
        Rejection(
            "metropolitan/2011-01-metropolitan-street.csv", 7, "bad-month", "bad month '2011-13' (expected YYYY-MM)"
        )
    )
    whole = rejection("notes.csv: not a data.police.uk archive file name (YYYY-MM-<force>-street.csv, ...)")
    assert (whole.file, whole.line, whole.cause) == ("notes.csv", None, "not-an-archive-file")
    assert str(whole) == "notes.csv: not a data.police.uk archive file name (YYYY-MM-<force>-street.csv, ...)"
    assert whole.row() == ("notes.csv", "", "not-an-archive-file", whole.message)


def test_a_problem_of_a_kind_not_listed_is_other():
    assert cause_of("the moon is in the wrong phase") == OTHER
    assert rejection("a.csv:3: the moon is in the wrong phase").cause == OTHER


def test_counts_by_cause_most_frequent_first():
    found = [rejection(f"a.csv:{n}: bad month 'x'") for n in range(3)] + [rejection("a.csv:9: bad Crime ID 'x'")]
    assert list(by_cause(found).items()) == [("bad-month", 3), ("bad-crime-id", 1)]
