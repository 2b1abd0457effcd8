"""Both JSON APIs answer the same from release tables in SQLite and in PostgreSQL.

The release published into a PostgreSQL schema (``GATEWAY_RELEASE_DATABASE_URL``) comes
from the same internal tables with the same key as the SQLite one, so every answer must be
identical, byte for byte once parsed. Without a PostgreSQL server the SQLite answers are
still checked for being real answers.
"""

from __future__ import annotations

import json

import pytest

from gateway import create_app
from gateway.current import registry
from gateway.publish import release_tables
from gateway.publish.pipeline import publish
from tests.conftest import POSTGRES_URL, RELEASE_KEY, UNLIMITED

MONTH = "2024-01"
STOPS_MONTH = "2022-09"  # the demo's stop and search month
QUERIES = [
    f"/api/v1/street-crime?from={MONTH}&to={MONTH}&borough=E09000001&_pageSize=200",
    "/api/v1/street-crime?bbox=-0.1,51.51,-0.08,51.52&_sort=-month&_pageSize=100",
    "/api/v1/anti-social-behaviour?_pageSize=50&_page=2",
    f"/api/v1/outcomes?from={MONTH}&_pageSize=100",
    "/api/v1/stop-and-search?_pageSize=100&ethnic_group=black",
    "/api/v1/use-of-force?_pageSize=100",
    "/api/v1/aggregates/stop-and-search?group=borough,outcome",
    "/api/v1/aggregates/street-crime?group=category",
    "/api/forces",
    "/api/crimes-street-dates",
    f"/api/crimes-street/all-crime?lat=51.5142&lng=-0.0885&date={MONTH}",
    f"/api/crimes-street/burglary?poly=51.515,-0.098:51.520,-0.090:51.510,-0.085&date={MONTH}",
    f"/api/crimes-no-location?category=all-crime&force=city-of-london&date={MONTH}",
    f"/api/stops-street?lat=51.5010&lng=-0.1416&date={STOPS_MONTH}",
    f"/api/stops-force?force=metropolitan&date={STOPS_MONTH}",
]


@pytest.fixture(scope="module")
def apps(published_dir, tmp_path_factory):
    """The demo release's app on SQLite tables, and on PostgreSQL ones when a server is set."""
    found = {"sqlite": create_app({"TESTING": True, "DATA_DIR": str(published_dir), **UNLIMITED})}
    if POSTGRES_URL is None:
        yield found
        registry(found["sqlite"]).close()
        return
    data_dir = tmp_path_factory.mktemp("published-postgres")
    result = publish(
        f"sqlite:///{published_dir / 'internal.sqlite'}",
        data_dir / "releases",
        key=RELEASE_KEY.encode(),
        release_database_url=POSTGRES_URL,
    )
    assert "schema" in result.manifest["tables"]
    settings = {"TESTING": True, "DATA_DIR": str(data_dir), "RELEASE_DATABASE_URL": POSTGRES_URL, **UNLIMITED}
    found["postgresql"] = create_app(settings)
    try:
        yield found
    finally:
        for app in found.values():
            registry(app).close()  # close the engines' pooled connections before the schema goes
        release_tables.discard([result.release_id], POSTGRES_URL)


def _answers(app, path: str) -> list:
    response = app.test_client().get(path, headers={"Accept": "application/json"})
    assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
    answer = json.loads(response.get_data(as_text=True))
    if isinstance(answer, dict):  # /api/v1 names the release, whose id is its publication time
        answer.pop("release", None)
    return answer


@pytest.mark.parametrize("path", QUERIES)
def test_every_release_table_backend_answers_the_same(apps, path):
    answers = {backend: _answers(app, path) for backend, app in apps.items()}
    sqlite = answers.pop("sqlite")
    assert sqlite, f"{path} answered nothing on the demo release"
    for backend, answer in answers.items():
        assert answer == sqlite, f"{path} differs between sqlite and {backend}"
