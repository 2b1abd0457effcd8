"""The WSGI app under gunicorn (gunicorn.conf.py, wsgi:app), over real HTTP on 127.0.0.1."""

from __future__ import annotations

from tests.live import gunicorn


def test_gunicorn_serves_health_and_is_not_ready_without_a_release(tmp_path):
    with gunicorn(tmp_path, workers=2) as server:
        response = server.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        ready = server.get("/readyz")
        assert ready.status_code == 503
        assert "release" in ready.text
