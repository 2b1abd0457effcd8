"""``gateway publish``: build a new immutable release and switch to it.

The release is built in a hidden folder beside the others: published tables (SQLite),
the RDF store (pyoxigraph), the dumps and the manifest. Only when all of it is complete
is the folder renamed into place and ``current`` switched to it. A publish that fails,
or is killed, at any point leaves the previous release current and no partial release
visible; the next publish clears the remains.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph
from sqlalchemy.engine import URL

from gateway import integrity, releases
from gateway.internal import changes
from gateway.internal.database import make_engine, parse_database_url
from mappings import INTERNAL, MappingSet, load_mappings

from . import dumps, partitions, release_tables, reuse, validation
from .background import PieceWorker
from .context import INTERNAL_TABLES, SourceTables, internal_schema, load_context
from .cubes import CubeBuilder
from .fill import fill_release, refresh_places
from .rdf import RdfBuilder
from .records import Drops
from .vocabulary import Vocabulary
from .vocabulary import load as load_vocabulary

DEFAULT_BASE = "https://data.met.police.uk/"
KEY_FILE = "pseudonym.key"


class PublishError(RuntimeError):
    """The release could not be built; the previous release is still current."""


@dataclass
class PublishResult:
    release_id: str
    path: Path
    manifest: dict
    seconds: float
    removed: list[str]


def pseudonym_key(data_dir: Path, configured: str | None) -> bytes:
    """The key for published ids: configured, or made once and kept beside the releases."""
    if configured:
        return configured.encode()
    path = data_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


@dataclass(frozen=True)
class Origin:
    """Where a release's records come from, when not the internal tables: the tables the
    mappings read (such as the archive tables), and what the manifest says of them."""

    tables: SourceTables = INTERNAL_TABLES
    source: dict | None = None  # the manifest's "source" (default: the database URL)
    rejected: dict | None = None  # the manifest's "rejected": what was left out before the tables
    rejections: Sequence[Sequence[str]] | None = None  # each of those: file, line, cause, message


def load_checked_mappings(directory: Path, base: str, tables: SourceTables = INTERNAL_TABLES) -> MappingSet:
    vocabulary = load_vocabulary(base)
    return load_mappings(directory, internal_schema(tables), vocabulary.terms())


def publish(
    database_url: str,
    releases_dir: Path,
    *,
    key: bytes,
    mappings_dir: Path = INTERNAL,
    base: str = DEFAULT_BASE,
    keep: int = 5,
    progress: Callable[[str, int], None] | None = None,
    origin: Origin | None = None,
    release_database_url: str | None = None,
    suppression_threshold: int | None = None,
    before_switch: Callable[[str, Path], None] | None = None,
    full: bool = False,
) -> PublishResult:
    """Build a release from the internal tables (or those ``origin`` names) and make it current.

    ``before_switch(release_id, folder)`` runs on the complete release folder before it
    becomes current (e.g. loading it into a remote SPARQL store); if it raises, the
    previous release stays current and the new one is removed.

    ``suppression_threshold``: statistical cube cells counting fewer records are withheld;
    None takes the ``SUPPRESSION_THRESHOLD`` setting (``GATEWAY_SUPPRESSION_THRESHOLD``).

    The release is built on the current one (``gateway.publish.reuse``): only the month
    partitions whose source rows changed are published again, the others are shared.
    ``full``: publish every partition.
    """
    started = time.monotonic()
    step = progress or (lambda _stage, _n: None)
    origin = origin or Origin()
    url = parse_database_url(database_url)
    vocabulary = load_vocabulary(base)
    try:
        cubes = CubeBuilder(vocabulary, _threshold(suppression_threshold))
    except ValueError as exc:
        raise PublishError(str(exc)) from None
    mappings = load_mappings(mappings_dir, internal_schema(origin.tables), vocabulary.terms())
    releases_dir.mkdir(parents=True, exist_ok=True)
    building_ids = _clear_remains(releases_dir)
    kept = [r["id"] for r in releases.list_releases(releases_dir)] + building_ids
    release_tables.clear_orphans(kept, release_database_url)
    created = datetime.now(UTC).replace(microsecond=0)
    release_id = _new_id(releases_dir, created)
    building = releases_dir / f".building-{release_id}-{os.getpid()}"
    try:
        building.mkdir()
        previous = None if full else reuse.previous_release(releases.current_path(releases_dir), release_database_url)
        plan = BuildPlan(
            url,
            mappings,
            vocabulary,
            key,
            base,
            created,
            release_id,
            step,
            origin,
            release_database_url,
            cubes,
            previous,
            full,
        )
        manifest, hashed = _build(plan, building)
        final = releases_dir / release_id
        os.rename(building, final)
        building = final  # a failure from here on removes the renamed release
        # What servers check before serving it; the verdict stays in the folder, so that
        # they need not hash the files again (gateway/integrity.py). The files written
        # here were hashed as read back from the disk for the manifest, and those shared
        # with the previous release when it was verified: unchanged since, they are not
        # read again (the check stats them and opens the tables and the store).
        known = integrity.hashed_here(final, manifest, hashed)
        if previous is not None:
            known |= integrity.known_intact(previous.path)
        verdict = integrity.check(final, manifest, known=known)
        if not verdict.ok:
            raise PublishError(f"the release failed verification: {verdict.summary()}")
        if before_switch is not None:
            before_switch(release_id, final)
        releases.switch_to(releases_dir, release_id)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        with contextlib.suppress(Exception):
            release_tables.discard([release_id], release_database_url)
        raise
    removed = releases.prune(releases_dir, keep)
    release_tables.discard(removed, release_database_url)
    return PublishResult(release_id, final, manifest, time.monotonic() - started, removed)


def _threshold(configured: int | None) -> int:
    if configured is not None:
        return configured
    from gateway.config import load_settings

    value = load_settings()["SUPPRESSION_THRESHOLD"]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"SUPPRESSION_THRESHOLD must be a whole number of at least 1, not {value!r}")
    return value


def _new_id(releases_dir: Path, created: datetime) -> str:
    release_id = created.strftime("%Y%m%dT%H%M%SZ")
    n = 1
    while (releases_dir / release_id).exists():
        n += 1
        release_id = f"{created:%Y%m%dT%H%M%SZ}-{n}"
    return release_id


def _clear_remains(releases_dir: Path) -> list[str]:
    """Remove what killed publishes left; the ids of releases still being built."""
    building = []
    for path in releases_dir.glob(".building-*"):
        name, _, pid = path.name[len(".building-") :].rpartition("-")
        if pid.isdigit() and _alive(int(pid)):
            building.append(name)
        else:
            shutil.rmtree(path, ignore_errors=True)
    return building


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class BuildPlan:
    """Everything one publish builds a release from, settled before the build starts."""

    url: URL  # the internal (or archive) tables
    mappings: MappingSet
    vocabulary: Vocabulary
    key: bytes
    base: str
    created: datetime
    release_id: str
    step: Callable[[str, int], None]
    origin: Origin
    release_database_url: str | None
    cubes: CubeBuilder
    previous: reuse.Previous | None = None  # the release to build on (an incremental publish)
    full: bool = False  # build every partition whatever the previous release has

    def common_parts(self) -> list[str]:
        """What every partition depends on beside the mappings, tables and code (the key
        enters as its digest: the state file keeping this is private, but need not hold it)."""
        return [
            self.base,
            hashlib.sha256(self.key).hexdigest(),
            str(self.cubes.threshold),
            ",".join(sorted(self.origin.tables.metadata.tables)),
        ]


def _build(plan: BuildPlan, building: Path) -> tuple[dict, set[str]]:
    """The release in ``building``: its manifest, and the files hashed for it (not shared)."""
    source_engine = make_engine(plan.url)
    try:
        with source_engine.connect() as source:
            ctx = load_context(source, plan.key, plan.origin.tables)
            ctx.has_concept = plan.vocabulary.has_concept
            plan.step("digests", 0)
            common = partitions.common_digest(
                source, plan.mappings, ctx.metadata, plan.origin.tables.lookup_tables, plan.common_parts()
            )
            position = changes.position(source)  # before the rows it stands for are read
            digests, digested = _digests(plan, source_engine, source, ctx, common)
            work = reuse.plan(digests, common, plan.previous, plan.full)
            work.digested = digested
            reuse.write_state(building, common, digests, position)
            published, counts, drops = _publish_tables(plan, building, source, ctx, work)
    finally:
        source_engine.dispose()
    try:
        with published.engine.connect() as conn:
            builder = RdfBuilder(plan.vocabulary, plan.mappings)
            statements, cube_reports, nquad_files = _publish_rdf(plan, building, conn, builder, work)
            csv_files = _publish_csv(plan, building, conn, work)
            sampled = work.months(work.rebuilt) if work.incremental else None
            shacl = validation.validate_sample(conn, builder, plan.vocabulary, sampled)
    finally:
        published.dispose()
    if not shacl["conforms"]:
        raise PublishError(f"the release does not conform to the vocabulary's shapes:\n{shacl['report']}")
    previous = work.previous.path if work.previous else None
    by_partition, drops_by_partition = counts.by_partition(), drops.by_partition()
    hashed: set[str] = set()
    manifest = {
        "release": plan.release_id,
        "created_at": plan.created.isoformat(),
        "base": plan.base,
        "source": {
            **(plan.origin.source or {"database": plan.url.render_as_string(hide_password=True)}),
            "extracted_at": ctx.extracted_at,
        },
        "mappings": {m.name: m.checksum for m in plan.mappings.mappings},
        "counts": counts.report(),
        "dropped": drops.report(),
        **({"rejected": plan.origin.rejected} if plan.origin.rejected is not None else {}),
        "statements": sum(statements.values()),
        "cubes": plan.cubes.report(cube_reports),
        "shacl": {k: v for k, v in shacl.items() if k != "report"},
        "tables": published.described,
        "incremental": work.report(),
        "partitions": {
            name: {
                "statements": statements[name],
                "counts": by_partition.get(name, {}),
                "dropped": drops_by_partition.get(name, []),
            }
            for name in work.partitions
        },
        "cube_partitions": {
            name: {"statements": statements[name], "report": report} for name, report in sorted(cube_reports.items())
        },
        "files": _files(
            building,
            [*([published.file] if published.file else []), *nquad_files, *csv_files],
            previous,
            work.previous.manifest.get("files", []) if work.previous else [],
            hashed,
        ),
        # The RDF store's data files, so that a server can tell an intact store (not downloads).
        "store_files": _files(
            building,
            integrity.store_files(building / "store"),
            previous,
            work.previous.manifest.get("store_files", []) if work.previous else [],
            hashed,
        ),
    }
    (building / releases.MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")
    return manifest, hashed


def _digests(plan: BuildPlan, engine, source, ctx, common: str) -> tuple[dict[str, str], str]:
    """Every partition's source digest, and how they were found: those of the partitions
    the change log names since the previous release, the others that release's; or, when
    the log cannot say, every source row digested."""
    previous = plan.previous
    since = None
    if previous is not None and not plan.full and previous.common == common:
        since = changes.since(source, previous.changes)
    if since is None:
        return partitions.source_digests(engine, plan.mappings, ctx.metadata, plan.key), "every partition"
    named = partitions.changed_partitions(source, plan.mappings, ctx.metadata, since)
    months = reuse.Work.months_of(named)
    fresh = partitions.source_digests(engine, plan.mappings, ctx.metadata, plan.key, months=months)
    kept = {name: digest for name, digest in previous.digests.items() if name not in named}
    return dict(sorted({**kept, **fresh}.items())), f"{len(named)} named by the change log"


def _publish_tables(plan: BuildPlan, building: Path, source, ctx, work: reuse.Work):
    """The published tables: all of them, or the previous release's with the rebuilt and
    removed partitions published again; the counts and drops of every partition."""
    drops = Drops()
    if work.incremental:
        file = building / release_tables.SQLITE_FILE
        reuse.copy_tables(work.previous.path / release_tables.SQLITE_FILE, file)
        published = release_tables.open_copy(file)
    else:
        published = release_tables.create(building, plan.release_id, plan.release_database_url)
    with published.engine.begin() as target:
        if work.incremental:
            records = {m.record: m.dataset for m in plan.mappings.mappings}
            replaced = work.months(work.rebuilt | work.removed)
            # The CSV months that change: the partitions' own, and those of their outcomes
            # before and after.
            work.dirty_months = {partitions.split_name(n)[1] for n in work.rebuilt | work.removed}
            work.dirty_months |= reuse.outcome_months(target, replaced, records)
            points, lsoas = reuse.partition_places(target, replaced, records)
            reuse.clear_partitions(target, replaced, records)
            selection = partitions.Selection(work.months(work.rebuilt), ctx.metadata)
            counts = fill_release(
                source, target, plan.mappings, ctx, drops, lambda n: plan.step("tables", n), selection
            )
            work.dirty_months |= reuse.outcome_months(target, work.months(work.rebuilt), records)
            new_points, new_lsoas = reuse.partition_places(target, work.months(work.rebuilt), records)
            refresh_places(target, ctx, (points | new_points, lsoas | new_lsoas))
            published.refresh_spatial_index(target)
            for name in work.shared:
                counts.merge(name, work.previous.manifest["partitions"][name]["counts"])
                drops.merge(name, work.previous.manifest["partitions"][name]["dropped"])
        else:
            counts = fill_release(source, target, plan.mappings, ctx, drops, lambda n: plan.step("tables", n))
            published.spatial_index(target)
    return published, counts, drops


def _publish_rdf(plan: BuildPlan, building: Path, conn, builder: RdfBuilder, work: reuse.Work):
    """The N-Quads dumps (one file per partition and cube partition, one of what the whole
    release shares, and the whole release in one) and the RDF store; the statements of each
    partition, each cube partition's report and the files."""
    previous = work.previous
    months = work.months(work.partitions)
    cubes = _cube_work(plan, work, months)
    statements: dict[str, int] = {}
    # What every partition shares: loaded again only when it changed.
    common = building / reuse.COMMON_NQUADS
    shared_statements = itertools.chain(builder.common(conn), plan.cubes.common_statements())
    statements[""] = dumps.write_nquads(shared_statements, common)
    same_common = previous is not None and reuse.same_content(common, previous.path / reuse.COMMON_NQUADS)
    if same_common:
        common.unlink()
        reuse.link(previous.path / reuse.COMMON_NQUADS, common)
    graph = lambda name: f"{plan.base}graph/{name}"  # noqa: E731 (a partition's, or a cube partition's)
    replaced = {graph(n) for n in work.rebuilt | work.removed | cubes.rebuilt | cubes.removed}
    partitioned = {graph(n) for n in [*work.partitions, *work.removed, *cubes.partitions, *cubes.removed]}

    def remove(name: str) -> bool:
        return name in replaced or (not same_common and name not in partitioned)

    loader = StoreLoader(building / "store", previous.path / "store" if previous else None, remove)
    files: list[Path] = [common]
    reports: dict[str, dict] = {}
    try:
        advance = lambda n: plan.step("rdf", n)  # noqa: E731
        if not same_common:
            for piece in dumps.pieces(common):
                loader.add(piece)
        for name in [*work.partitions, *cubes.partitions]:
            file = building / reuse.nquads_file(name)
            if name in work.shared or name in cubes.shared:
                reuse.link(previous.path / reuse.nquads_file(name), file)
                entry = previous.manifest["partitions" if name in work.shared else "cube_partitions"][name]
                statements[name] = entry["statements"]
                if name in cubes.shared:
                    reports[name] = entry["report"]
            else:
                if name in cubes.rebuilt:
                    lines = plan.cubes.partition_statements(conn, name, months)
                else:
                    lines = builder.partition(conn, *partitions.split_name(name))
                statements[name] = dumps.write_nquads(lines, file, sink=loader.add, progress=advance)
                if name in cubes.rebuilt:
                    reports[name] = vars(plan.cubes.partition_reports[name])
            files.append(file)
        loader.given_all()
        whole = building / "dumps" / "release.nq.gz"
        reuse.concatenate(files, whole)
    finally:
        loader.close()
    loader.finish()
    return statements, reports, [whole, *files]


def _cube_work(plan: BuildPlan, work: reuse.Work, months: dict[str, frozenset[str]]) -> reuse.Work:
    """Which cube partitions are built again: those counting a rebuilt or removed partition,
    and new ones; the others are shared."""
    found = plan.cubes.partitions(months)
    names = sorted(found)
    if not work.incremental:
        return reuse.Work(names, set(names), set(), set())
    before = work.previous.manifest.get("cube_partitions", {})
    changed = work.rebuilt | work.removed
    rebuilt = {n for n in names if n not in before or plan.cubes.sources(n, months) & changed}
    # A cube partition whose months lost a partition (removed) counts it no more.
    removed_months = work.months(work.removed)
    for name, (spec, period) in found.items():
        if any(spec.period(m) == period for m in removed_months.get(spec.source, ())):
            rebuilt.add(name)
    return reuse.Work(names, rebuilt, set(names) - rebuilt, set(before) - set(names), work.previous)


def _publish_csv(plan: BuildPlan, building: Path, conn, work: reuse.Work) -> list[Path]:
    directory = building / "dumps" / "csv"
    if work.incremental:
        months = {partitions.split_name(n)[1] for n in work.partitions}
        months |= {p.name for p in (work.previous.path / "dumps" / "csv").iterdir() if p.is_dir()}
        dirty = work.dirty_months
        written = dumps.write_csv_dumps(conn, directory, dirty)
        written += reuse.link_csv_months(work.previous.path, building, months - dirty)
    else:
        written = dumps.write_csv_dumps(conn, directory)
    if plan.origin.rejections is not None:
        written.append(dumps.write_rejected(plan.origin.rejections, building / dumps.REJECTED_CSV))
    return sorted(written)


class StoreLoader:
    """Loads the RDF store in pieces, in a thread of its own, while the statements are written.

    pyoxigraph's bulk loader releases the GIL, so loading overlaps with generating the
    statements; loading pieces of half a million statements keeps its memory well under
    what one load of the whole release takes. Once every piece is given, the same thread
    compacts the store for querying while the publishing thread goes on.

    With ``base`` (the previous release's store), the store starts as a checkpoint of it
    (its table files hard-linked, not copied) and the named graphs ``remove`` names are
    removed before anything is loaded; it is not compacted (that would write every file again).
    """

    def __init__(self, path: Path, base: Path | None = None, remove: Callable[[str], bool] = bool) -> None:
        self.path = path if base is not None else None
        if base is not None:
            pyoxigraph.Store.read_only(str(base)).backup(str(path))
        self.store = pyoxigraph.Store(str(path))
        if base is not None:
            for graph in list(self.store.named_graphs()):
                if remove(graph.value):
                    self.store.remove_graph(graph)
        finish = None if base is not None else self.store.optimize
        self.worker = PieceWorker(self._load, name="store-loader", finish=finish)

    def _load(self, piece: bytes) -> None:
        self.store.bulk_load(piece, format=pyoxigraph.RdfFormat.N_QUADS)

    def add(self, piece: bytes) -> None:
        try:
            self.worker.put(piece)
        except Exception as exc:
            raise PublishError(f"loading the RDF store failed: {exc}") from None

    def given_all(self) -> None:
        """Every piece has been given: the rest are loaded, then the store is compacted."""
        self.worker.given_all()

    def close(self) -> None:
        """Wait until loading (and compacting, once every piece was given) is done."""
        try:
            self.worker.close()
        except Exception as exc:
            raise PublishError(f"loading the RDF store failed: {exc}") from None

    def finish(self) -> None:
        """Write the compacted store out and close it (before its files are checksummed)."""
        self.store.flush()
        self.worker = None  # it holds the store too (its finishing step): the last reference goes
        del self.store
        if self.path is not None:
            # A store that began as a checkpoint keeps the write-ahead log of the graphs
            # removed from it (as large as them) after a flush; opened again, RocksDB writes
            # it into table files and deletes it.
            store = pyoxigraph.Store(str(self.path))
            store.flush()
            del store


def _files(
    root: Path, paths: list[Path], previous: Path | None = None, listed: list[dict] = (), hashed: set[str] | None = None
) -> list[dict]:
    """Each file's path, size and SHA-256; a file that is the previous release's (a hard
    link to it) keeps the digest that release's manifest lists. ``hashed`` gathers the
    names of the files read and hashed here."""
    before = {e["path"]: e for e in listed}
    out = []
    for path in paths:
        name = str(path.relative_to(root))
        if previous is not None and name in before and _same_file(path, previous / name):
            out.append({**before[name]})
            continue
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda h=handle: h.read(1 << 20), b""):
                digest.update(block)
        out.append({"path": name, "bytes": path.stat().st_size, "sha256": digest.hexdigest()})
        if hashed is not None:
            hashed.add(name)
    return out


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
