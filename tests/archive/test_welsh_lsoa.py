"""LSOA codes of Wales (W01) as well as of England (E01): real Met files hold Welsh ones.
(The record shapes' side: ``tests/vocab/test_shapes.py``.)"""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import create_engine, select

from gateway.publish import tables

from .conftest import WELSH

CODE, NAME = "W01000936", "Cardiff 032F"


def _welsh_crime(release):
    engine = create_engine(f"sqlite:///{release.path / 'release.sqlite'}")
    with engine.connect() as conn:
        crime = conn.execute(select(tables.street).where(tables.street.c.lsoa_code == CODE)).one_or_none()
        lsoa = conn.execute(select(tables.lsoa).where(tables.lsoa.c.code == CODE)).one_or_none()
    engine.dispose()
    return crime, lsoa


def test_a_met_crime_in_a_welsh_lsoa_is_published(quirks_release):
    manifest = json.loads((quirks_release.path / "manifest.json").read_text())
    assert manifest["rejected"]["rows"] == 0 and manifest["shacl"]["conforms"] is True
    crime, lsoa = _welsh_crime(quirks_release)
    assert crime is not None and crime.persistent_id == f"{8:064x}" and crime.borough_code is None
    assert lsoa is not None and lsoa.name == NAME


def test_the_dump_gives_the_row_back(quirks_release):
    text = (quirks_release.path / "dumps/csv/2024-01/2024-01-metropolitan-street.csv").read_text()
    rows = [row for row in csv.reader(io.StringIO(text)) if CODE in row]
    assert [",".join(row) for row in rows] == [WELSH]


def test_our_api_filters_by_a_welsh_lsoa(quirks_client, quirks_release):
    crime, _lsoa = _welsh_crime(quirks_release)
    response = quirks_client.get(f"/api/v1/street-crime?lsoa={CODE}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [item["id"] for item in response.get_json()["items"]] == [crime.id]
    assert quirks_client.get("/api/v1/street-crime?lsoa=E00000001").status_code == 400, "an output area is no LSOA"


def test_linked_data_links_the_lsoa_to_its_page(quirks_client, quirks_release):
    crime, _lsoa = _welsh_crime(quirks_release)
    page = quirks_client.get(f"/doc/crime/{crime.id}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'href="/doc/lsoa/{CODE}"' in page and f"{NAME} ({CODE})" in page
    area = quirks_client.get(f"/doc/lsoa/{CODE}", headers={"Accept": "text/html"})
    assert area.status_code == 200 and NAME in area.get_data(as_text=True)
