"""The release being served: found per request, switched without a restart."""

from __future__ import annotations

import shutil

import pytest
from werkzeug.exceptions import ServiceUnavailable

from gateway import create_app, releases
from gateway.current import current_release, registry


def test_no_release_is_a_503_with_a_reason(app):
    with app.app_context(), pytest.raises(ServiceUnavailable) as raised:
        current_release()
    assert "gateway publish" in raised.value.description


def test_the_current_release_and_its_tables(release_app):
    with release_app.app_context():
        release = current_release()
        assert release.etag == f'"{release.id}"'
        assert release.months == sorted(release.months, reverse=True)
        assert release.months[0] == max(release.manifest["counts"]["street-crime"])
        with release.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM street").scalar() > 0
        # Read-only: nothing can be written to a published release by mistake.
        with pytest.raises(Exception, match=r"readonly|read-only"), release.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM street")


def test_a_new_current_release_is_picked_up_and_the_old_one_retired(published_dir, tmp_path):
    data_dir = tmp_path / "var"
    shutil.copytree(published_dir / "releases", data_dir / "releases", symlinks=True)
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir)})
    first = releases.current_release(data_dir / "releases")
    retired = []
    registry(app).on_retire(retired.append)
    with app.app_context():
        assert current_release().id == first
    # Two more releases (copies): the first is retired once it is two behind.
    for name in ("20990101T000000Z", "20990101T000001Z"):
        shutil.copytree(data_dir / "releases" / first, data_dir / "releases" / name)
        releases.switch_to(data_dir / "releases", name)
        with app.app_context():
            assert current_release().id == name
    assert [r.id for r in retired] == [first]


def test_pages_render_without_a_release(app):
    with app.test_request_context("/"):
        from flask import render_template_string

        html = render_template_string('{% extends "base.html" %}{% block main %}hi{% endblock %}')
    assert "Met Open Data Gateway" in html and "Release <code>" not in html
