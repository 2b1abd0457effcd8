"""Publishing: the manifest, failures that change nothing, kills, identical republishing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from gateway import integrity, releases
from gateway.cli import main
from gateway.demo.build import build_demo_data
from gateway.publish import dumps, pipeline
from gateway.publish.pipeline import PublishError, publish
from mappings import INTERNAL

from .conftest import KEY


def test_the_manifest_describes_the_release(release, sources):
    manifest = json.loads((release.path / "manifest.json").read_text())
    assert manifest["release"] == release.release_id == releases.current_release(release.path.parent)
    assert manifest["source"]["extracted_at"]
    assert set(manifest["mappings"]) == {p.stem for p in INTERNAL.glob("*.yaml")}
    assert manifest["counts"]["street-crime"]["2024-01"] == sum(1 for r in sources.street if r.month == "2024-01")
    assert manifest["counts"]["stop-and-search"]["2022-09"] == 12_447
    assert manifest["shacl"]["conforms"] is True and manifest["shacl"]["records_checked"] > 100
    assert manifest["statements"] > 500_000
    assert all(len(f["sha256"]) == 64 and f["bytes"] > 0 for f in manifest["files"])
    assert "password" not in json.dumps(manifest)
    # The RDF store's data files are listed too (not downloads), and the release was
    # verified against the manifest before it became current.
    stored = {f["path"] for f in manifest["store_files"]}
    assert stored == {f"store/{p.name}" for p in integrity.store_files(release.path / "store")}
    assert any(name.endswith(".sst") for name in stored) and not any(f["path"] in stored for f in manifest["files"])
    verdict = json.loads((release.path / integrity.VERDICT_FILE).read_text())
    assert verdict["ok"] is True and set(stored) <= set(verdict["fingerprint"])


def test_restricted_crimes_are_dropped_with_the_reason(release):
    manifest = json.loads((release.path / "manifest.json").read_text())
    reasons = {d["reason"] for d in manifest["dropped"]}
    assert reasons <= {"subject to a reporting restriction"}, reasons  # the demo at scale 1 restricts nothing


def published_files(path):
    manifest = json.loads((path / "manifest.json").read_text())
    return {f["path"]: f["sha256"] for f in manifest["files"]}


def test_failure_at_any_stage_leaves_the_previous_release(release, monkeypatch):
    releases_dir = release.path.parent
    before = sorted(p.name for p in releases_dir.iterdir())

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(dumps, "write_csv_dumps", broken)
    with pytest.raises(OSError, match="disk full"):
        publish(_unmasked(release), releases_dir, key=KEY)
    assert sorted(p.name for p in releases_dir.iterdir()) == before
    assert releases.current_release(releases_dir) == release.release_id


def _unmasked(release) -> str:
    from tests.conftest import POSTGRES_URL

    source = release.manifest["source"]["database"]
    return POSTGRES_URL if source.startswith("postgresql") else source


def test_a_release_that_breaks_the_shapes_is_not_published(release, tmp_path):
    mappings = tmp_path / "mappings"
    shutil.copytree(INTERNAL, mappings)
    path = mappings / "crime_report.yaml"
    # A valid property of the vocabulary, but not one a recorded crime may carry.
    path.write_text(path.read_text().replace("property: dcterms:identifier", "property: pol:streetId"))
    releases_dir = release.path.parent
    with pytest.raises(PublishError, match="does not conform") as caught:
        publish(_unmasked(release), releases_dir, key=KEY, mappings_dir=mappings)
    assert "streetId" in str(caught.value)
    assert releases.current_release(releases_dir) == release.release_id
    assert not list(releases_dir.glob(".building-*"))


def test_the_same_data_gives_identical_files_from_any_backend(release, tmp_path):
    """Rebuilt with the same seed into SQLite and published again: byte-identical files,
    whether the session's release came from SQLite or from PostgreSQL."""
    url = f"sqlite:///{tmp_path / 'internal.sqlite'}"
    build_demo_data(url)
    again = publish(url, tmp_path / "again", key=KEY)
    assert published_files(again.path) == published_files(release.path)


def test_a_killed_publish_leaves_no_partial_release(release, tmp_path):
    releases_dir = tmp_path / "releases"
    shutil.copytree(release.path, releases_dir / release.release_id, symlinks=True)
    releases.switch_to(releases_dir, release.release_id)
    code = "from gateway.cli import main; main()"
    # --full: built on the copied release, publishing the same tables would share every
    # partition and be done before the kill (tests/publish/test_incremental.py kills those)
    args = ["publish", "-q", "--full", "--database", _unmasked(release), "--releases", str(releases_dir)]
    env = {**os.environ, "GATEWAY_PSEUDONYM_KEY": KEY.decode()}
    child = subprocess.Popen([sys.executable, "-c", code, *args], env=env)
    deadline = time.monotonic() + 60
    while not list(releases_dir.glob(".building-*/release.sqlite")):
        assert child.poll() is None and time.monotonic() < deadline, "the publish never started building"
        time.sleep(0.05)
    time.sleep(1.0)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert [r["id"] for r in releases.list_releases(releases_dir)] == [release.release_id]
    assert releases.current_release(releases_dir) == release.release_id
    # The next publish clears what the killed one left behind.
    pipeline._clear_remains(releases_dir)
    assert not list(releases_dir.glob(".building-*"))


def test_cli_publish(runner, release, tmp_path):
    result = runner.invoke(
        main, ["publish", "-q", "--database", _unmasked(release), "--releases", str(tmp_path), "--keep", "1"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("published release ")
    assert releases.current_release(tmp_path) is not None
    bad = runner.invoke(main, ["publish", "-q", "--database", "oracle://x@y/z", "--releases", str(tmp_path)])
    assert bad.exit_code == 2 and "unsupported database URL scheme 'oracle'" in bad.output


def test_cli_publish_if_missing(runner, release):
    result = runner.invoke(main, ["publish", "--if-missing", "--releases", str(release.path.parent)])
    assert result.exit_code == 0
    assert result.output.strip() == f"release {release.release_id} is current; nothing to do"


_STATEMENTS_DIGEST = """
import hashlib
from mappings import INTERNAL, load_mappings
from gateway.publish.context import INTERNAL_TABLES, internal_schema
from gateway.publish.cubes import CubeBuilder
from gateway.publish.pipeline import DEFAULT_BASE
from gateway.publish.rdf import RdfBuilder
from gateway.publish.vocabulary import load

vocabulary = load(DEFAULT_BASE)
builder = RdfBuilder(vocabulary, load_mappings(INTERNAL, internal_schema(INTERNAL_TABLES), vocabulary.terms()))
cubes = CubeBuilder(vocabulary, 5)
text = "".join([*builder.organisations(), *builder.vocabulary_quads(), *cubes.structure_statements()])
print(hashlib.sha256(text.encode()).hexdigest())
"""


def test_statements_not_from_the_tables_are_the_same_in_every_process():
    """The in-process republishing test above cannot see it: a publish is its own process,
    and Python orders sets and dicts of strings differently in each (PYTHONHASHSEED)."""
    digests = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _STATEMENTS_DIGEST], env=env, capture_output=True, text=True, check=True
        )
        digests.add(done.stdout.strip())
    assert len(digests) == 1


_TABLES_SCHEMA = """
import sqlite3, sys, tempfile
from pathlib import Path
from gateway.publish import release_tables

with tempfile.TemporaryDirectory() as folder:
    tables = release_tables.create(Path(folder), "R", None)
    tables.dispose()
    with sqlite3.connect(Path(folder) / release_tables.SQLITE_FILE) as db:
        print("\\n".join(sql or "" for (sql,) in db.execute("SELECT sql FROM sqlite_master ORDER BY rowid")))
"""


def test_the_release_tables_are_created_in_the_same_order_in_every_process():
    """The order of CREATE statements shapes the SQLite file, byte for byte."""
    schemas = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        command = [sys.executable, "-c", _TABLES_SCHEMA]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        schemas.add(done.stdout)
    assert len(schemas) == 1 and "CREATE INDEX" in schemas.pop()
