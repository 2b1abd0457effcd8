"""Where releases live and which one is current.

A release is a folder under the releases directory; ``current`` is a symbolic link to
the one being served, switched atomically by ``gateway publish``.
"""

from __future__ import annotations

from pathlib import Path

CURRENT = "current"


def current_release(releases_dir: str | Path) -> str | None:
    """The id (folder name) of the current release, or None when none is published."""
    link = Path(releases_dir) / CURRENT
    try:
        target = link.resolve(strict=True)
    except (FileNotFoundError, RuntimeError):
        return None
    return target.name if target.is_dir() else None
