"""Loading releases into Virtuoso: graphs per release, side by side, dropped when pruned."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from gateway.cli import main
from gateway.publish.remote_store import RemoteStore, RemoteStoreError, store_graph


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
