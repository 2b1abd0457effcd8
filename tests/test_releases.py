"""Releases on disk: listing, the atomic 'current' switch, rollback and pruning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway import releases
from gateway.cli import main


def make_release(directory: Path, release_id: str, records: int = 3) -> Path:
    path = directory / release_id
    path.mkdir(parents=True)
    counts = {"street-crime": {"2024-01": records}}
    (path / releases.MANIFEST).write_text(json.dumps({"created_at": f"{release_id}", "counts": counts}))
    return path


@pytest.fixture
def three(tmp_path) -> Path:
    for n, release_id in enumerate(["20240101T000000Z", "20240201T000000Z", "20240301T000000Z"], start=1):
        make_release(tmp_path, release_id, records=n)
    releases.switch_to(tmp_path, "20240301T000000Z")
    return tmp_path


def test_list_oldest_first_marking_current(three):
    found = releases.list_releases(three)
    assert [r["id"] for r in found] == ["20240101T000000Z", "20240201T000000Z", "20240301T000000Z"]
    assert [r["current"] for r in found] == [False, False, True]
    assert found[0]["records"] == 1


def test_incomplete_and_hidden_folders_are_not_releases(three):
    (three / "20240401T000000Z").mkdir()  # no manifest: not complete
    (three / ".building-20240501T000000Z-123").mkdir()
    assert len(releases.list_releases(three)) == 3


def test_switch_is_a_link_replaced_in_one_step(three):
    releases.switch_to(three, "20240101T000000Z")
    link = three / releases.CURRENT
    assert link.is_symlink() and str(link.readlink()) == "20240101T000000Z"
    assert releases.current_release(three) == "20240101T000000Z"
    assert not list(three.glob(".current-*"))


def test_switch_to_an_unknown_release_changes_nothing(three):
    with pytest.raises(releases.ReleaseError, match="no complete release"):
        releases.switch_to(three, "19990101T000000Z")
    assert releases.current_release(three) == "20240301T000000Z"


def test_rollback_steps_back_one_release_at_a_time(three):
    assert releases.rollback(three) == "20240201T000000Z"
    assert releases.rollback(three) == "20240101T000000Z"
    with pytest.raises(releases.ReleaseError, match="nothing to roll back to"):
        releases.rollback(three)
    assert releases.current_release(three) == "20240101T000000Z"


def test_prune_keeps_the_newest_and_never_the_current(three):
    releases.switch_to(three, "20240101T000000Z")
    removed = releases.prune(three, keep=1)
    assert removed == ["20240201T000000Z"]
    assert [r["id"] for r in releases.list_releases(three)] == ["20240101T000000Z", "20240301T000000Z"]


def test_cli_releases_and_rollback(runner, three):
    listed = runner.invoke(main, ["releases", "--releases", str(three)])
    assert listed.exit_code == 0
    assert listed.output.splitlines()[-1].startswith("* 20240301T000000Z")
    rolled = runner.invoke(main, ["rollback", "--releases", str(three)])
    assert rolled.exit_code == 0 and "20240201T000000Z" in rolled.output
    empty = runner.invoke(main, ["rollback", "--releases", str(three / "none")])
    assert empty.exit_code == 2
    assert empty.output.strip() == "gateway: error: no current release to roll back from"
