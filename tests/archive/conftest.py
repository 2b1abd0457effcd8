"""Archive releases: the shipped demo files, and small folders of older and broken files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from gateway import create_app
from gateway.archive.publish import publish_archive
from gateway.demo.sources import default_sources_dir

KEY = b"test-pseudonym-key"
UNLIMITED = {"RATE_LIMIT": 100_000, "RATE_BURST": 100_000}

STREET = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
          "Last outcome category,Context")  # fmt: skip
OUTCOMES = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type"
STOPS = ("Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,"
         "Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,"
         "Outcome linked to object of search,Removal of more than just outer clothing")  # fmt: skip
CITY = "City of London Police,City of London Police"
MET = "Metropolitan Police Service,Metropolitan Police Service"


def crime_id(n: int) -> str:
    return f"{n:064x}"


def write(directory: Path, name: str, header: str, lines: list[str], newline: str = "\r\n") -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((newline.join([header, *lines]) + newline).encode())
    return path


# A 2012 City street file in the categories of the time, with its outcomes; a 2012 Met
# street file; a 2016 Met stop-and-search file in the 2001 Census ethnicity strings and
# the older outcome labels.
LEGACY_CITY_STREET = [
    f"{crime_id(1)},2012-05,{CITY},-0.096718,51.515511,On or near Aldersgate Street,E01000001,City of London 001A,"
    "Public disorder and weapons,No further action,",
    f"{crime_id(2)},2012-05,{CITY},-0.097078,51.519045,On or near A1,E01000001,City of London 001A,"
    "Violent crime,Offender imprisoned,",
    f",2012-05,{CITY},-0.097078,51.519045,On or near A1,E01000001,City of London 001A,Anti-social behaviour,,",
    f",2012-05,{CITY},-0.097078,51.519045,On or near A1,E01000001,City of London 001A,Anti-social behaviour,,",
    f"{crime_id(3)},2012-05,{CITY},,,No Location,,,Other theft,Offender given penalty notice,",
]
LEGACY_CITY_OUTCOMES = [
    f"{crime_id(2)},2012-06,{CITY},-0.097078,51.519045,On or near A1,E01000001,City of London 001A,Suspect charged",
    f"{crime_id(2)},2012-09,{CITY},-0.097078,51.519045,On or near A1,E01000001,City of London 001A,Offender imprisoned",
]
LEGACY_MET_STREET = [
    f"{crime_id(4)},2012-05,{MET},-0.061485,51.495396,On or near Rotherhithe New Road,E01003925,Southwark 021A,"
    "Violent crime,Under investigation,",
]
LEGACY_MET_STOPS = [
    "Person search,2016-05-31T23:01:00+00:00,False,,51.495396,-0.061485,Male,18-24,White - White British (W1),"
    "White,Misuse of Drugs Act 1971 (section 23),Controlled drugs,Nothing found - no further action,,",
    "Person search,2016-06-01T10:00:00+00:00,False,,51.495396,-0.061485,Female,over 34,"
    "Chinese or other ethnic group - Chinese (O1),Asian,Police and Criminal Evidence Act 1984 (section 1),"
    "Stolen goods,Suspect arrested,,",
    "Person and Vehicle search,2016-06-02T10:00:00+00:00,False,,51.515511,-0.096718,Male,10-17,"
    "Black or Black British - African (B2),Mixed,Misuse of Drugs Act 1971 (section 23),Controlled drugs,"
    "Offender given drugs possession warning,,",
    "Person search,2016-06-03T10:00:00+00:00,False,,,,Other,25-34,Not Stated (NS),Other,"
    "Environmental Protection Act 1990 (section 34B ),Goods on which duty has not been paid etc.,"
    "Offender given penalty notice,True,False",
    "Vehicle search,2016-06-04T10:00:00+00:00,,,,,,,,,Firearms Act 1968 (section 47),Firearms,"
    "Article found - Detailed outcome unavailable,,",
    "Person search,2016-06-05T10:00:00+00:00,False,,51.519045,-0.097078,Male,under 10,"
    "Mixed - White and Asian (M3),White,Police and Criminal Evidence Act 1984 (section 1),"
    "Article for use in theft,Local resolution,,",
]


def legacy_folder(directory: Path) -> Path:
    write(directory, "city-of-london/2012-05-city-of-london-street.csv", STREET, LEGACY_CITY_STREET)
    write(directory, "city-of-london/2012-09-city-of-london-outcomes.csv", OUTCOMES, LEGACY_CITY_OUTCOMES)
    write(directory, "metropolitan/2012-05-metropolitan-street.csv", STREET, LEGACY_MET_STREET, "\n")
    write(directory, "metropolitan/2016-06-metropolitan-stop-and-search.csv", STOPS, LEGACY_MET_STOPS)
    return directory


# A Met folder where rows at one point name it three ways (real files do: case, and empty
# names), with the outcomes files of the following months.
HERE = "-0.138120,51.549950"  # one published point, three spellings of its name
HERE_OUTCOMES = "-0.13812,51.54995"  # outcomes files drop trailing zeros
THERE = "-0.140000,51.551000"
LSOA = "E01000907,Camden 011A"
NAMES_STREET_2023_01 = [
    f"{crime_id(11)},2023-01,{MET},{HERE},On or near DUNOLLIE PLACE,{LSOA},Burglary,Unable to prosecute suspect,",
    f"{crime_id(12)},2023-01,{MET},{HERE},On or near Dunollie Place,{LSOA},Burglary,Status update unavailable,",
    f"{crime_id(13)},2023-01,{MET},{HERE},On or near ,{LSOA},Vehicle crime,"
    "Investigation complete; no suspect identified,",
    f",2023-01,{MET},{HERE},On or near DUNOLLIE PLACE,{LSOA},Anti-social behaviour,,",
    f",2023-01,{MET},{HERE},On or near ,{LSOA},Anti-social behaviour,,",
    f"{crime_id(14)},2023-01,{MET},{THERE},On or near Leighton Road,{LSOA},Drugs,,",
]
NAMES_STREET_2023_02 = [
    f"{crime_id(15)},2023-02,{MET},{HERE},On or near Dunollie Place,{LSOA},Robbery,Under investigation,",
]
# Outcomes files write names untitled ("Dunollie Place"), but not always alike either.
NAMES_OUTCOMES = {
    "2023-01": [f"{crime_id(11)},2023-01,{MET},{HERE_OUTCOMES},On or near Dunollie Place,{LSOA},Under investigation"],
    "2023-02": [
        f"{crime_id(12)},2023-02,{MET},{HERE_OUTCOMES},On or near Dunollie Place,{LSOA},"
        "Investigation complete; no suspect identified"
    ],
    "2023-03": [
        f"{crime_id(11)},2023-03,{MET},{HERE_OUTCOMES},On or near DUNOLLIE PLACE,{LSOA},Unable to prosecute suspect"
    ],
}
SOURCE_NAMES = {
    crime_id(11): "On or near DUNOLLIE PLACE",
    crime_id(12): "On or near Dunollie Place",
    crime_id(13): "On or near ",
    crime_id(14): "On or near Leighton Road",
    crime_id(15): "On or near Dunollie Place",
}
ASB_NAMES = Counter({"On or near DUNOLLIE PLACE": 1, "On or near ": 1})


def names_folder(directory):
    write(directory, "2023-01/2023-01-metropolitan-street.csv", STREET, NAMES_STREET_2023_01)
    write(directory, "2023-02/2023-02-metropolitan-street.csv", STREET, NAMES_STREET_2023_02)
    for month, lines in NAMES_OUTCOMES.items():
        write(directory, f"{month}/{month}-metropolitan-outcomes.csv", OUTCOMES, lines)
    return directory


@pytest.fixture(scope="session")
def names_release(tmp_path_factory):
    folder = names_folder(tmp_path_factory.mktemp("names-archive"))
    return publish_archive(folder, tmp_path_factory.mktemp("names-releases"), key=KEY)


@pytest.fixture(scope="session")
def archive_release(tmp_path_factory):
    """The shipped demo files, published as an archive folder."""
    return publish_archive(default_sources_dir(), tmp_path_factory.mktemp("archive-releases"), key=KEY)


@pytest.fixture(scope="session")
def legacy_release(tmp_path_factory):
    """A small folder of two forces' older files, published."""
    folder = legacy_folder(tmp_path_factory.mktemp("legacy-archive"))
    return publish_archive(folder, tmp_path_factory.mktemp("legacy-releases"), key=KEY)


# Quirks of the real Met history, in the archive's own format: a month of 2011 whose
# crimes have no Crime ID (data.police.uk gave none from 2010-12 to 2011-11), two of its
# rows alike in every value; street rows sharing a Crime ID (real 2024-01 Met rows, the
# first outcomes-file row of each id with them, and one id of two rows whose history
# spans two outcomes files); a Met crime in a Welsh LSOA (its name is illustrative).
NO_ID_MET_STREET = [
    f",2011-01,{MET},-0.061485,51.495396,On or near Rotherhithe New Road,E01003925,Southwark 021A,Burglary,,",
    f",2011-01,{MET},-0.061485,51.495396,On or near Rotherhithe New Road,E01003925,Southwark 021A,Burglary,,",
    f",2011-01,{MET},-0.061485,51.495396,On or near Rotherhithe New Road,E01003925,Southwark 021A,"
    "Anti-social behaviour,,",
    f",2011-01,{MET},,,No Location,,,Vehicle crime,,",
    f",2011-01,{MET},-0.087074,51.475717,On or near Benhill Road,E01003917,Southwark 020C,Robbery,,",
]
SHARED = {  # Crime ID: (street rows, their last outcomes in file order)
    "04ccc6d056321a9661d1cf082e846b495a9fd7622cff1482c4b655f1698ce608": (
        "-0.004697,51.455091,On or near Pascoe Road,E01003282,Lewisham 013A",
        ["Investigation complete; no suspect identified", "Status update unavailable"],
    ),
    "075126345dc8e3c34744457c41da4ed570be0b56ff0ecf6bd86426215b73d760": (
        "-0.087074,51.475717,On or near Benhill Road,E01003917,Southwark 020C",
        ["Investigation complete; no suspect identified"] + ["Status update unavailable"] * 4,
    ),
    "0d4b42c44a17dccf849852c6ea6a9d8f0fb646200f126cb1828119fd439f4d85": (
        "-0.019679,51.589371,On or near Gaywood Road,E01004460,Waltham Forest 011D",
        ["Status update unavailable", "Investigation complete; no suspect identified"]
        + ["Status update unavailable"] * 2,
    ),
    "22cf8201626d737abb7b840c400d03d7038f12f129013d326be6df4632c4d56b": (
        "-0.058801,51.617470,On or near Argyle Road,E01001431,Enfield 033A",
        ["Status update unavailable", "Investigation complete; no suspect identified"],
    ),
    crime_id(7): (
        "-0.215019,51.572308,On or near Prayle Grove,E01000222,Barnet 040C",
        ["Investigation complete; no suspect identified", "Under investigation"],
    ),
}
SHARED_OUTCOMES = {  # outcomes file: rows as (Crime ID, outcome)
    "2024-01": [(pid, "Investigation complete; no suspect identified") for pid in list(SHARED)[:4]]
    + [(crime_id(7), "Under investigation")],
    "2024-02": [(crime_id(7), "Investigation complete; no suspect identified")],
}
WELSH = f"{crime_id(8)},2024-01,{MET},-3.179090,51.481583,On or near Queen Street,W01000936,Cardiff 032F,Burglary,,"


def _shared_street() -> list[str]:
    return [
        f"{pid},2024-01,{MET},{place},Burglary,{last},"
        for pid, (place, outcomes) in SHARED.items()
        for last in outcomes
    ]


def _shared_outcomes(month: str) -> list[str]:
    places = {pid: place for pid, (place, _) in SHARED.items()}
    # Outcomes files drop the trailing zeros of coordinates.
    return [
        f"{pid},{month},{MET},{places[pid].replace('51.617470', '51.61747')},{outcome}"
        for pid, outcome in SHARED_OUTCOMES[month]
    ]


def quirks_folder(directory: Path) -> Path:
    write(directory, "metropolitan/2011-01-metropolitan-street.csv", STREET, NO_ID_MET_STREET)
    write(directory, "metropolitan/2024-01-metropolitan-street.csv", STREET, [*_shared_street(), WELSH])
    for month in SHARED_OUTCOMES:
        write(directory, f"metropolitan/{month}-metropolitan-outcomes.csv", OUTCOMES, _shared_outcomes(month))
    return directory


@pytest.fixture(scope="session")
def quirks_release(tmp_path_factory):
    """The quirks folder, published into a data folder of its own (``release.path.parents[1]``)."""
    folder = quirks_folder(tmp_path_factory.mktemp("quirks-archive"))
    return publish_archive(folder, tmp_path_factory.mktemp("quirks-var") / "releases", key=KEY)


@pytest.fixture
def quirks_client(quirks_release):
    """A test client of the app serving the quirks release."""
    data_dir = quirks_release.path.parents[1]
    return create_app(
        {"TESTING": True, "DATA_DIR": str(data_dir), "PSEUDONYM_KEY": KEY.decode(), **UNLIMITED}
    ).test_client()


def serving(release, tmp_path: Path):
    """A test client of the app serving ``release`` (a published archive release)."""
    settings = {"RELEASES_DIR": str(release.path.parent), "PSEUDONYM_KEY": KEY.decode()}
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "var"), **settings, **UNLIMITED})
    return app.test_client()


@pytest.fixture
def legacy_client(legacy_release, tmp_path):
    return serving(legacy_release, tmp_path)
