"""Liveness and readiness, releases verified before they are served, and the JSON error
envelope for unrouted requests."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from gateway import create_app, integrity, releases
from tests.catalog.conftest import fetch
from tests.conftest import UNLIMITED

OLD, NEW, NEWER = "20200101T000000Z", "20200201T000000Z", "20200301T000000Z"
STREET_CSV = "dumps/csv/2024-01/2024-01-metropolitan-street.csv"


def copy_release(published_dir: Path, releases_dir: Path, release_id: str) -> Path:
    """The session's demo release as ``release_id``, its files hard-linked (cheap, and
    safe as long as a test replaces a file rather than writing into it: ``replace``)."""
    source = (published_dir / "releases" / releases.CURRENT).resolve()
    return Path(shutil.copytree(source, releases_dir / release_id, copy_function=os.link))


def replace(path: Path, data: bytes) -> None:
    path.unlink()
    path.write_bytes(data)


def truncate(path: Path) -> None:
    replace(path, path.read_bytes()[: path.stat().st_size // 2])


def biggest_store_file(release: Path) -> Path:
    return max((release / "store").glob("*.sst"), key=lambda p: p.stat().st_size)


@pytest.fixture
def data_dir(published_dir, tmp_path) -> Path:
    """A data directory with two intact releases, OLD and NEW (current), and no internal database."""
    data = tmp_path / "var"
    (data / "releases").mkdir(parents=True)
    for release_id in (OLD, NEW):
        copy_release(published_dir, data / "releases", release_id)
    releases.switch_to(data / "releases", NEW)
    return data


def app_on(data_dir: Path, **settings):
    return create_app({"TESTING": True, "DATA_DIR": str(data_dir), **UNLIMITED, **settings})


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_not_ready_without_a_release(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready"
    assert body["checks"]["release"]["ok"] is False
    assert "gateway publish" in body["checks"]["release"]["message"]


def test_ready_needs_no_internal_database(data_dir):
    """A public server has no credentials for the internal records: /readyz never asks it."""
    secret = "postgresql://met:s3cret-password@127.0.0.1:9/records"
    response = app_on(data_dir, DATABASE_URL=secret).test_client().get("/readyz")
    assert response.status_code == 200, response.get_json()
    checks = response.get_json()["checks"]
    assert set(checks) == {"release", "tables"}
    assert checks["release"]["ok"] is True and checks["release"]["id"] == NEW and checks["release"]["verified_at"]
    assert checks["tables"] == {"ok": True}
    assert b"s3cret" not in response.data


def test_dangling_current_link_is_not_a_release(tmp_path):
    releases_dir = Path(tmp_path) / "releases"
    releases_dir.mkdir()
    (releases_dir / "current").symlink_to("gone")
    client = create_app({"TESTING": True, "DATA_DIR": str(tmp_path)}).test_client()
    assert client.get("/readyz").get_json()["checks"]["release"]["ok"] is False


def test_a_switch_to_a_release_with_truncated_tables_serves_the_one_before(data_dir, published_dir):
    """Outside testing: a truncated release.sqlite made every /api request a 500 while
    /readyz said ready. Now the switch is refused: the last intact release goes on."""
    client = app_on(data_dir).test_client()
    before = client.get("/api/crimes-street-dates")
    assert before.status_code == 200
    broken = copy_release(published_dir, data_dir / "releases", NEWER)
    truncate(broken / "release.sqlite")
    releases.switch_to(data_dir / "releases", NEWER)

    ready = client.get("/readyz")
    assert ready.status_code == 503
    release = ready.get_json()["checks"]["release"]
    assert release["ok"] is False and release["id"] == NEWER and release["serving"] == NEW
    assert "release.sqlite: " in release["message"] and "the manifest says" in release["message"]
    assert f"serving {NEW}, the newest intact release before it" in release["message"]
    after = client.get("/api/crimes-street-dates")
    assert after.status_code == 200 and after.get_json() == before.get_json()
    assert NEW in client.get("/api/v1/datasets").headers["ETag"]


def test_a_truncated_store_file_at_startup_is_found(data_dir):
    """Outside testing: a truncated store file gave /sparql 400 and /doc 500."""
    truncate(biggest_store_file(data_dir / "releases" / NEW))
    app = app_on(data_dir, SPARQL_QUERY_LOG="")
    client = app.test_client()
    try:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        release = ready.get_json()["checks"]["release"]
        assert release["serving"] == OLD and "store/" in release["message"]
        assert str(data_dir) not in release["message"]  # no server paths in a public answer
        query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"}
        count = client.get("/sparql", query_string=query)
        assert count.status_code == 200 and int(count.get_json()["results"]["bindings"][0]["n"]["value"]) > 500_000
        assert client.get("/.well-known/void", headers={"Accept": "text/turtle"}).status_code == 200
    finally:
        app.extensions["gateway.sparql"].backend.close()  # its engine processes


def test_with_no_intact_release_nothing_is_served(data_dir):
    shutil.rmtree(data_dir / "releases" / OLD)
    truncate(data_dir / "releases" / NEW / "release.sqlite")
    client = app_on(data_dir).test_client()
    ready = client.get("/readyz").get_json()["checks"]["release"]
    assert ready["ok"] is False and ready["serving"] is None and "no release before it is intact" in ready["message"]
    api = client.get("/api/crimes-street-dates")
    assert api.status_code == 503 and "failed verification" in api.get_data(as_text=True)
    assert client.get("/downloads").status_code == 503
    assert client.get(f"/downloads/{STREET_CSV}").status_code == 503


def test_a_download_truncated_after_verification_is_not_served_under_the_manifests_digest(data_dir):
    client = app_on(data_dir).test_client()
    whole = fetch(client, f"/downloads/{STREET_CSV}")
    assert whole.status_code == 200
    truncate(data_dir / "releases" / NEW / STREET_CSV)
    refused = fetch(client, f"/downloads/{STREET_CSV}")
    assert refused.status_code == 503 and "ETag" not in refused.headers and "Digest" not in refused.headers
    assert "not the file the release's manifest lists" in refused.get_json()["error"]["message"]
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert STREET_CSV in ready.get_json()["checks"]["release"]["message"]
    again = fetch(client, f"/downloads/{STREET_CSV}")  # now from the intact release before it
    assert again.status_code == 200 and again.get_data() == whole.get_data()


def test_an_unreadable_manifest_is_a_failed_release_not_no_release(data_dir):
    replace(data_dir / "releases" / NEW / "manifest.json", b'{"release": "2020')
    ready = app_on(data_dir).test_client().get("/readyz").get_json()["checks"]["release"]
    assert ready["id"] == NEW and "manifest.json: not readable as JSON" in ready["message"] and ready["serving"] == OLD


def test_a_repaired_release_is_served_again(data_dir):
    sqlite = data_dir / "releases" / NEW / "release.sqlite"
    whole = sqlite.read_bytes()
    truncate(sqlite)
    client = app_on(data_dir).test_client()
    assert client.get("/readyz").status_code == 503
    replace(sqlite, whole)
    assert client.get("/readyz").status_code == 200
    assert NEW in client.get("/api/v1/datasets").headers["ETag"]


def test_the_verdict_is_kept_and_reused_until_a_file_changes(data_dir, monkeypatch):
    path = data_dir / "releases" / NEW
    manifest = releases_manifest(path)
    first = integrity.check(path, manifest)
    assert first.ok and first.problems == [] and (path / integrity.VERDICT_FILE).is_file()

    def no_hashing(*_args):
        raise AssertionError("verified again although nothing changed")

    monkeypatch.setattr(integrity, "verify", no_hashing)
    assert integrity.check(path, manifest) == first
    monkeypatch.undo()
    target = path / STREET_CSV
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 1))
    again = integrity.check(path, manifest)
    assert again.ok and again.checked_at >= first.checked_at and again.fingerprint != first.fingerprint


def test_a_store_file_changed_in_place_fails_its_checksum(data_dir):
    """Same size, one byte different: only the SHA-256 the manifest keeps can tell."""
    path = data_dir / "releases" / NEW
    sst = biggest_store_file(path)
    data = bytearray(sst.read_bytes())
    data[len(data) // 2] ^= 0xFF
    replace(sst, bytes(data))
    verdict = integrity.check(path, releases_manifest(path))
    assert not verdict.ok
    assert f"store/{sst.name}: its SHA-256 is not the manifest's" in verdict.problems


def test_under_gunicorn_every_worker_serves_the_intact_release(data_dir):
    """The issue's setting: a real server started on a release whose tables are truncated."""
    from tests.live import gunicorn

    truncate(data_dir / "releases" / NEW / "release.sqlite")
    with gunicorn(data_dir, {**UNLIMITED}, workers=2, threads=2) as server:
        statuses = {
            server.get("/api/crimes-street-dates", headers={"Connection": "close"}).status_code for _ in range(12)
        }
        ready = server.get("/readyz")
        log = "".join(p.read_text(errors="replace") for p in data_dir.glob("gunicorn-*.log"))
    assert statuses == {200}
    assert ready.status_code == 503 and ready.json()["checks"]["release"]["serving"] == OLD
    assert "Traceback" not in log


def releases_manifest(path: Path) -> dict:
    return json.loads((path / releases.MANIFEST).read_text())


def test_unrouted_and_wrong_method_use_the_error_envelope(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.headers["Allow"]
    assert response.get_json()["error"]["title"] == "Method Not Allowed"


def test_gateway_verify_says_whether_a_release_is_intact(data_dir, runner):
    from gateway.cli import main

    intact = runner.invoke(main, ["verify", "--data-dir", str(data_dir)])
    assert intact.exit_code == 0 and f"release {NEW} is intact" in intact.output
    truncate(data_dir / "releases" / OLD / STREET_CSV)
    broken = runner.invoke(main, ["verify", "--data-dir", str(data_dir), OLD])
    assert broken.exit_code == 1
    assert f"release {OLD} is not intact" in broken.output and f"{STREET_CSV}: " in broken.output
    # --full hashes again even when the kept verdict matches the files
    again = runner.invoke(main, ["verify", "--data-dir", str(data_dir), "--full"])
    assert again.exit_code == 0 and "intact" in again.output
    assert runner.invoke(main, ["verify", "--data-dir", str(data_dir), "19990101T000000Z"]).exit_code == 2


@pytest.mark.parametrize("manifest", [b"[]", b'{"files": [{"path": "release.sqlite"}], "store_files": ["x"]}'])
def test_a_manifest_of_the_wrong_shape_is_a_failed_release(data_dir, manifest):
    replace(data_dir / "releases" / NEW / "manifest.json", manifest)
    ready = app_on(data_dir).test_client().get("/readyz")
    assert ready.status_code == 503
    release = ready.get_json()["checks"]["release"]
    assert release["id"] == NEW and release["serving"] == OLD and "manifest.json" in release["message"]
