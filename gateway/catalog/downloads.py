"""The release's downloads: its dumps as the manifest lists them (size and SHA-256).

Only files the manifest lists under ``dumps/`` can be downloaded, so a path never reaches
the file system unless the publish pipeline wrote and checksummed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

CSV_NAME = re.compile(r"(?P<month>\d{4}-\d{2})-(?P<force>[a-z-]+?)-(?P<kind>street|outcomes|stop-and-search)\.csv")
MEDIA_TYPES = {".csv": "text/csv", ".gz": "application/gzip", ".nq": "application/n-quads"}


@dataclass(frozen=True)
class Download:
    path: str  # relative to the release folder, such as dumps/csv/2024-01/2024-01-metropolitan-street.csv
    bytes: int
    sha256: str

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def compressed(self) -> bool:
        return self.path.endswith(".gz")

    @property
    def media_type(self) -> str:
        """What the file holds: text/csv, or application/n-quads inside a gzip file."""
        suffixes = PurePosixPath(self.path).suffixes
        inner = suffixes[-2] if self.compressed and len(suffixes) > 1 else suffixes[-1]
        return MEDIA_TYPES.get(inner, "application/octet-stream")

    @property
    def served_type(self) -> str:
        """The Content-Type it is served with (a gzip file is served as one, not decoded)."""
        return "application/gzip" if self.compressed else self.media_type

    @property
    def month(self) -> str | None:
        match = CSV_NAME.fullmatch(self.name)
        return match["month"] if match else None

    @property
    def kind(self) -> str | None:
        match = CSV_NAME.fullmatch(self.name)
        return match["kind"] if match else None

    @property
    def force(self) -> str | None:
        match = CSV_NAME.fullmatch(self.name)
        return match["force"] if match else None


def listing(release) -> list[Download]:
    """The dumps of ``release`` (a ``gateway.current.Release``): the N-Quads dump, then the CSVs by name."""
    files = [
        Download(f["path"], int(f["bytes"]), f["sha256"])
        for f in release.manifest.get("files", [])
        if f["path"].startswith("dumps/")
    ]
    return sorted(files, key=lambda d: (d.month is not None, d.path))


def find(release, path: str) -> Download | None:
    """The download at ``path``, if the manifest lists it."""
    return next((d for d in listing(release) if d.path == path), None)
