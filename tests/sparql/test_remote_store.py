"""Loading releases into Virtuoso: graphs per release, side by side, dropped when pruned."""

from __future__ import annotations

import gzip
import json
import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from gateway.cli import main
from gateway.publish.remote_store import RemoteStore, RemoteStoreError, store_graph
from gateway.releases import current_release
from tests.sparql.servers import sparql_server


@pytest.fixture(scope="module")
def store(remote_release, virtuoso_server, published_dir) -> RemoteStore:
    return RemoteStore.from_settings({"DATA_DIR": str(published_dir), **virtuoso_server.settings()})


def small_release(root: Path, release_id: str, source: Path, lines: int = 200) -> Path:
    """A release folder whose dump is the first lines of the demo release's."""
    folder = root / release_id
    (folder / "dumps").mkdir(parents=True)
    with gzip.open(source / "dumps" / "release.nq.gz", "rt") as dump:
        head = [next(dump) for _ in range(lines)]
    with gzip.open(folder / "dumps" / "release.nq.gz", "wt") as out:
        out.writelines(head)
    (folder / "manifest.json").write_text(json.dumps({"id": release_id, "counts": {}}))
    return folder


def count(store: RemoteStore, graph: str) -> int:
    import requests

    answer = requests.post(
        store.endpoint,
        data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def test_a_release_is_loaded_whole_under_graphs_of_its_own(store, remote_release):
    embedded = ox.Store.read_only(str(remote_release.store_path))
    public = sorted(g.value for g in embedded.named_graphs())
    assert store.loaded()[remote_release.id] == sorted(store_graph(remote_release.id, g) for g in public)
    graph = next(g for g in public if g.endswith("/organisations"))
    assert count(store, store_graph(remote_release.id, graph)) == len(
        list(embedded.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    )
    again = store.load(remote_release.path)
    assert again.already_loaded and again.quads == 0


def test_releases_live_side_by_side_until_pruned(store, remote_release, tmp_path):
    other = small_release(tmp_path, "20990101T000000Z", remote_release.path)
    result = store.load(other)
    assert result.quads == 200 and result.graphs
    assert {remote_release.id, "20990101T000000Z"} <= set(store.loaded())
    assert sum(count(store, g) for g in result.graphs) == 200
    assert store.keep_only([remote_release.id]) == ["20990101T000000Z"]
    assert set(store.loaded()) == {remote_release.id}
    assert all(count(store, g) == 0 for g in result.graphs)
    assert not list(store.load_dir.glob("20990101T000000Z*"))  # staging removed


def test_a_broken_dump_loads_nothing(store, tmp_path):
    folder = tmp_path / "20980101T000000Z"
    (folder / "dumps").mkdir(parents=True)
    with gzip.open(folder / "dumps" / "release.nq.gz", "wt") as out:
        out.write('<http://a> <http://b> "ok" <http://g> .\n<http://a> <http://b> "unterminated <http://g> .\n')
    with pytest.raises(RemoteStoreError, match="cannot be read as N-Quads"):
        store.load(folder)
    assert "20980101T000000Z" not in store.loaded()
    assert count(store, store_graph("20980101T000000Z", "http://g")) == 0


def test_a_missing_dump_or_loader_is_a_clear_error(store, tmp_path):
    with pytest.raises(RemoteStoreError, match="no N-Quads dump"):
        store.load(tmp_path / "20970101T000000Z")
    with pytest.raises(RemoteStoreError, match="not found"):
        replace(store, isql_binary="no-such-isql").sql("select 1;\n")
    with pytest.raises(RemoteStoreError, match="Bad login"):
        replace(store, password="wrong").sql("select 1;\n")
    with pytest.raises(RemoteStoreError, match="SPARQL_ENDPOINT is not set"):
        RemoteStore.from_settings({"DATA_DIR": str(tmp_path), "SPARQL_BACKEND": "remote"})


def test_gateway_remote_load_loads_the_current_release(store, virtuoso_server, remote_release, tmp_path, monkeypatch):
    releases = tmp_path / "releases"
    small_release(releases, "20960101T000000Z", remote_release.path, lines=50)
    (releases / "current").symlink_to("20960101T000000Z")
    kept = releases / remote_release.id  # kept by this folder too: it must stay loaded
    kept.mkdir()
    (kept / "manifest.json").write_text("{}")
    for key, value in virtuoso_server.settings().items():
        monkeypatch.setenv(f"GATEWAY_{key}", value)
    result = CliRunner().invoke(main, ["remote-load", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "loaded release 20960101T000000Z into the SPARQL store: 50 statements" in result.output
    assert "dropped" not in result.output and remote_release.id in store.loaded()
    store.drop("20960101T000000Z")
    missing = CliRunner().invoke(main, ["remote-load", "--data-dir", str(tmp_path), "--release", "nope"])
    assert missing.exit_code == 2 and "no release nope" in missing.output


def _served_copy(published_dir: Path, tmp_path: Path) -> Path:
    """A data directory of our own: the demo internal tables and its published release."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy2(published_dir / "internal.sqlite", data_dir / "internal.sqlite")
    shutil.copytree(published_dir / "releases", data_dir / "releases", symlinks=True)
    return data_dir


def test_publish_switches_only_once_the_store_has_the_release(
    store, virtuoso_server, remote_release, published_dir, tmp_path, monkeypatch
):
    """No /sparql request fails across a publish on the remote backend: the new release is
    loaded before it becomes current (pipeline ``before_switch``), the old one served until then."""
    data_dir = _served_copy(published_dir, tmp_path)
    releases_dir = data_dir / "releases"
    settings = virtuoso_server.settings()
    for key, value in settings.items():
        monkeypatch.setenv(f"GATEWAY_{key}", value)
    current_when_loaded = []
    original_load = RemoteStore.load

    def recording_load(self, folder, release_id=None):
        current_when_loaded.append((folder.name, current_release(releases_dir)))
        return original_load(self, folder, release_id)

    monkeypatch.setattr(RemoteStore, "load", recording_load)
    answers: list[tuple[int, str]] = []
    stop = threading.Event()
    with sparql_server(data_dir, settings) as server:

        def ask() -> None:
            n = 0
            while not stop.is_set():
                n += 1  # a new text each time: no answer from the cache
                reply = server.get("/sparql", params={"query": f"ASK {{ ?s ?p ?o }} # {n}"}, timeout=30)
                answers.append((reply.status_code, reply.headers.get("X-Release", "")))

        poller = threading.Thread(target=ask)
        poller.start()
        try:
            result = CliRunner().invoke(main, ["publish", "--data-dir", str(data_dir), "--quiet"])
            new = current_release(releases_dir)
            deadline = time.monotonic() + 10
            while not any(r == new for _, r in answers) and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            stop.set()
            poller.join()
    assert result.exit_code == 0, result.output
    assert new != remote_release.id and f"loaded release {new} into the SPARQL store" in result.output
    assert current_when_loaded[0] == (new, remote_release.id)  # loaded while the old one was current
    assert new in store.loaded()
    assert answers and {status for status, _ in answers} == {200}, answers
    assert {r for _, r in answers} == {remote_release.id, new}
    store.drop(new)


def test_a_failed_load_publishes_nothing(store, virtuoso_server, remote_release, published_dir, tmp_path, monkeypatch):
    data_dir = _served_copy(published_dir, tmp_path)
    releases_dir = data_dir / "releases"
    for key, value in virtuoso_server.settings().items():
        monkeypatch.setenv(f"GATEWAY_{key}", value)
    before = sorted(p.name for p in releases_dir.iterdir())

    def failing_load(self, folder, release_id=None):
        raise RemoteStoreError("the bulk loader failed (test)")

    monkeypatch.setattr(RemoteStore, "load", failing_load)
    result = CliRunner().invoke(main, ["publish", "--data-dir", str(data_dir), "--quiet"])
    assert result.exit_code != 0
    assert "nothing published: the SPARQL store could not load the new release" in result.output
    assert current_release(releases_dir) == remote_release.id
    assert sorted(p.name for p in releases_dir.iterdir()) == before  # the new release is gone
    assert set(store.loaded()) >= {remote_release.id}
