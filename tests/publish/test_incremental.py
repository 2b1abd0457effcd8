"""Incremental publishing: a new month and a revised older month onto a published history.

The history: the demo internal tables without their last month (published in full), then
the same tables with the last month back and one outcome of a March 2023 crime revised
(published on top of it). The same final tables are also published in full elsewhere, and
the incremental release must be that release: the same records, statements and files.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest
from sqlalchemy import create_engine

from gateway import create_app, integrity, releases
from gateway.cli import main
from gateway.demo.build import build_demo_data
from gateway.internal import changes
from gateway.internal.database import make_engine
from gateway.publish.context import INTERNAL_TABLES
from gateway.publish.partitions import tracked_tables
from gateway.publish.pipeline import DEFAULT_BASE, PublishError, PublishResult, load_checked_mappings, publish
from gateway.publish.rdf import RdfBuilder
from gateway.publish.reuse import nquads_file
from gateway.publish.validation import sample_quads
from gateway.publish.vocabulary import load as load_vocabulary
from mappings import INTERNAL
from tests.conftest import UNLIMITED

from .conftest import KEY

NEW_MONTH = "2024-08"
REVISED_MONTH = "2023-03"
# Each top-level internal table's month column, and its children's (table, reference, key).
MONTH_COLUMNS = {
    "crime_report": ("recorded_at", ("crime_outcome", "crime_ref", "internal_ref")),
    "anti_social_behaviour": ("reported_at", None),
    "stop_search": ("searched_at", None),
    "use_of_force": ("occurred_at", ("use_of_force_tactic", "uof_ref", "internal_ref")),
}


def without_month(database: Path, month: str) -> None:
    """Delete a month's rows (by UTC date: the London month's edges may stay) and their children."""
    with sqlite3.connect(database) as conn:
        for table, (column, child) in MONTH_COLUMNS.items():
            rows = f"SELECT internal_ref FROM {table} WHERE {column} >= '{month}-01'"
            if child:
                child_table, reference, _ = child
                conn.execute(f"DELETE FROM {child_table} WHERE {reference} IN ({rows})")
            conn.execute(f"DELETE FROM {table} WHERE {column} >= '{month}-01'")


def revise_an_outcome(database: Path, month: str) -> tuple[str, str]:
    """Give one outcome of a crime of ``month`` another outcome code; (outcome, new code)."""
    with sqlite3.connect(database) as conn:
        ref, code = conn.execute(
            "SELECT o.internal_ref, o.outcome_code FROM crime_outcome o JOIN crime_report r "
            "ON r.internal_ref = o.crime_ref WHERE r.recorded_at LIKE ? ORDER BY o.internal_ref LIMIT 1",
            (f"{month}-1%",),
        ).fetchone()
        other = conn.execute("SELECT code FROM outcome_code WHERE code != ? ORDER BY code LIMIT 1", (code,)).fetchone()
        conn.execute("UPDATE crime_outcome SET outcome_code = ? WHERE internal_ref = ?", (other[0], ref))
    return ref, other[0]


@dataclass
class History:
    source: Path  # the final internal tables (with the new month and the revision)
    before: Path  # the internal tables before
    releases: Path
    base: PublishResult  # the history without the new month, published in full
    incremental: PublishResult  # the final tables, published on top of it
    full: PublishResult  # the final tables, published in full elsewhere


def url(database: Path) -> str:
    return f"sqlite:///{database}"


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> History:
    folder = tmp_path_factory.mktemp("incremental")
    source = folder / "source.sqlite"
    build_demo_data(url(source))
    before = folder / "before.sqlite"
    shutil.copy(source, before)
    without_month(before, NEW_MONTH)
    revise_an_outcome(source, REVISED_MONTH)
    releases_dir = folder / "releases"
    base = publish(url(before), releases_dir, key=KEY)
    incremental = publish(url(source), releases_dir, key=KEY)
    full = publish(url(source), folder / "full-releases", key=KEY)
    return History(source, before, releases_dir, base, incremental, full)


def test_only_the_new_and_the_revised_months_are_published_again(history):
    report = history.incremental.manifest["incremental"]
    assert report["from"] == history.base.release_id
    # (The demo's uses of force and stops end before the new month.)
    assert report["published"] == [f"street-crime/{REVISED_MONTH}", f"street-crime/{NEW_MONTH}"]
    partitions = history.incremental.manifest["partitions"]
    assert report["shared"] == len(partitions) - report["rebuilt"] > 30
    assert f"street-crime/{NEW_MONTH}" not in history.base.manifest["partitions"]
    assert history.full.manifest["incremental"] == {
        "from": None,
        "rebuilt": len(partitions),
        "shared": 0,
        "removed": [],
        "reason": "no release to build on",
        "digested": "every partition",
    }
    # The final tables are not a later state of the ones before (a copy that went its own
    # way): their change log cannot say what changed since, so every row was digested.
    assert report["digested"] == "every partition"


def _tables(release: Path) -> dict[str, list[str]]:
    with sqlite3.connect(release / "release.sqlite") as conn:
        names = [
            n
            for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not n.startswith(("sqlite_", "map_point_rtree_"))
        ]
        return {n: sorted(map(repr, conn.execute(f'SELECT * FROM "{n}"'))) for n in names}


def _quads(release: Path) -> list[str]:
    """Every statement of the store, blank nodes unlabelled (a load names them afresh)."""
    store = pyoxigraph.Store.read_only(str(release / "store"))
    return sorted(re.sub(r"_:[0-9a-z]+", "_:", str(q)) for q in store)


def test_the_incremental_release_is_the_full_release(history):
    ours, theirs = history.incremental, history.full
    assert _tables(ours.path) == _tables(theirs.path)
    assert _quads(ours.path) == _quads(theirs.path)
    for key in ("counts", "dropped", "statements", "cubes", "partitions"):
        assert ours.manifest[key] == theirs.manifest[key], key
    # Every file is the same, byte for byte, but the SQLite file of the published tables
    # (patched, not written afresh: the same rows, other pages).
    files = {f["path"]: f["sha256"] for f in ours.manifest["files"]}
    expected = {f["path"]: f["sha256"] for f in theirs.manifest["files"]}
    assert set(files) == set(expected)
    assert [p for p in files if files[p] != expected[p]] == ["release.sqlite"]


def test_the_revised_outcome_is_published(history):
    with sqlite3.connect(history.source) as conn:
        code = conn.execute(
            "SELECT o.outcome_code FROM crime_outcome o JOIN crime_report r ON r.internal_ref = o.crime_ref "
            "WHERE r.recorded_at LIKE ? ORDER BY o.internal_ref LIMIT 1",
            (f"{REVISED_MONTH}-1%",),
        ).fetchone()[0]
        published = conn.execute("SELECT published FROM outcome_code WHERE code = ?", (code,)).fetchone()[0]

    def outcomes(release: Path) -> list[tuple]:
        with sqlite3.connect(release / "release.sqlite") as conn:
            return conn.execute(
                "SELECT o.category FROM crime_outcome o JOIN street s ON s.id = o.crime_id WHERE s.month = ?",
                (REVISED_MONTH,),
            ).fetchall()

    before, after = outcomes(history.base.path), outcomes(history.incremental.path)
    assert len(before) == len(after) and before != after
    assert after.count((published,)) == before.count((published,)) + 1


def test_unchanged_partitions_are_shared_byte_identical(history):
    base, ours = history.base.path, history.incremental.path
    shared = [n for n in history.incremental.manifest["partitions"] if n in history.base.manifest["partitions"]]
    rebuilt = set(history.incremental.manifest["incremental"]["published"])
    for name in shared:
        same = os.path.samefile(base / nquads_file(name), ours / nquads_file(name))
        assert same == (name not in rebuilt), name
    # CSV months no rebuilt partition touches are the same files; the revised month's are new.
    assert os.path.samefile(base / "dumps/csv/2022-01/2022-01-city-of-london-street.csv",
                            ours / "dumps/csv/2022-01/2022-01-city-of-london-street.csv")  # fmt: skip
    revised = f"dumps/csv/{REVISED_MONTH}/{REVISED_MONTH}-metropolitan-street.csv"
    if not (base / revised).exists():
        revised = f"dumps/csv/{REVISED_MONTH}/{REVISED_MONTH}-city-of-london-street.csv"
    assert not os.path.samefile(base / revised, ours / revised)
    # The RDF store began as a checkpoint of the one before: most of its bytes are shared.
    files = integrity.store_files(ours / "store")
    shared_bytes = sum(f.stat().st_size for f in files if (base / "store" / f.name).exists()
                       and os.path.samefile(f, base / "store" / f.name))  # fmt: skip
    assert shared_bytes > 0.5 * sum(f.stat().st_size for f in integrity.store_files(base / "store"))
    # and it keeps no write-ahead log of the graphs it replaced (it would hold them all)
    assert [f.name for f in (ours / "store").glob("*.log") if f.stat().st_size] == []
    # Nothing of the release before was written: it is still intact, byte for byte.
    manifest = json.loads((base / "manifest.json").read_text())
    assert integrity.verify(base, manifest).ok


def test_rollback_across_an_incremental_release(history):
    data_dir = history.releases.parent
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "PSEUDONYM_KEY": KEY.decode(), **UNLIMITED})
    client = app.test_client()

    def months() -> list[str]:
        return [m["date"] for m in client.get("/api/crimes-street-dates").get_json()]

    assert months()[0] == NEW_MONTH
    try:
        assert releases.rollback(history.releases) == history.base.release_id
        assert months()[0] != NEW_MONTH and NEW_MONTH not in months()
        assert client.get("/readyz").status_code == 200
    finally:
        releases.switch_to(history.releases, history.incremental.release_id)
    assert months()[0] == NEW_MONTH


def test_pruning_keeps_what_the_kept_release_shares(history, tmp_path):
    releases_dir = tmp_path / "releases"
    base = publish(url(history.before), releases_dir, key=KEY)
    ours = publish(url(history.source), releases_dir, key=KEY, keep=1)
    assert ours.removed == [base.release_id] and not base.path.exists()
    verdict = integrity.verify(ours.path, ours.manifest)
    assert verdict.ok, verdict.problems
    store = pyoxigraph.Store.read_only(str(ours.path / "store"))
    assert len(store) == ours.manifest["statements"]


def test_a_change_every_partition_depends_on_publishes_them_all(history, tmp_path):
    releases_dir = tmp_path / "releases"
    shutil.copytree(history.releases, releases_dir, symlinks=True)
    asked = publish(url(history.source), releases_dir, key=KEY, full=True)
    assert asked.manifest["incremental"]["reason"] == "a full publish was asked for"
    assert asked.manifest["incremental"]["shared"] == 0
    changed = tmp_path / "changed.sqlite"
    shutil.copy(history.source, changed)
    with sqlite3.connect(changed) as conn:  # a map point renamed: every record near it says so
        conn.execute("UPDATE map_point SET street_name = 'Renamed Street' WHERE id = (SELECT min(id) FROM map_point)")
    again = publish(url(changed), releases_dir, key=KEY)
    assert again.manifest["incremental"]["from"] is None  # built on nothing
    assert again.manifest["incremental"]["shared"] == 0
    assert again.manifest["incremental"]["reason"] == "the mappings, reference tables, key or code changed"
    assert 'On or near Renamed Street"@en' in "\n".join(_quads(again.path))


def test_the_cli_says_what_it_shared(runner, history, tmp_path):
    releases_dir = tmp_path / "releases"
    shutil.copytree(history.releases, releases_dir, symlinks=True)
    result = runner.invoke(main, ["publish", "-q", "--database", url(history.source), "--releases", str(releases_dir)],
                           env={"GATEWAY_PSEUDONYM_KEY": KEY.decode()})  # fmt: skip
    assert result.exit_code == 0, result.output
    partitions = len(history.incremental.manifest["partitions"])
    assert f"0 month partitions published, {partitions} shared" in result.output


def _publish_command(database: Path, releases_dir: Path) -> subprocess.Popen:
    code = "from gateway.cli import main; main()"
    args = ["publish", "-q", "--database", url(database), "--releases", str(releases_dir)]
    env = {**os.environ, "GATEWAY_PSEUDONYM_KEY": KEY.decode()}
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env)


def test_killing_an_incremental_publish_anywhere_leaves_the_release_before_intact(history, tmp_path):
    releases_dir = tmp_path / "releases"
    base = publish(url(history.before), releases_dir, key=KEY)
    # How long the publish takes here, start to end, on a copy of the same releases.
    timing = tmp_path / "timing"
    shutil.copytree(releases_dir, timing, symlinks=True)
    started = time.monotonic()
    assert _publish_command(history.source, timing).wait() == 0
    duration = time.monotonic() - started
    chance = random.Random(12)
    for delay in sorted(chance.uniform(0.2, 0.9 * duration) for _ in range(4)):
        child = _publish_command(history.source, releases_dir)
        time.sleep(delay)
        assert child.poll() is None, f"the publish ended before {delay:.1f} s"
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert releases.current_release(releases_dir) == base.release_id, f"killed after {delay:.1f} s"
        assert [r["id"] for r in releases.list_releases(releases_dir)] == [base.release_id]
        verdict = integrity.verify(base.path, base.manifest)
        assert verdict.ok, (delay, verdict.problems)
    finished = publish(url(history.source), releases_dir, key=KEY)
    assert finished.manifest["incremental"]["from"] == base.release_id
    assert not list(releases_dir.glob(".building-*"))
    assert _quads(finished.path) == _quads(history.full.path)


def test_the_check_before_the_switch_reads_only_what_changed_since_it_was_hashed(history, tmp_path, monkeypatch):
    releases_dir = tmp_path / "releases"
    base = publish(url(history.before), releases_dir, key=KEY)
    shared = base.path / nquads_file("street-crime/2022-01")
    original = shared.read_bytes()
    # A file the new release would share, changed since the base release was verified:
    # the check reads it again and refuses the release.
    shared.write_bytes(original[:-10])
    with pytest.raises(PublishError, match=r"dumps/nq/street-crime/2022-01\.nq\.gz: .* bytes, the manifest says"):
        publish(url(history.source), releases_dir, key=KEY)
    assert releases.current_release(releases_dir) == base.release_id
    shared.write_bytes(original)  # put back (a new modification time: read again)
    read: list[str] = []
    problem = integrity._file_problem
    monkeypatch.setattr(
        integrity, "_file_problem", lambda root, entry: read.append(entry["path"]) or problem(root, entry)
    )
    ours = publish(url(history.source), releases_dir, key=KEY)
    # Every other file was hashed once: as written, for the manifest, or when the base
    # release was verified.
    assert read == [str(shared.relative_to(base.path))]
    assert json.loads((ours.path / integrity.VERDICT_FILE).read_text())["ok"]
    monkeypatch.undo()
    assert integrity.verify(ours.path, ours.manifest).ok


def test_an_incremental_publish_validates_a_sample_of_what_it_published(history):
    shacl = history.incremental.manifest["shacl"]
    assert shacl["conforms"] is True and shacl["records_checked"] > 40
    vocabulary = load_vocabulary(DEFAULT_BASE)
    mappings = load_checked_mappings(INTERNAL, DEFAULT_BASE)
    engine = create_engine(f"sqlite:///{history.incremental.path / 'release.sqlite'}")
    published = {"street-crime": frozenset({NEW_MONTH, REVISED_MONTH})}
    with engine.connect() as conn:
        lines, records = sample_quads(conn, RdfBuilder(vocabulary, mappings), published)
        everything, _ = sample_quads(conn, RdfBuilder(vocabulary, mappings))
    engine.dispose()
    assert records == shacl["records_checked"] and len(lines) == shacl["statements_checked"]
    # The months of the records themselves (their outcomes have months of their own).
    month = re.compile(r'^<[^>]*/id/(?:crime|anti-social-behaviour)/[^>/]+> <[^>]*/def/policing/month> "(\d{4}-\d\d)"')
    months = {m.group(1) for line in lines if (m := month.match(line))}
    assert months == {NEW_MONTH, REVISED_MONTH}
    elsewhere = {m.group(1) for line in everything if (m := month.match(line))}
    assert elsewhere - months


def test_a_publish_digests_only_the_months_the_change_log_names(history, tmp_path):
    source = tmp_path / "source.sqlite"
    shutil.copy(history.before, source)
    # The tables as the Met's would be: the log new (the copy's changes are not changes).
    engine = make_engine(url(source))
    changes.install(engine, tracked_tables(load_checked_mappings(INTERNAL, DEFAULT_BASE), INTERNAL_TABLES.metadata),
                    fresh=True)  # fmt: skip
    engine.dispose()
    releases_dir = tmp_path / "releases"
    base = publish(url(source), releases_dir, key=KEY)
    # The new month arrives, and an outcome of an older month is revised, in the tables.
    with sqlite3.connect(source) as conn:
        conn.execute("ATTACH DATABASE ? AS final", (str(history.source),))
        for table, (column, child) in MONTH_COLUMNS.items():
            conn.execute(f"INSERT INTO {table} SELECT * FROM final.{table} WHERE {column} >= '{NEW_MONTH}-01' "
                         f"AND internal_ref NOT IN (SELECT internal_ref FROM {table})")  # fmt: skip
            if child:
                child_table, reference, _ = child
                conn.execute(f"INSERT INTO {child_table} SELECT * FROM final.{child_table} WHERE {reference} IN "
                             f"(SELECT internal_ref FROM {table} WHERE {column} >= '{NEW_MONTH}-01')")  # fmt: skip
        conn.commit()
        conn.execute("DETACH DATABASE final")
    revise_an_outcome(source, REVISED_MONTH)
    # A crime of the revised month that alone was at its map point (and in its LSOA, if
    # nothing else is) goes: the place is no longer published.
    with sqlite3.connect(base.path / "release.sqlite") as published:
        point, persistent_id = published.execute(
            "SELECT s.map_point, min(s.persistent_id) FROM street s WHERE s.month = ? AND s.record = 'RecordedCrime' "
            "AND s.persistent_id != '' AND NOT EXISTS (SELECT 1 FROM stop_search t WHERE t.map_point = s.map_point) "
            "GROUP BY s.map_point HAVING (SELECT count(*) FROM street u WHERE u.map_point = s.map_point) = 1 "
            "ORDER BY s.map_point LIMIT 1",
            (REVISED_MONTH,),
        ).fetchone()
    with sqlite3.connect(source) as conn:
        refs = "SELECT internal_ref FROM crime_report WHERE persistent_id = ?"
        conn.execute(f"DELETE FROM crime_outcome WHERE crime_ref IN ({refs})", (persistent_id,))
        assert conn.execute("DELETE FROM crime_report WHERE persistent_id = ?", (persistent_id,)).rowcount == 1
    ours = publish(url(source), releases_dir, key=KEY)
    report = ours.manifest["incremental"]
    assert report["from"] == base.release_id
    assert report["digested"].endswith("named by the change log")
    assert report["published"] == [f"street-crime/{REVISED_MONTH}", f"street-crime/{NEW_MONTH}"]
    with sqlite3.connect(ours.path / "release.sqlite") as published:
        assert published.execute("SELECT count(*) FROM map_point WHERE id = ?", (point,)).fetchone() == (0,)
    # The release is the one a full publish of the same tables makes, and the digests it
    # kept from the release before are those of every row.
    full = publish(url(source), tmp_path / "full", key=KEY)
    assert full.manifest["incremental"]["digested"] == "every partition"
    assert _tables(ours.path) == _tables(full.path)
    assert _quads(ours.path) == _quads(full.path)
    state = lambda release: json.loads((release.path / "partitions.json").read_text())["partitions"]  # noqa: E731
    assert state(ours) == state(full)
