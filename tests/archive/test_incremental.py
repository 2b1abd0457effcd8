"""An archive folder published again with a new month and a revised older one: only those
months are published again, and the release is the one a full publish of the folder gives."""

from __future__ import annotations

import os
import shutil

from gateway.archive.publish import publish_archive
from gateway.demo.sources import default_sources_dir
from gateway.publish.reuse import nquads_file
from tests.publish.test_incremental import _quads, _tables

from .conftest import KEY

NEW, REVISED = "2024-08", "2023-03"


def _street_file(folder, month: str):
    return folder / "city-of-london" / f"{month}-city-of-london-street.csv"


def test_an_archive_folder_is_published_incrementally(tmp_path):
    folder = tmp_path / "archive"
    shutil.copytree(default_sources_dir() / "city-of-london", folder / "city-of-london")
    held_back = tmp_path / "held-back.csv"
    shutil.move(_street_file(folder, NEW), held_back)
    releases_dir = tmp_path / "releases"
    base = publish_archive(folder, releases_dir, key=KEY)
    assert f"street-crime/{NEW}" not in base.manifest["partitions"]

    # An older month's file is reissued with one crime's last outcome changed: that month
    # alone is published again.
    revised = _street_file(folder, REVISED)
    text = revised.read_text()
    before, after = ",Unable to prosecute suspect,", ",Investigation complete; no suspect identified,"
    assert before in text
    revised.write_text(text.replace(before, after, 1))
    ours = publish_archive(folder, releases_dir, key=KEY)
    report = ours.manifest["incremental"]
    assert report["from"] == base.release_id
    assert report["published"] == [f"street-crime/{REVISED}"]
    assert report["digested"] == "every partition"  # an archive folder keeps no change log
    shared = "street-crime/2022-01"
    assert os.path.samefile(base.path / nquads_file(shared), ours.path / nquads_file(shared))
    assert not os.path.samefile(base.path / nquads_file(f"street-crime/{REVISED}"),
                                ours.path / nquads_file(f"street-crime/{REVISED}"))  # fmt: skip
    full = publish_archive(folder, tmp_path / "full", key=KEY)
    assert full.manifest["incremental"]["from"] is None
    assert _tables(ours.path) == _tables(full.path)
    assert _quads(ours.path) == _quads(full.path)
    assert ours.manifest["counts"] == full.manifest["counts"]

    # The next month's file arrives. Its new locations are new map points, which the
    # import derives from the files: a reference table every partition depends on, so
    # everything is published again (right, if not incremental).
    shutil.move(held_back, _street_file(folder, NEW))
    again = publish_archive(folder, releases_dir, key=KEY)
    assert again.manifest["incremental"]["reason"] == "the mappings, reference tables, key or code changed"
    assert f"street-crime/{NEW}" in again.manifest["partitions"]
    full = publish_archive(folder, tmp_path / "full-again", key=KEY)
    assert _quads(again.path) == _quads(full.path)
