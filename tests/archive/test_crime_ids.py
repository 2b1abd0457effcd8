"""Crime IDs as the real archive has them: crimes with none, and rows sharing one.

Met files from 2010-12 to 2011-11 give no crime a Crime ID: their crimes are published
with an id the gateway makes, which our own outputs show and data.police.uk's formats
leave empty, as the source did. Street rows sharing a Crime ID are distinct crimes that
share the persistent id; the outcomes of the id are one history, which
/api/outcomes-for-crime/<id> returns whichever row holds it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections import Counter

import pytest
from rdflib import DCTERMS, Graph, Literal, URIRef
from sqlalchemy import create_engine, select

from gateway.archive import schema
from gateway.archive.load import import_archive
from gateway.publish import tables
from gateway.publish.vocabulary import load as load_vocabulary
from mappings.transforms import pseudonym

from .conftest import (
    KEY,
    MET,
    NO_ID_MET_STREET,
    SHARED,
    SHARED_OUTCOMES,
    STREET,
    quirks_folder,
    write,
)

MADE = re.compile(r"gateway-[0-9a-f]{32}")
BASE = "https://data.met.police.uk/"
API_NAMES = {
    "Investigation complete; no suspect identified": (
        "no-further-action",
        "Investigation complete; no suspect identified",
    ),
    "Under investigation": ("under-investigation", "Under investigation"),
}


def _street(release, month: str | None = None) -> list:
    engine = create_engine(f"sqlite:///{release.path / 'release.sqlite'}")
    with engine.connect() as conn:
        s = tables.street
        statement = select(s).order_by(s.c.id)
        rows = conn.execute(statement if month is None else statement.where(s.c.month == month)).all()
    engine.dispose()
    return rows


def _without_id(release) -> list:
    return [r for r in _street(release, "2011-01") if r.record == "RecordedCrime"]


# --- crimes without a Crime ID ---------------------------------------------------------------


def test_crimes_without_a_crime_id_are_published_not_rejected(quirks_release):
    manifest = json.loads((quirks_release.path / "manifest.json").read_text())
    assert manifest["rejected"]["rows"] == 0, manifest["rejected"]
    assert manifest["counts"]["street-crime"]["2011-01"] == len(NO_ID_MET_STREET)
    crimes = _without_id(quirks_release)
    assert len(crimes) == 4 and {r.category for r in crimes} == {"burglary", "vehicle-crime", "robbery"}
    assert all(MADE.fullmatch(r.persistent_id) for r in crimes), [r.persistent_id for r in crimes]
    assert len({r.persistent_id for r in crimes}) == 4, "rows alike in every value are two crimes"
    assert manifest["shacl"]["conforms"] is True and manifest["shacl"]["records_checked"] >= len(crimes)


def test_they_have_no_outcome_history(quirks_release):
    engine = create_engine(f"sqlite:///{quirks_release.path / 'release.sqlite'}")
    with engine.connect() as conn:
        ids = [r.id for r in _without_id(quirks_release)]
        assert len(ids) == 4
        o = tables.crime_outcome
        assert conn.execute(select(o).where(o.c.crime_id.in_(ids))).all() == []
    engine.dispose()


def _made_ids(folder, tmp_path) -> dict[str, list[str]]:
    """The made ids of an import of ``folder``, by crime type, in file order."""
    database = tmp_path / f"{folder.name}.sqlite"
    import_archive(folder, database, load_vocabulary(BASE))
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        c = schema.archive_crime
        rows = conn.execute(select(c.c.crime_type, c.c.persistent_id).where(c.c.persistent_id.like("gateway-%")))
        found: dict[str, list[str]] = {}
        for crime_type, persistent_id in rows:
            found.setdefault(crime_type, []).append(persistent_id)
    engine.dispose()
    return {k: sorted(v) for k, v in found.items()}


def test_made_ids_are_stable_when_the_files_are_published_again(quirks_release, tmp_path):
    again = quirks_release.path.parents[1] / "again"
    shutil.rmtree(again, ignore_errors=True)
    from gateway.archive.publish import publish_archive

    republished = publish_archive(quirks_folder(tmp_path / "archive"), again, key=KEY)
    ids = {(r.id, r.persistent_id) for r in _without_id(republished)}
    assert len(ids) == 4 and ids == {(r.id, r.persistent_id) for r in _without_id(quirks_release)}
    assert all(r.id == pseudonym(KEY, f"crime:{r.persistent_id}#0") for r in _without_id(republished))


def test_made_ids_survive_a_reissue_of_the_month(tmp_path):
    """A later archive re-issues the month: another file name (a filtered copy here), other
    rows added before and among them, their order changed, a last outcome filled in."""
    first = tmp_path / "first"
    write(first, "2011-01-metropolitan-street.csv", STREET, NO_ID_MET_STREET)
    burglary, twin, asb, vehicle, robbery = NO_ID_MET_STREET
    added = f",2011-01,{MET},-0.215019,51.572308,On or near Prayle Grove,E01000222,Barnet 040C,Burglary,,"
    reissued = [added, robbery, vehicle.removesuffix(",,") + ",Status update unavailable,", burglary, asb]
    reissued += [added, twin]
    assert reissued[2].endswith("Vehicle crime,Status update unavailable,")
    later = tmp_path / "later"
    write(later, "metropolitan/2011-01-metropolitan-street-reissued.csv", STREET, reissued)
    before, after = _made_ids(first, tmp_path), _made_ids(later, tmp_path)
    assert set(before["Robbery"]) <= set(after["Robbery"]) and set(before["Vehicle crime"]) <= set(
        after["Vehicle crime"]
    )
    assert set(before["Burglary"]) < set(after["Burglary"]), "the two alike rows keep their ids; the new ones differ"
    assert len(after["Burglary"]) == 4


def test_the_dump_keeps_the_crime_id_empty_as_the_source(quirks_release):
    path = quirks_release.path / "dumps/csv/2011-01/2011-01-metropolitan-street.csv"
    ours = Counter(path.read_text().splitlines()[1:])
    assert ours == Counter(NO_ID_MET_STREET), "the file given back, empty Crime IDs and all"


def test_the_police_uk_api_shows_no_persistent_id(quirks_client, quirks_release):
    located = quirks_client.get("/api/crimes-at-location?date=2011-01&lat=51.495396&lng=-0.061485").get_json()
    unlocated = quirks_client.get("/api/crimes-no-location?force=metropolitan&date=2011-01").get_json()
    crimes = [c for c in [*located, *unlocated] if c["category"] != "anti-social-behaviour"]
    assert len(crimes) == 3 and all(c["persistent_id"] == "" for c in crimes)
    for made in (r.persistent_id for r in _without_id(quirks_release)):
        assert quirks_client.get(f"/api/outcomes-for-crime/{made}").status_code == 404, "not a data.police.uk id"


def test_our_api_and_linked_data_use_the_made_id(quirks_client, quirks_release):
    body = quirks_client.get("/api/v1/street-crime?from=2011-01&to=2011-01&_pageSize=100").get_json()
    by_id = {item["id"]: item for item in body["items"]}
    crimes = _without_id(quirks_release)
    assert len(crimes) == 4 and {i: by_id[i]["persistent_id"] for i in by_id} == {r.id: r.persistent_id for r in crimes}
    for crime in crimes:
        assert by_id[crime.id]["uri"] == f"{BASE}id/crime/{crime.id}"
        document = quirks_client.get(f"/doc/crime/{crime.id}", headers={"Accept": "application/n-triples"})
        assert document.status_code == 200
        graph = Graph().parse(data=document.get_data(as_text=True), format="nt")
        assert set(graph.objects(URIRef(f"{BASE}id/crime/{crime.id}"), DCTERMS.identifier)) == {
            Literal(crime.persistent_id)
        }


# --- street rows sharing a Crime ID ----------------------------------------------------------


def test_rows_sharing_a_crime_id_are_distinct_crimes(quirks_release):
    rows = [r for r in _street(quirks_release, "2024-01") if r.persistent_id in SHARED]
    for pid, (_place, last_outcomes) in SHARED.items():
        mine = [r for r in rows if r.persistent_id == pid]
        assert len({r.id for r in mine}) == len(mine) == len(last_outcomes)
        keys = {pseudonym(KEY, f"crime:{pid}#{n}") for n in range(len(mine))}
        assert {r.id for r in mine} == keys, "the n-th row with the id"
        status = Counter(r.last_outcome for r in mine)
        assert sum(status.values()) == len(last_outcomes), "each row keeps its own last outcome"


def test_each_outcomes_file_row_is_published_once(quirks_release):
    sources = sum(len(rows) for rows in SHARED_OUTCOMES.values())
    manifest = json.loads((quirks_release.path / "manifest.json").read_text())
    assert sum(manifest["counts"]["outcomes"].values()) == sources
    for month, rows in SHARED_OUTCOMES.items():
        text = (quirks_release.path / f"dumps/csv/{month}/{month}-metropolitan-outcomes.csv").read_text()
        published = [line.split(",")[0] for line in text.splitlines()[1:]]
        assert Counter(published) == Counter(pid for pid, _ in rows)


def _expected_history(pid: str) -> list[dict]:
    history = [(month, outcome) for month, rows in sorted(SHARED_OUTCOMES.items()) for p, outcome in rows if p == pid]
    return [
        {"category": {"code": API_NAMES[o][0], "name": API_NAMES[o][1]}, "date": month, "person_id": None}
        for month, o in history
    ]


def test_outcomes_for_crime_returns_the_history_of_the_persistent_id(quirks_client):
    # The rows' record ids are keyed hashes: for some of the ids, the first row (which holds
    # the history) does not have the lowest record id of the rows sharing it.
    first_is_not_lowest = [
        pid
        for pid, (_place, outcomes) in SHARED.items()
        if pseudonym(KEY, f"crime:{pid}#0") != min(pseudonym(KEY, f"crime:{pid}#{n}") for n in range(len(outcomes)))
    ]
    assert first_is_not_lowest, "the fixture must hold an id whose first row has not the lowest record id"
    for pid in SHARED:
        response = quirks_client.get(f"/api/outcomes-for-crime/{pid}")
        assert response.status_code == 200, pid
        answer = response.get_json()
        assert answer["outcomes"] == _expected_history(pid), pid
        assert answer["crime"]["persistent_id"] == pid
        assert answer["crime"]["id"] == pseudonym(KEY, f"crime:{pid}#0"), "the row that holds the history"
        assert answer["crime"]["month"] == "2024-01" and "outcome_status" not in answer["crime"]


def test_every_row_states_the_month_of_its_last_outcome_from_the_history(quirks_client):
    crimes = quirks_client.get("/api/crimes-at-location?date=2024-01&lat=51.572308&lng=-0.215019").get_json()
    mine = {c["id"]: c["outcome_status"] for c in crimes if c["persistent_id"] == f"{7:064x}"}
    assert sorted(mine.values(), key=lambda s: s["date"]) == [
        {"category": "Under investigation", "date": "2024-01"},
        {"category": "Investigation complete; no suspect identified", "date": "2024-02"},
    ]


@pytest.mark.parametrize("kind", ["street", "outcomes"])
def test_the_dumps_give_the_shared_ids_back(quirks_release, kind):
    month = "2024-01"
    text = (quirks_release.path / f"dumps/csv/{month}/{month}-metropolitan-{kind}.csv").read_text()
    ids = Counter(row["Crime ID"] for row in csv.DictReader(io.StringIO(text)))
    if kind == "street":
        expected = Counter({pid: len(outcomes) for pid, (_place, outcomes) in SHARED.items()})
        assert ids - Counter({f"{8:064x}": 1}) == expected
    else:
        assert ids == Counter(pid for pid, _ in SHARED_OUTCOMES[month])


def test_the_shipped_files_ids_shared_by_rows_keep_their_outcomes(archive_release, sources, tmp_path):
    """The real files that ship with the gateway: every id several street rows share and
    the outcomes files name answers with those outcomes-file rows."""
    from gateway import create_app
    from tests.conftest import UNLIMITED

    rows = Counter(r.crime_id for r in sources.street if r.crime_id)
    history: dict[str, list[tuple[str, str]]] = {}
    for o in sources.outcomes:
        if rows[o.crime_id] > 1:
            history.setdefault(o.crime_id, []).append((o.outcome, o.month))
    assert len(history) >= 20
    settings = {"TESTING": True, "DATA_DIR": str(tmp_path), "RELEASES_DIR": str(archive_release.path.parent)}
    client = create_app({**settings, **UNLIMITED}).test_client()
    for pid, expected in history.items():
        answer = client.get(f"/api/outcomes-for-crime/{pid}").get_json()
        assert [(o["category"]["code"], o["date"]) for o in answer["outcomes"]] == sorted(expected, key=lambda e: e[1])
