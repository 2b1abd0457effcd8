"""What an incremental publish takes from the release before it.

A release is made of month partitions (``gateway.publish.partitions``). A publish compares
each partition's source digest with the one the current release was built from, and builds
only the partitions that are new or whose source rows changed; the others it shares with
the current release, without copying them:

- their dump files (the partition's N-Quads, the CSV files of months no rebuilt partition
  touches) are hard links to the current release's files: the same bytes on disk, which
  nobody writes again (a release is immutable), freed when the last release using them is
  pruned;
- the RDF store starts as a checkpoint of the current release's store (RocksDB hard-links
  its immutable table files), from which the graphs of rebuilt and removed partitions and
  the release-wide graphs (map points, organisations, vocabulary, cubes) are removed before
  the new statements are loaded;
- the published tables (a SQLite file) start as a copy of the current release's, from
  which the rebuilt and removed partitions' rows are deleted before they are published
  again. The one artefact copied, not shared: SQLite cannot read one database from many
  files.

The digests stay out of the public manifest: they are kept in ``partitions.json`` in the
release folder, which no route serves.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, delete, select

from . import tables
from .partitions import UNDATED, split_name

STATE_FILE = "partitions.json"
COMMON_NQUADS = "dumps/nq/common.nq.gz"  # what every partition shares (map points, vocabulary, ...)


@dataclass(frozen=True)
class Previous:
    """The release an incremental publish builds on."""

    path: Path
    manifest: dict
    common: str
    digests: dict[str, str]
    changes: dict | None = None  # where the source's change log was (gateway.internal.changes)


def previous_release(current: Path | None, release_database_url: str | None) -> Previous | None:
    """The current release, if a publish can build on it: one with partitions, whose
    published tables are a SQLite file in its folder (PostgreSQL release tables are built
    in full: each release has a schema of its own)."""
    if current is None or release_database_url is not None:
        return None
    try:
        manifest = json.loads((current / "manifest.json").read_text())
        state = json.loads((current / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or "schema" in manifest.get("tables", {}) or "partitions" not in manifest:
        return None
    return Previous(current, manifest, state["common"], state["partitions"], state.get("changes"))


def write_state(building: Path, common: str, digests: dict[str, str], changes: dict | None = None) -> None:
    path = building / STATE_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"common": common, "partitions": digests, "changes": changes}, handle, indent=1, sort_keys=True)


@dataclass
class Work:
    """Which partitions a publish builds, shares and leaves out."""

    partitions: list[str]  # every partition of the new release, sorted
    rebuilt: set[str]
    shared: set[str]
    removed: set[str]  # in the previous release, no longer in the source
    previous: Previous | None = None
    reason: str = ""  # why everything is rebuilt, when it is
    dirty_months: set[str] = field(default_factory=set)  # CSV months written again
    digested: str = ""  # which partitions' source rows were digested

    @property
    def incremental(self) -> bool:
        return self.previous is not None

    def months(self, names: Iterable[str]) -> dict[str, frozenset[str]]:
        """The partitions ``names`` as months by dataset."""
        return self.months_of(names)

    @staticmethod
    def months_of(names: Iterable[str]) -> dict[str, frozenset[str]]:
        """The partitions ``names`` as months by dataset."""
        out: dict[str, set[str]] = {}
        for name in names:
            dataset, month = split_name(name)
            out.setdefault(dataset, set()).add(month)
        return {d: frozenset(m) for d, m in out.items()}

    def report(self) -> dict:
        return {
            "from": self.previous.path.name if self.previous else None,
            "rebuilt": len(self.rebuilt),
            "shared": len(self.shared),
            # Which, when a few (a full publish rebuilds them all).
            **({"published": sorted(self.rebuilt)} if self.previous else {}),
            "removed": sorted(self.removed),
            **({"reason": self.reason} if self.reason else {}),
            **({"digested": self.digested} if self.digested else {}),
        }


def plan(digests: dict[str, str], common: str, previous: Previous | None, full: bool = False) -> Work:
    names = sorted(digests)
    if previous is None or full or previous.common != common:
        reason = (
            "a full publish was asked for"
            if full
            else "no release to build on"
            if previous is None
            else "the mappings, reference tables, key or code changed"
        )
        return Work(names, set(names), set(), set(), None, reason)
    shared = {n for n in names if previous.digests.get(n) == digests[n] and n in previous.manifest["partitions"]}
    return Work(names, set(names) - shared, shared, set(previous.digests) - set(names), previous)


# --- files ------------------------------------------------------------------------------


def nquads_file(name: str) -> str:
    """A partition's N-Quads file, relative to the release folder."""
    dataset, month = split_name(name)
    return f"dumps/nq/{dataset}/{'undated' if month == UNDATED else month}.nq.gz"


def link(source: Path, target: Path) -> None:
    """``target`` becomes another name of ``source`` (the same file on disk)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.link(source, target)


def link_csv_months(previous: Path, building: Path, months: Iterable[str]) -> list[Path]:
    """The previous release's CSV files of ``months``, linked into the new release."""
    linked = []
    for month in sorted(months):
        folder = previous / "dumps" / "csv" / month
        if not folder.is_dir():
            continue
        for file in sorted(folder.iterdir()):
            target = building / "dumps" / "csv" / month / file.name
            link(file, target)
            linked.append(target)
    return linked


def concatenate(parts: Iterable[Path], target: Path) -> None:
    """One gzip file of several (a gzip file may hold many members, read as one stream),
    copied inside the kernel."""
    with target.open("wb") as out:
        for part in parts:
            with part.open("rb") as source:
                size = os.fstat(source.fileno()).st_size
                offset = 0
                while offset < size:
                    sent = os.copy_file_range(source.fileno(), out.fileno(), size - offset, offset)
                    if sent == 0:
                        break
                    offset += sent
                if offset < size:  # a filesystem without copy_file_range for these files
                    source.seek(offset)
                    shutil.copyfileobj(source, out)


def same_content(a: Path, b: Path) -> bool:
    """Whether two files hold the same bytes."""
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        with a.open("rb") as one, b.open("rb") as other:
            while block := one.read(1 << 20):
                if block != other.read(len(block)):
                    return False
        return True
    except OSError:
        return False


def copy_tables(previous: Path, target: Path) -> None:
    """The previous release's published tables, as a new file to change."""
    shutil.copyfile(previous, target)


# --- the published tables ---------------------------------------------------------------


def outcome_months(conn: Connection, by_dataset: dict[str, frozenset[str]], records: dict[str, str]) -> set[str]:
    """The months of the outcomes of some partitions' crimes (each outcomes CSV file holds
    the outcomes of one month, of crimes of any month)."""
    o = tables.crime_outcome
    found: set[str] = set()
    for dataset, months in by_dataset.items():
        crimes = _crimes(dataset, months, records)
        if crimes is not None:
            found |= set(conn.execute(select(o.c.month).where(o.c.crime_id.in_(crimes)).distinct()).scalars())
    return {m for m in found if m}


def partition_places(
    conn: Connection, by_dataset: dict[str, frozenset[str]], records: dict[str, str]
) -> tuple[set[int], set[str]]:
    """The map points and LSOAs the published rows of some partitions name."""
    s, st = tables.street, tables.stop_search
    points: set[int] = set()
    lsoas: set[str] = set()
    for dataset, months in by_dataset.items():
        found = []
        crimes = _crimes(dataset, months, records)
        if crimes is not None:
            found.append(select(s.c.map_point, s.c.lsoa_code).where(s.c.id.in_(crimes)))
        if records.get("StopAndSearch") == dataset:
            found.append(select(st.c.map_point, st.c.lsoa_code).where(_months(st, months)))
        for statement in found:
            for point, lsoa in conn.execute(statement.distinct()):
                if point is not None:
                    points.add(point)
                if lsoa:
                    lsoas.add(lsoa)
    return points, lsoas


def clear_partitions(conn: Connection, by_dataset: dict[str, frozenset[str]], records: dict[str, str]) -> None:
    """Delete the published rows of some partitions (months by dataset), with their
    outcomes and tactics. ``records``: each record type's dataset (its mapping's)."""
    s, o, st = tables.street, tables.crime_outcome, tables.stop_search
    u, t = tables.use_of_force, tables.use_of_force_tactic
    for dataset, months in by_dataset.items():
        crimes = _crimes(dataset, months, records)
        if crimes is not None:
            conn.execute(delete(o).where(o.c.crime_id.in_(crimes)))
            conn.execute(delete(s).where(s.c.id.in_(crimes)))
        if records.get("StopAndSearch") == dataset:
            conn.execute(delete(st).where(_months(st, months)))
        if records.get("UseOfForce") == dataset:
            conn.execute(delete(t).where(t.c.uof_id.in_(select(u.c.id).where(_months(u, months)))))
            conn.execute(delete(u).where(_months(u, months)))


def _crimes(dataset: str, months: frozenset[str], records: dict[str, str]):
    """The ids of a dataset's street records of some months (None: it has none)."""
    s = tables.street
    kinds = [r for r in ("RecordedCrime", "AntiSocialBehaviourIncident") if records.get(r) == dataset]
    return select(s.c.id).where(_months(s, months), s.c.record.in_(kinds)) if kinds else None


def _months(table, months: frozenset[str]):
    dated = table.c.month.in_(sorted(m for m in months if m != UNDATED))
    return dated | table.c.month.is_(None) if UNDATED in months else dated
