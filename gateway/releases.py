"""Where releases live, which one is current, and switching between them.

A release is a complete folder ``releases/<id>/`` with a ``manifest.json``. It is built
under a hidden name and renamed into place only when complete; ``current`` is a symbolic
link to the release being served, replaced atomically (a new link renamed over the old),
so readers see the old release or the new one, never a mixture or nothing.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

CURRENT = "current"
MANIFEST = "manifest.json"


class ReleaseError(RuntimeError):
    """A release operation that cannot be done; nothing was changed."""


def current_release(releases_dir: str | Path) -> str | None:
    """The id (folder name) of the current release, or None when none is published."""
    link = Path(releases_dir) / CURRENT
    try:
        target = link.resolve(strict=True)
    except (FileNotFoundError, RuntimeError, OSError):
        return None
    return target.name if (target / MANIFEST).is_file() else None


def current_path(releases_dir: str | Path) -> Path | None:
    release = current_release(releases_dir)
    return None if release is None else Path(releases_dir) / release


def list_releases(releases_dir: str | Path) -> list[dict]:
    """Every complete release, oldest first, with its manifest's summary."""
    directory = Path(releases_dir)
    if not directory.is_dir():
        return []
    current = current_release(directory)
    found = []
    for path in sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith(".")):
        manifest = path / MANIFEST
        if path.is_symlink() or not manifest.is_file():
            continue
        data = json.loads(manifest.read_text())
        found.append(
            {
                "id": path.name,
                "created_at": data.get("created_at"),
                "records": sum(sum(m.values()) for m in data.get("counts", {}).values()),
                "current": path.name == current,
            }
        )
    return found


def switch_to(releases_dir: str | Path, release_id: str) -> None:
    """Make ``release_id`` current, atomically."""
    directory = Path(releases_dir)
    if not (directory / release_id / MANIFEST).is_file():
        raise ReleaseError(f"no complete release {release_id!r} in {directory}")
    temporary = directory / f".{CURRENT}-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(release_id)
    os.replace(temporary, directory / CURRENT)


def rollback(releases_dir: str | Path) -> str:
    """Return to the release before the current one; its id."""
    releases = [r["id"] for r in list_releases(releases_dir)]
    current = current_release(releases_dir)
    if current is None or current not in releases:
        raise ReleaseError("no current release to roll back from")
    position = releases.index(current)
    if position == 0:
        raise ReleaseError(f"{current} is the oldest release kept; there is nothing to roll back to")
    previous = releases[position - 1]
    switch_to(releases_dir, previous)
    return previous


def prune(releases_dir: str | Path, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` releases (never the current one); the ids removed."""
    releases = [r["id"] for r in list_releases(releases_dir)]
    current = current_release(releases_dir)
    removed = []
    for release in releases[: max(0, len(releases) - keep)]:
        if release != current:
            shutil.rmtree(Path(releases_dir) / release)
            removed.append(release)
    return removed
