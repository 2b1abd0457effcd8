"""The app factory and the layering of settings: defaults, GATEWAY_* variables, the mapping."""

from __future__ import annotations

from pathlib import Path

from gateway import create_app
from gateway.config import load_settings


def test_defaults():
    settings = load_settings(environ={})
    assert settings["DATA_DIR"] == str(Path.cwd() / "var")
    assert settings["DATABASE_URL"] == f"sqlite:///{Path('var/internal.sqlite').resolve()}"
    assert settings["RELEASES_DIR"] == str(Path.cwd() / "var" / "releases")
    assert settings["TRUSTED_PROXIES"] == ""  # no proxy header is believed unless configured


def test_relative_paths_are_taken_from_the_working_directory_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={"GATEWAY_DATA_DIR": "./data", "GATEWAY_RELEASES_DIR": "pub"})
    assert settings["DATA_DIR"] == str(tmp_path / "data")
    assert settings["RELEASES_DIR"] == str(tmp_path / "pub")


def test_the_old_name_of_trusted_proxies_still_works():
    assert load_settings(environ={"GATEWAY_FORWARDED_ALLOW_IPS": "10.0.0.1"})["TRUSTED_PROXIES"] == "10.0.0.1"
    both = {"GATEWAY_FORWARDED_ALLOW_IPS": "10.0.0.1", "GATEWAY_TRUSTED_PROXIES": "10.0.0.2"}
    assert load_settings(environ=both)["TRUSTED_PROXIES"] == "10.0.0.2"
    assert load_settings({"FORWARDED_ALLOW_IPS": "10.0.0.3"}, environ=both)["TRUSTED_PROXIES"] == "10.0.0.3"


def test_environment_overrides_defaults():
    settings = load_settings(environ={"GATEWAY_DATA_DIR": "/srv/met", "GATEWAY_RATE_LIMIT": "15", "OTHER": "x"})
    assert settings["DATA_DIR"] == "/srv/met"
    assert settings["DATABASE_URL"] == "sqlite:////srv/met/internal.sqlite"
    assert settings["RELEASES_DIR"] == "/srv/met/releases"
    assert settings["RATE_LIMIT"] == 15
    assert "OTHER" not in settings


def test_mapping_overrides_environment():
    environ = {"GATEWAY_DATA_DIR": "/srv/met", "GATEWAY_DATABASE_URL": "postgresql://met@db/records"}
    settings = load_settings({"DATABASE_URL": "sqlite:////tmp/t.sqlite"}, environ=environ)
    assert settings["DATA_DIR"] == "/srv/met"
    assert settings["DATABASE_URL"] == "sqlite:////tmp/t.sqlite"


def test_strings_that_look_like_json_stay_strings():
    settings = load_settings(environ={"GATEWAY_DATABASE_URL": "null", "GATEWAY_DATA_DIR": "[1]"})
    assert Path(settings["DATA_DIR"]).name == "[1]"


def test_create_app_layers_environment_and_mapping(monkeypatch, tmp_path):
    monkeypatch.setenv("GATEWAY_DATA_DIR", str(tmp_path / "from-env"))
    app = create_app()
    assert not app.testing
    assert app.config["DATA_DIR"] == str(tmp_path / "from-env")
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "from-test")})
    assert app.testing
    assert app.config["DATA_DIR"] == str(tmp_path / "from-test")
    assert app.config["DATABASE_URL"].endswith("from-test/internal.sqlite")
