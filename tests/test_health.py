"""Liveness and readiness, and the JSON error envelope for unrouted requests."""

from __future__ import annotations

from pathlib import Path

from gateway import create_app
from gateway.demo.build import build_demo_data


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_not_ready_without_database_or_release(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready"
    assert body["checks"]["release"]["ok"] is False
    assert "gateway publish" in body["checks"]["release"]["message"]


def test_unreachable_database_is_not_echoed(tmp_path):
    secret = "postgresql://met:s3cret-password@127.0.0.1:9/records"
    client = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "DATABASE_URL": secret}).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == {
        "ok": False,
        "message": "the internal database is not reachable",
    }
    assert b"s3cret" not in response.data and b"127.0.0.1" not in response.data


def test_ready_with_database_and_current_release(tmp_path):
    data_dir = tmp_path / "var"
    build_demo_data(f"sqlite:///{data_dir / 'internal.sqlite'}")
    release = data_dir / "releases" / "2024-02-29T000000Z"
    release.mkdir(parents=True)
    (release / "manifest.json").write_text("{}")
    (data_dir / "releases" / "current").symlink_to(release.name)
    client = create_app({"TESTING": True, "DATA_DIR": str(data_dir)}).test_client()
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"]["release"] == {"ok": True, "id": release.name}


def test_dangling_current_link_is_not_a_release(tmp_path):
    releases = Path(tmp_path) / "releases"
    releases.mkdir()
    (releases / "current").symlink_to("gone")
    client = create_app({"TESTING": True, "DATA_DIR": str(tmp_path)}).test_client()
    assert client.get("/readyz").get_json()["checks"]["release"]["ok"] is False


def test_unrouted_and_wrong_method_use_the_error_envelope(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.headers["Allow"]
    assert response.get_json()["error"]["title"] == "Method Not Allowed"
