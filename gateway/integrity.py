"""Whether a release is intact: its files against its manifest, and a query on each store.

``verify`` reads the whole release: every file the manifest lists (``files``: the
published tables and the dumps; ``store_files``: the RDF store's RocksDB files) must have
its listed size and SHA-256; the published tables (a SQLite file) must be as long as
their header says and answer a query on every table; the RDF store must open (RocksDB
checks its files' sizes against its own manifest) and answer a query.

Hashing costs about a second per 600 MB (0.7 s for the demo release), too much for every
gunicorn worker at every start. So a verdict is kept in the release folder
(``verified.json``) with the fingerprint of the files it was made from: each file's size,
modification time and inode (a file replaced or copied in has a new inode). Not its change
time: releases share the files of partitions they have in common (hard links), and a link
made or removed by another release's publish or pruning moves the change time of a file
nobody wrote. ``check`` reuses a verdict whose fingerprint matches the files as they are
now; otherwise it verifies again, one process at a time (an exclusive lock on the release
folder), so that the other workers wait and read the new verdict. ``gateway publish``
verifies a release before making it current, so a switch usually costs a few hundred
``stat`` calls. Bit rot that changes no file's metadata goes unseen until the
next full verification (``gateway verify --full``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

VERDICT_FILE = "verified.json"
MANIFEST = "manifest.json"
STORE = "store"
# RocksDB's own log (rewritten whenever the store is opened for writing) and its lock file
# say nothing about the data: they are neither listed nor checked.
_STORE_UNLISTED = ("LOCK", "LOG")
_BLOCK = 1 << 20
# How many problems a one-line summary names.
SUMMARY_PROBLEMS = 3

Fingerprint = dict[str, list[int] | None]


@dataclass(frozen=True)
class Verdict:
    """What one verification of a release found."""

    ok: bool
    problems: list[str]
    fingerprint: Fingerprint = field(repr=False)
    checked_at: str  # when, ISO 8601 UTC
    seconds: float  # how long the verification took

    def summary(self) -> str:
        """The problems in one line (the first few, and how many more)."""
        shown = "; ".join(self.problems[:SUMMARY_PROBLEMS])
        more = len(self.problems) - SUMMARY_PROBLEMS
        return shown + (f"; and {more} more" if more > 0 else "")


def store_files(store: Path) -> list[Path]:
    """The files of a RocksDB store folder that hold data (all but its log and lock)."""
    if not store.is_dir():
        return []
    return sorted(p for p in store.iterdir() if p.is_file() and not p.name.startswith(_STORE_UNLISTED))


def listed(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every file the manifest lists with its size and SHA-256 (``files``, ``store_files``)."""
    entries = [*(manifest.get("files") or []), *(manifest.get("store_files") or [])]
    return [e if isinstance(e, dict) else {"malformed": e} for e in entries]


def _tables_file(manifest: dict[str, Any]) -> str | None:
    """The published tables' SQLite file, if the release keeps its tables in one."""
    described = manifest.get("tables")
    if described is None:
        return "release.sqlite" if any(f.get("path") == "release.sqlite" for f in listed(manifest)) else None
    return None if "schema" in described else described.get("file")


def fingerprint(path: Path, manifest: dict[str, Any]) -> Fingerprint:
    """Size, modification and change time (ns) of every file a verification reads."""
    names = {MANIFEST, *(str(f["path"]) for f in listed(manifest) if "path" in f)}
    tables = _tables_file(manifest)
    if tables:
        names.add(tables)
    names.update(str(p.relative_to(path)) for p in store_files(path / STORE))
    return {name: _stat(path / name) for name in sorted(names)}


def _stat(file: Path) -> list[int] | None:
    try:
        st = file.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


Known = set[tuple[int, int, int, str]]  # (size, mtime, inode, SHA-256) of files found intact


def known_intact(path: Path) -> Known:
    """The files another release's kept verdict found intact, with their digests: a file a
    new release shares with it (the same inode, size and time) need not be hashed again."""
    verdict = _read(path)
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except (OSError, ValueError):
        return set()
    if verdict is None or not verdict.ok or not isinstance(manifest, dict):
        return set()
    digests = {e.get("path"): e.get("sha256") for e in listed(manifest)}
    return {
        (*stat, digests[name])
        for name, stat in verdict.fingerprint.items()
        if stat is not None and digests.get(name) and _stat(path / name) == stat
    }


def hashed_here(path: Path, manifest: dict[str, Any], names: set[str]) -> Known:
    """The files ``names`` of a release just built, with the digests its manifest lists, as
    they are now: the publish that wrote them read each back from the disk to hash it, so
    checking the release before it becomes current need not read them again."""
    return {
        (*stat, entry["sha256"])
        for entry in listed(manifest)
        if entry.get("path") in names and (stat := _stat(path / str(entry["path"]))) is not None
    }


def changed(path: Path, verdict: Verdict) -> bool:
    """Whether any file ``verdict`` was made from has changed since (a few ``stat`` calls)."""
    return any(_stat(path / name) != stat for name, stat in verdict.fingerprint.items())


def verify(path: Path, manifest: dict[str, Any], known: Known = frozenset()) -> Verdict:
    """Read the whole release: every listed file's size and SHA-256, then probe each store.

    ``known``: files found intact before (:func:`known_intact`); a listed file that is one
    of them, with the digest the manifest lists, is not read again.
    """
    started = time.monotonic()
    prints = fingerprint(path, manifest)
    problems = []
    for entry in listed(manifest):
        try:
            stat = prints.get(str(entry["path"]))
            if stat is not None and (*stat, entry["sha256"]) in known:
                continue
            problem = _file_problem(path, entry)
        except (KeyError, TypeError, ValueError):
            problem = f"{MANIFEST}: a file entry without path, bytes and sha256: {str(entry)[:80]}"
        if problem:
            problems.append(problem)
    tables = _tables_file(manifest)
    if tables and (path / tables).is_file():
        problems += _probe_sqlite(path / tables)
    if (path / STORE).is_dir():
        problems += _probe_store(path / STORE, manifest.get("statements"))
    elif manifest.get("store_files"):
        problems.append("store: missing")
    return Verdict(
        ok=not problems,
        problems=problems,
        fingerprint=prints,
        checked_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        seconds=round(time.monotonic() - started, 3),
    )


def _file_problem(root: Path, entry: dict[str, Any]) -> str | None:
    name, size = entry["path"], int(entry["bytes"])
    try:
        actual = (root / name).stat().st_size
    except OSError:
        return f"{name}: missing"
    if actual != size:
        return f"{name}: {actual:,} bytes, the manifest says {size:,}"
    digest = hashlib.sha256()
    try:
        with (root / name).open("rb") as handle:
            for block in iter(lambda: handle.read(_BLOCK), b""):
                digest.update(block)
    except OSError as exc:
        return f"{name}: cannot be read ({exc.strerror})"
    if digest.hexdigest() != entry["sha256"]:
        return f"{name}: its SHA-256 is not the manifest's"
    return None


def _probe_sqlite(file: Path) -> list[str]:
    """The file is as long as its header says, and every table answers a query."""
    name = file.name
    try:
        with file.open("rb") as handle:
            header = handle.read(100)
        size = file.stat().st_size
    except OSError as exc:
        return [f"{name}: cannot be read ({exc.strerror})"]
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return [f"{name}: not a SQLite database"]
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count in the header is valid when the two change counters agree.
    if header[24:28] == header[92:96] and pages and pages * page_size != size:
        return [f"{name}: {size:,} bytes, its header says {pages:,} pages of {page_size:,} ({pages * page_size:,})"]
    try:
        conn = sqlite3.connect(f"{file.as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        return [f"{name}: cannot be opened ({exc})"]
    try:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            # The first row and the last: both ends of the table's tree.
            conn.execute(f"SELECT * FROM {quoted} LIMIT 1").fetchall()
            try:
                conn.execute(f"SELECT max(rowid) FROM {quoted}").fetchall()
            except sqlite3.OperationalError as exc:
                if "no such column" not in str(exc):  # else a table without rowid
                    raise
    except sqlite3.DatabaseError as exc:
        return [f"{name}: a query failed ({exc})"]
    finally:
        conn.close()
    return []


def _probe_store(store: Path, statements: int | None) -> list[str]:
    """The RDF store opens read-only and answers; it holds statements if the manifest says so."""
    import pyoxigraph

    def clean(exc: Exception) -> str:
        return str(exc).replace(f"{store}/", "store/").replace(str(store), "store")[:300]

    try:
        opened = pyoxigraph.Store.read_only(str(store))
    except Exception as exc:  # RocksDB reports corruption as RuntimeError or OSError
        return [f"store: cannot be opened ({clean(exc)})"]
    try:
        found = bool(opened.query("ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"))
    except Exception as exc:
        return [f"store: a query failed ({clean(exc)})"]
    finally:
        del opened
    if statements and not found:
        return [f"store: holds no statements, the manifest says {statements:,}"]
    return []


def unreadable_manifest(path: Path) -> Verdict:
    """The verdict on a release whose manifest cannot be read as JSON."""
    return Verdict(
        ok=False,
        problems=[f"{MANIFEST}: not readable as JSON"],
        fingerprint={MANIFEST: _stat(path / MANIFEST)},
        checked_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        seconds=0.0,
    )


def check(path: Path, manifest: dict[str, Any], full: bool = False, known: Known = frozenset()) -> Verdict:
    """The release's verdict: the one kept in its folder if its files have not changed since,
    else a new verification (kept in the folder when it can be written). ``full``: verify
    again whatever was kept. ``known``: see :func:`verify`."""
    kept = None if full else _read(path)
    if kept is not None and kept.fingerprint == fingerprint(path, manifest):
        return kept
    with _exclusive(path):
        kept = None if full else _read(path)  # another process may have verified it meanwhile
        if kept is not None and kept.fingerprint == fingerprint(path, manifest):
            return kept
        verdict = verify(path, manifest, frozenset() if full else known)
        _write(path, verdict)
        level = logging.INFO if verdict.ok else logging.ERROR
        log.log(level, "release %s verified in %.1f s: %s", path.name, verdict.seconds, verdict.summary() or "intact")
        return verdict


def _read(path: Path) -> Verdict | None:
    try:
        data = json.loads((path / VERDICT_FILE).read_text())
        return Verdict(**data)
    except (OSError, ValueError, TypeError):
        return None


def _write(path: Path, verdict: Verdict) -> None:
    temporary = path / f".{VERDICT_FILE}-{os.getpid()}"
    try:
        temporary.write_text(json.dumps(asdict(verdict), indent=1) + "\n")
        os.replace(temporary, path / VERDICT_FILE)
    except OSError as exc:  # a read-only release folder: the verdict stays in this process
        log.warning("release %s: the verdict cannot be kept (%s)", path.name, exc.strerror)
        with contextlib.suppress(OSError):
            temporary.unlink()


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """One verifying process per release folder (a lock that needs no write access)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
