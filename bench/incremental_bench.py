"""Benchmark: incremental publish of one new month onto a long history (``make bench``).

For each history length H in ``--histories`` (months; default 36 and 180: 3 and 15 years):

1. builds the internal tables once with ``gateway demo-data --scale H`` (reused when a
   previous run built them with the same parameters; the build time is reported apart);
2. makes a *base* copy of the database without the latest month (its crimes with their
   outcomes, ASB, stops, uses of force with their tactics) and a *month alone* database
   holding only that month (the same tables, reference tables whole);
3. publishes the base with ``gateway publish --full`` into a fresh releases folder (timed,
   context only), then the whole database incrementally into the same folder: wall time,
   peak RSS of the process tree, bytes added to the folder (``du``, which counts a file
   hard-linked into two releases once), the new release's size as ``du`` sees it alone,
   and the manifest's ``incremental`` section;
4. publishes the month alone (``--full``, fresh data dir): wall time, peak RSS, size; the
   ratio incremental / alone (target <= 1.5);
5. runs morph-kgc on the month alone's rows of all six internal tables (the rows our
   publish maps: crimes, outcomes, ASB, stops, uses of force, tactics), with the plain
   R2RML mappings ``bench/morph_kgc/<table>.r2rml.ttl``, one N-Triples output: rows and
   triples; the ratio morph-kgc time / our incremental time (target >= 1) uses this run.
   It also maps the crime rows alone (``crime_report.r2rml.ttl``, as the earlier runs
   did), reported on its own line for comparison and not used for the target;

then, on the largest history's release, served by gunicorn on 127.0.0.1: p50/p99 of
1-mile ``/api/crimes-street/all-crime`` radius queries at varied central-London points,
and ``/sparql`` analytic queries on the latest month, uncached and cached. The history
target: the largest history's incremental publish within 1.2 x the smallest's.

Prints a table with the ratios and targets, and writes everything to
``var/bench/incremental-results-<parameters>.json``. Only the standard library is used
(and the measuring helpers of ``publish_vs_morph_kgc.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from publish_vs_morph_kgc import (
    INTERNAL_TABLES,
    MORPH_TABLES,
    ROOT,
    Database,
    Measured,
    Parameters,
    _check,
    _gateway_env,
    demo_database,
    gateway_command,
    machine,
    run_measured,
    run_morph,
    table_counts,
)

DEFAULT_DATA_DIR = ROOT / "var" / "bench"
DEFAULT_MORPH_PYTHON = ROOT / "bench" / ".venv" / "bin" / "python"
LONDON = ZoneInfo("Europe/London")
MiB = 1024**2
GiB = 1024**3

# The top-level internal tables, the column their month is read from, and their children.
TOP_TABLES = {
    "crime_report": ("recorded_at", ("crime_outcome", "crime_ref")),
    "anti_social_behaviour": ("reported_at", None),
    "stop_search": ("searched_at", None),
    "use_of_force": ("occurred_at", ("use_of_force_tactic", "uof_ref")),
}

TARGET_INCREMENTAL_OVER_ALONE = 1.5
TARGET_LONGEST_OVER_SHORTEST = 1.2
TARGET_MORPH_OVER_INCREMENTAL = 1.0

# Sizes measured on a Met-size year (bench/README.md: 805 MiB of internal tables, a
# 5,010 MiB release), per month, for the disk estimate; scaled by the parameters.
MET_CRIMES, MET_STOPS = 90_000, 12_000
DB_PER_MET_MONTH = 805 * MiB / 12
RELEASE_PER_MET_MONTH = 5_010 * MiB / 12
# morph-kgc's N-Triples of a Met-size month, both runs kept: the crimes alone (1,054 MiB a
# year, measured), and all six tables, about 2.5 x that (the triples per row of each table
# measured on the demo, at a Met month's 90,000 crimes and ASB with their outcomes, 12,000
# stops, 13,000 uses of force and 25,000 tactics).
MORPH_PER_MET_MONTH = 3.5 * 1_054 * MiB / 12
# What an incremental publish adds, as a share of the release it is built on (the published
# tables are copied then patched, release.nq.gz and the release-wide graph written again,
# the store's new files and write-ahead log): 0.54 and 1.07 measured in the smoke runs
# (bench/README.md); the larger the history, the smaller the share.
INCREMENTAL_SHARE = 0.6
MARGIN = 1.25
FIXED_DEMO = 60 * MiB  # the plain demo's real files (36 small months), database and release


def log(message: str = "") -> None:
    print(message, flush=True)


# --- parameters and space ------------------------------------------------------------------


def params_name(crimes: int | None, stops: int | None) -> str:
    parts = []
    if crimes is not None:
        parts.append(f"crimes-{crimes}")
    if stops is not None:
        parts.append(f"stops-{stops}")
    return "-".join(parts) or "met-size"


def month_factor(crimes: int | None, stops: int | None) -> float:
    """A synthetic month's size relative to a Met-size month. demo-data adds 13,000 uses of
    force a month whatever --crimes-per-month and --stops-per-month say: about a fifth of
    a Met month's release."""
    c = MET_CRIMES if crimes is None else crimes
    s = MET_STOPS if stops is None else stops
    return 0.75 * c / MET_CRIMES + 0.05 * s / MET_STOPS + 0.20


def estimate(history: int, factor: float, database_exists: bool) -> dict[str, int]:
    """Bytes one history needs at its peak, by part (with a margin)."""
    db = int(MARGIN * history * DB_PER_MET_MONTH * factor) + FIXED_DEMO
    release = int(MARGIN * history * RELEASE_PER_MET_MONTH * factor) + FIXED_DEMO
    month = int(MARGIN * (DB_PER_MET_MONTH + RELEASE_PER_MET_MONTH + MORPH_PER_MET_MONTH) * factor) + FIXED_DEMO
    return {
        "database": 0 if database_exists else db,
        "base copy": db,
        "base release": release,
        "incremental release (new bytes)": int(release * INCREMENTAL_SHARE),
        "month alone (database, release, morph-kgc)": month,
    }


def space_needed(histories: list[int], factor: float, workdir: Path, keep: bool) -> tuple[int, dict]:
    """Peak bytes for the run: every database is kept (they are reused), and with the
    default clean-up only one history's publishes exist at a time (the largest's at the end)."""
    parts = {h: estimate(h, factor, (workdir / f"h-{h}" / "demo-data.json").exists()) for h in histories}
    databases = sum(p["database"] for p in parts.values())
    transient = [sum(v for k, v in p.items() if k != "database") for p in parts.values()]
    peak = databases + (sum(transient) if keep else max(transient))
    return peak, parts


def check_space(histories: list[int], factor: float, workdir: Path, keep: bool, force: bool) -> dict:
    free = shutil.disk_usage(_existing(workdir)).free
    need, parts = space_needed(histories, factor, workdir, keep)
    info = {"free_bytes": free, "estimated_bytes": need, "by_history": parts}
    log(f"disk: about {need / GiB:,.1f} GiB needed (estimate), {free / GiB:,.1f} GiB free")
    for h, p in parts.items():
        log(f"  H={h}: " + ", ".join(f"{k} {v / GiB:,.1f} GiB" for k, v in p.items()))
    if need <= free:
        return info
    fits = max(
        (h for h in range(1, max(histories) + 1) if space_needed([h], factor, workdir, keep)[0] <= free), default=0
    )
    message = (
        f"bench: not enough disk: the histories {','.join(map(str, histories))} need about {need / GiB:,.1f} GiB "
        f"at these parameters and {free / GiB:,.1f} GiB is free. "
        + (
            f"One history of up to {fits} months would fit (e.g. --histories {min(histories[0], fits)},{fits}), "
            if fits
            else "Not even one month fits; "
        )
        + "or lower --crimes-per-month/--stops-per-month."
    )
    if force:
        log(message.replace("bench: ", "bench: warning: ") + " Going on (--ignore-space).")
        return info
    sys.exit(message)


def _existing(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path


def du(path: Path) -> int:
    """Bytes on disk under ``path``, each hard-linked file counted once (``du -s``)."""
    out = subprocess.run(["du", "-s", "--block-size=1", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0])


def free_bytes(path: Path) -> int:
    return shutil.disk_usage(_existing(path)).free


# --- the databases --------------------------------------------------------------------------


def london_month(value: str) -> str:
    moment = datetime.fromisoformat(value).replace(tzinfo=UTC).astimezone(LONDON)
    return f"{moment.year:04d}-{moment.month:02d}"


def month_bounds(month: str) -> tuple[str, str]:
    """The London month as a half-open range of naive UTC times, as the tables store them."""
    year, number = map(int, month.split("-"))
    after = (year + number // 12, number % 12 + 1)
    start = datetime(year, number, 1, tzinfo=LONDON).astimezone(UTC)
    end = datetime(*after, 1, tzinfo=LONDON).astimezone(UTC)
    return start.strftime("%Y-%m-%d %H:%M:%S"), end.strftime("%Y-%m-%d %H:%M:%S")


def new_month(database: Path) -> str:
    """The month published as "new": the latest Met-size month, i.e. the latest month holding
    at least half as many crimes and ASB incidents as the busiest. (``gateway demo-data
    --scale N`` fills the N months ending with the latest real Met month, 2024-02; the months
    after it hold the City of London's real records only, about 800 a month.)"""
    counts: dict[str, int] = {}
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        for table in ("crime_report", "anti_social_behaviour"):
            column = TOP_TABLES[table][0]
            query = f'SELECT min("{column}"), count(*) FROM "{table}" GROUP BY substr("{column}", 1, 7)'
            for first, n in conn.execute(query):
                month = london_month(str(first))  # a UTC month's first row is in its London month
                counts[month] = counts.get(month, 0) + n
    busiest = max(counts.values())
    return max(month for month, n in counts.items() if n >= busiest / 2)


def _delete(conn: sqlite3.Connection, condition: str, bounds: tuple[str, str]) -> dict[str, int]:
    """Delete the rows of the top tables matching ``condition`` on their month column
    (``{c}`` stands for it), children first."""
    deleted = {}
    for table, (column, child) in TOP_TABLES.items():
        where = condition.format(c=f'"{column}"')
        if child:
            child_table, ref = child
            cursor = conn.execute(
                f'DELETE FROM "{child_table}" WHERE "{ref}" IN (SELECT internal_ref FROM "{table}" WHERE {where})',
                bounds,
            )
            deleted[child_table] = cursor.rowcount
        deleted[table] = conn.execute(f'DELETE FROM "{table}" WHERE {where}', bounds).rowcount
    return deleted


def make_base(full: Path, target: Path, month: str) -> dict:
    """A copy of ``full`` without ``month``'s records (and their outcomes and tactics)."""
    started = time.monotonic()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    shutil.copyfile(full, target)
    with sqlite3.connect(target) as conn:
        deleted = _delete(conn, "{c} >= ? AND {c} < ?", month_bounds(month))
    return {"path": str(target), "deleted": deleted, "seconds": time.monotonic() - started}


def add_change_log(database: Path) -> None:
    """A new, empty change log on ``database`` (what was done to it before is not a change)."""
    from gateway.internal import changes
    from gateway.internal.database import make_engine
    from gateway.publish.context import INTERNAL_TABLES as SOURCE_TABLES
    from gateway.publish.partitions import tracked_tables
    from gateway.publish.pipeline import DEFAULT_BASE, load_checked_mappings
    from mappings import INTERNAL

    engine = make_engine(f"sqlite:///{database}")
    try:
        tracked = tracked_tables(load_checked_mappings(INTERNAL, DEFAULT_BASE), SOURCE_TABLES.metadata)
        changes.install(engine, tracked, fresh=True)
    finally:
        engine.dispose()


def add_month(full: Path, target: Path, month: str) -> dict:
    """Insert ``full``'s records of ``month`` (with their outcomes and tactics) into
    ``target``, as the month's data arrives in the internal tables (the change log's
    triggers fire); how many rows, the log's rows, the time."""
    started = time.monotonic()
    start, end = month_bounds(month)
    conn = sqlite3.connect(target)
    try:
        conn.execute("ATTACH DATABASE ? AS src", (f"file:{full}?mode=ro",))
        added = {}
        for table, (column, child) in TOP_TABLES.items():
            where = f'"{column}" >= ? AND "{column}" < ?'
            added[table] = conn.execute(
                f'INSERT INTO main."{table}" SELECT * FROM src."{table}" WHERE {where}', (start, end)
            ).rowcount
            if child:
                child_table, ref = child
                added[child_table] = conn.execute(
                    f'INSERT INTO main."{child_table}" SELECT * FROM src."{child_table}" WHERE "{ref}" IN '
                    f'(SELECT internal_ref FROM src."{table}" WHERE {where})',
                    (start, end),
                ).rowcount
        conn.commit()
        conn.execute("DETACH DATABASE src")
        logged = conn.execute("SELECT count(*) FROM gateway_change_log").fetchone()[0]
    finally:
        conn.close()
    return {"rows": added, "change_log_rows": logged, "seconds": time.monotonic() - started}


def make_month_alone(full: Path, target: Path, month: str) -> dict:
    """A new database with ``full``'s schema and reference tables, and only ``month``'s
    records with their outcomes and tactics (copied, rather than deleting the history)."""
    started = time.monotonic()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    start, end = month_bounds(month)
    conn = sqlite3.connect(target)
    try:
        conn.execute("ATTACH DATABASE ? AS src", (f"file:{full}?mode=ro",))
        schema = conn.execute(
            "SELECT type, name, sql FROM src.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY type = 'index', rowid"
        ).fetchall()
        tables = [name for kind, name, _ in schema if kind == "table"]
        for kind, _, sql in schema:
            if kind == "table":
                conn.execute(sql)
        children = {child[0]: (table, child[1]) for table, (_, child) in TOP_TABLES.items() if child}
        copied = {}
        for table in tables:
            if table in TOP_TABLES:
                column = TOP_TABLES[table][0]
                sql = f'INSERT INTO main."{table}" SELECT * FROM src."{table}" WHERE "{column}" >= ? AND "{column}" < ?'
                args: tuple = (start, end)
            elif table in children:
                parent, ref = children[table]
                column = TOP_TABLES[parent][0]
                sql = (
                    f'INSERT INTO main."{table}" SELECT * FROM src."{table}" WHERE "{ref}" IN '
                    f'(SELECT internal_ref FROM src."{parent}" WHERE "{column}" >= ? AND "{column}" < ?)'
                )
                args = (start, end)
            else:
                sql, args = f'INSERT INTO main."{table}" SELECT * FROM src."{table}"', ()
            copied[table] = conn.execute(sql, args).rowcount
        for kind, _, sql in schema:
            if kind != "table":
                conn.execute(sql)
        conn.commit()
        conn.execute("DETACH DATABASE src")
    finally:
        conn.close()
    return {"path": str(target), "rows": copied, "seconds": time.monotonic() - started}


# --- publishing -----------------------------------------------------------------------------


def publish(gateway: str, data_dir: Path, database: Path, log_name: str, full: bool) -> tuple[Measured, dict]:
    command = [
        gateway,
        "publish",
        "--data-dir",
        str(data_dir),
        "--database",
        f"sqlite:///{database}",
        "--releases",
        str(data_dir / "releases"),
        "--quiet",
    ]
    if full:
        command.append("--full")
    log(f"  running: {' '.join(command)}")
    measured = run_measured(command, data_dir / "logs" / f"{log_name}.log", _gateway_env(data_dir))
    _check(measured, f"gateway publish ({log_name})")
    release = (data_dir / "releases" / "current").resolve()
    manifest = json.loads((release / "manifest.json").read_text())
    log(
        f"    {measured.seconds:.1f} s, peak {measured.peak_rss / MiB:,.0f} MiB, "
        f"{manifest['statements']:,} statements, incremental {_short(manifest.get('incremental'))}"
    )
    return measured, manifest


def _short(incremental: dict | None) -> str:
    if not incremental:
        return "-"
    return ", ".join(f"{k} {v}" for k, v in incremental.items() if k != "removed") + (
        f", removed {len(incremental.get('removed') or [])}"
    )


def measured_dict(measured: Measured) -> dict:
    return asdict(measured) | {"peak_rss": measured.peak_rss}


def code_fingerprint() -> str:
    """A hash of the code a release's common digest covers (gateway/publish, mappings and
    vocab of the checkout the gateway runs from): if it moves between the base and the
    incremental publish, everything is published again and the figure is not incremental."""
    h = hashlib.sha256()
    for folder in (ROOT / "gateway" / "publish", ROOT / "mappings", ROOT / "vocab"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".yaml", ".ttl", ".json"} and "__pycache__" not in path.parts:
                h.update(str(path).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def month_records(manifest: dict, month: str) -> dict[str, int]:
    return {dataset: months[month] for dataset, months in manifest["counts"].items() if month in months}


def one_history(args: argparse.Namespace, gateway: str, workdir: Path, history: int, largest: bool) -> dict:
    hdir = workdir / f"h-{history}"
    hdir.mkdir(parents=True, exist_ok=True)
    log(f"\n== history {history} months ({hdir}) ==")
    params = Parameters(history, args.crimes_per_month, args.stops_per_month)
    database = demo_database(gateway, params, hdir, args.rebuild)
    month = args.month or new_month(database.path)
    log(f"  the new month: {month} (UTC {' to '.join(month_bounds(month))})")
    result: dict = {
        "history": history,
        "month": month,
        "demo_data": database.build | {"reused": not database.built_now},
        "internal_rows": database.rows,
        "database_bytes": database.path.stat().st_size,
    }

    base = make_base(database.path, hdir / "base" / "internal.sqlite", month)
    log(
        f"  base copy without {month} in {base['seconds']:.1f} s: deleted "
        + ", ".join(f"{t} {n:,}" for t, n in base["deleted"].items())
    )
    if not args.without_change_log:
        add_change_log(Path(base["path"]))
        log("  a new change log on the base copy (gateway.internal.changes)")
    alone_dir = hdir / "alone"
    shutil.rmtree(alone_dir, ignore_errors=True)
    alone = make_month_alone(database.path, alone_dir / "internal.sqlite", month)
    alone["rows"] = {t: n for t, n in alone["rows"].items() if t in INTERNAL_TABLES}
    log(
        f"  month-alone database in {alone['seconds']:.1f} s: "
        + ", ".join(f"{t} {n:,}" for t, n in alone["rows"].items())
    )
    result["base_database"], result["alone_database"] = base, alone

    # 3. the base, in full, then the whole database incrementally onto it
    publish_dir = hdir / "publish"
    shutil.rmtree(publish_dir, ignore_errors=True)
    publish_dir.mkdir(parents=True)
    releases = publish_dir / "releases"
    code_before = code_fingerprint()
    log("  publishing the base (--full):")
    base_run, base_manifest = publish(gateway, publish_dir, Path(base["path"]), "publish-base-full", full=True)
    base_release = (releases / "current").resolve()
    du_before = du(releases)
    if args.without_change_log:
        log("  publishing the whole database incrementally onto it (measured; no change log: every row digested):")
        inc_run, inc_manifest = publish(gateway, publish_dir, database.path, "publish-incremental", full=False)
        arrived = None
    else:
        arrived = add_month(database.path, Path(base["path"]), month)
        log(
            f"  the month inserted into the base's tables in {arrived['seconds']:.1f} s (not measured): "
            + ", ".join(f"{t} {n:,}" for t, n in arrived["rows"].items())
            + f"; {arrived['change_log_rows']:,} change-log rows"
        )
        log("  publishing them incrementally onto the base release (measured):")
        inc_run, inc_manifest = publish(gateway, publish_dir, Path(base["path"]), "publish-incremental", full=False)
    new_release = (releases / "current").resolve()
    du_after = du(releases)
    code_after = code_fingerprint()
    incremental = inc_manifest.get("incremental") or {}
    expected = sorted(name for name in inc_manifest["partitions"] if name.endswith("/" + month))
    problems = []
    if incremental.get("from") != base_release.name:
        problems.append(f"built on {incremental.get('from')!r}, not on the base release {base_release.name}")
    if incremental.get("rebuilt") != len(expected):
        problems.append(
            f"rebuilt {incremental.get('rebuilt')} partitions, expected {len(expected)} ({', '.join(expected)})"
            + (f"; reason: {incremental['reason']}" if incremental.get("reason") else "")
        )
    if code_before != code_after:
        problems.append("the gateway's publishing code changed between the two publishes (a full rebuild follows)")
    for problem in problems:
        log(f"  WARNING: {problem}")
    result["base_publish"] = {
        "measured": measured_dict(base_run),
        "release": base_release.name,
        "statements": base_manifest["statements"],
        "du_bytes": du_before,
    }
    result["incremental"] = {
        "measured": measured_dict(inc_run),
        "release": new_release.name,
        "manifest_incremental": incremental,
        "expected_rebuilt": expected,
        "statements": inc_manifest["statements"],
        "month_records": month_records(inc_manifest, month),
        "bytes_added": du_after - du_before,
        "release_du_alone": du(new_release),
        "releases_du_before": du_before,
        "releases_du_after": du_after,
        "problems": problems,
        "month_arrived": arrived,
    }

    # 4. the month alone, in full
    log("  publishing the month alone (--full):")
    alone_run, alone_manifest = publish(gateway, alone_dir, Path(alone["path"]), "publish-alone", full=True)
    result["alone"] = {
        "measured": measured_dict(alone_run),
        "release": (alone_dir / "releases" / "current").resolve().name,
        "statements": alone_manifest["statements"],
        "month_records": month_records(alone_manifest, month),
        "release_du": du(alone_dir / "releases"),
    }

    # 5. morph-kgc on the month alone's rows: the crimes alone (for comparison with the
    # earlier runs), then all six tables (the same rows our publish maps: the target's run)
    if args.skip_morph:
        result["morph_kgc"] = result["morph_kgc_crimes"] = None
    else:
        alone_db = Database(Path(alone["path"]), False, {}, table_counts(Path(alone["path"]), INTERNAL_TABLES))
        for key, tables in (("morph_kgc_crimes", MORPH_TABLES["crimes"]), ("morph_kgc", MORPH_TABLES["all"])):
            morph = run_morph(args.morph_python, alone_db, alone_dir, args.morph_processes, tables=tables)
            log(
                f"    morph-kgc ({morph['label']}): {morph['measured']['seconds']:.1f} s, "
                f"{morph['rows_total']:,} rows, {morph['triples']:,} triples"
            )
            result[key] = morph

    seconds = inc_run.seconds
    result["ratios"] = {
        "incremental_over_alone": seconds / alone_run.seconds,
        # the target's: morph-kgc on all six tables (the same rows as our publish)
        "morph_over_incremental": (result["morph_kgc"]["measured"]["seconds"] / seconds)
        if result["morph_kgc"]
        else None,
        # for comparison only: morph-kgc on the crime rows alone
        "morph_crimes_over_incremental": (result["morph_kgc_crimes"]["measured"]["seconds"] / seconds)
        if result["morph_kgc_crimes"]
        else None,
    }

    # clean up what is not needed any more
    if not args.keep:
        shutil.rmtree(hdir / "base", ignore_errors=True)
        shutil.rmtree(alone_dir, ignore_errors=True)
        if not largest:
            shutil.rmtree(publish_dir, ignore_errors=True)
    result["data_dir"] = str(publish_dir)
    return result


# --- serving the largest release ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, workers: int | None, name: str = "gunicorn") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
        # The limiter stays on, with limits these requests never meet.
        env.update(
            {
                "GATEWAY_DATA_DIR": str(data_dir),
                "GATEWAY_RATE_LIMIT": "1000000000",
                "GATEWAY_RATE_BURST": "1000000000",
                "GATEWAY_SPARQL_MAX_CONCURRENT_PER_CLIENT": "64",
            }
        )
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--access-logfile",
            "/dev/null",
            "wsgi:app",
        ]
        if workers:
            command += ["--workers", str(workers)]
        self.command = command
        self.log_path = data_dir / "logs" / f"{name}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while True:
            if self.process.poll() is not None:
                self.log.close()
                sys.exit(f"bench: gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=10) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                sys.exit(f"bench: gunicorn did not answer within 180 s; see {self.log_path}")
            time.sleep(0.3)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def central_points(release_sqlite: Path, month: str, count: int, seed: int) -> list[tuple[float, float]]:
    """Map points with street records in ``month`` in central London (zones 1-2), jittered."""
    with sqlite3.connect(f"file:{release_sqlite}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT DISTINCT p.latitude, p.longitude FROM street s JOIN map_point p ON p.id = s.map_point "
            "WHERE s.month = ? AND p.latitude BETWEEN 51.48 AND 51.54 AND p.longitude BETWEEN -0.20 AND -0.02 "
            "ORDER BY p.id",
            (month,),
        ).fetchall()
    if not rows:
        sys.exit(f"bench: no map point with records in {month} in central London in {release_sqlite}")
    rng = random.Random(seed)
    chosen = rng.sample(rows, min(count, len(rows)))
    return [
        (round(lat + rng.uniform(-0.002, 0.002), 6), round(lng + rng.uniform(-0.003, 0.003), 6)) for lat, lng in chosen
    ]


def get(url: str) -> tuple[float, int, int]:
    """(seconds, status, bytes) of one GET."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    return time.perf_counter() - started, status, len(body)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))  # nearest rank
    return ordered[rank]


def radius_bench(server: Server, release: Path, month: str, args: argparse.Namespace) -> dict:
    where = central_points(release / "release.sqlite", month, args.points, args.seed)
    urls = [f"{server.url}/api/crimes-street/all-crime?lat={lat}&lng={lng}&date={month}" for lat, lng in where]
    first = get(urls[0])
    # Every worker builds the month's JSON once: warm them all up with concurrent requests.
    warm_started = time.monotonic()
    with ThreadPoolExecutor(args.warmup_concurrency) as pool:
        warm = list(pool.map(get, [urls[i % len(urls)] for i in range(args.warmup_requests)]))
    warm_seconds = time.monotonic() - warm_started
    todo = [urls[i % len(urls)] for i in range(args.radius_requests)]
    started = time.monotonic()
    if args.radius_concurrency > 1:
        with ThreadPoolExecutor(args.radius_concurrency) as pool:
            answers = list(pool.map(get, todo))
    else:
        answers = [get(url) for url in todo]
    elapsed = time.monotonic() - started
    times = [a[0] * 1000 for a in answers]
    statuses = sorted({a[1] for a in answers + warm + [first]})
    result = {
        "month": month,
        "points": len(where),
        "requests": len(todo),
        "concurrency": args.radius_concurrency,
        "first_request_ms": first[0] * 1000,
        "warmup": {
            "requests": len(warm),
            "concurrency": args.warmup_concurrency,
            "seconds": warm_seconds,
            "max_ms": max(w[0] for w in warm) * 1000,
        },
        "p50_ms": percentile(times, 50),
        "p90_ms": percentile(times, 90),
        "p99_ms": percentile(times, 99),
        "max_ms": max(times),
        "requests_per_s": len(todo) / elapsed,
        "mean_kib": statistics.mean(a[2] for a in answers) / 1024,
        "statuses": statuses,
        "times_ms": [round(t, 2) for t in times],
    }
    log(
        f"  radius: p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms over {len(todo)} requests "
        f"({len(where)} points, concurrency {args.radius_concurrency}); "
        f"first request {result['first_request_ms']:.0f} ms; "
        f"statuses {statuses}"
    )
    return result


SPARQL_PROLOGUE = """PREFIX pol: <https://data.met.police.uk/def/policing/>
PREFIX crime: <https://data.met.police.uk/def/crime-category/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def sparql_queries(month: str, base: str) -> dict[str, str]:
    return {
        "crimes by borough, one month": (
            "SELECT ?area (COUNT(?crime) AS ?crimes) WHERE { "
            f'?crime a pol:RecordedCrime ; pol:month "{month}"^^xsd:gYearMonth ; pol:category ?category ; '
            "pol:borough ?area . FILTER (?category != crime:anti-social-behaviour) } GROUP BY ?area ORDER BY ?area"
        ),
        "crimes by category, one month": (
            "SELECT ?category (COUNT(?crime) AS ?crimes) WHERE { "
            f'?crime a pol:RecordedCrime ; pol:month "{month}"^^xsd:gYearMonth ; pol:category ?category }} '
            "GROUP BY ?category ORDER BY DESC(?crimes)"
        ),
        # the same counts as the first query, from the borough cube's month (its own graph):
        # how analytic queries over the whole history are meant to be answered
        "crimes by borough, one month (the cube)": (
            "SELECT ?area (SUM(?n) AS ?crimes) WHERE { "
            f"GRAPH <{base}graph/cube/crime-counts-borough/{month}> {{ "
            "?o <http://purl.org/linked-data/sdmx/2009/dimension#refArea> ?area ; pol:count ?n } } "
            "GROUP BY ?area ORDER BY ?area"
        ),
        "stops by outcome, one month (its graph)": (
            "SELECT ?outcome (COUNT(?s) AS ?n) WHERE { "
            f"GRAPH <{base}graph/stop-and-search/{month}> {{ ?s a pol:StopAndSearch ; pol:searchOutcome ?outcome }} }} "
            "GROUP BY ?outcome ORDER BY DESC(?n)"
        ),
    }


def sparql_post(url: str, text: str) -> tuple[float, int, int]:
    data = urllib.parse.urlencode({"query": text}).encode()
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/sparql-results+json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    seconds = time.perf_counter() - started
    rows = len(json.loads(body)["results"]["bindings"]) if status == 200 else -1
    return seconds, status, rows


def sparql_answer(url: str, text: str) -> list[tuple]:
    data = urllib.parse.urlencode({"query": text}).encode()
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=300) as response:
        bindings = json.loads(response.read())["results"]["bindings"]
    rows = [tuple(float(v["value"]) if k != "area" else v["value"] for k, v in sorted(b.items())) for b in bindings]
    return sorted(rows)


def sparql_bench(server: Server, month: str, base: str, runs: int) -> dict:
    url = server.url + "/sparql"
    results = {}
    for name, query in sparql_queries(month, base).items():
        text = SPARQL_PROLOGUE + query
        uncached = [sparql_post(url, f"# uncached run {i} {time.time_ns()}\n{text}") for i in range(runs)]
        sparql_post(url, text)  # the answer is cached from here on
        cached = [sparql_post(url, text) for _ in range(max(runs, 5))]
        results[name] = {
            "query": text,
            "first_uncached_ms": uncached[0][0] * 1000,
            "uncached_median_ms": statistics.median(u[0] for u in uncached) * 1000,
            "cached_median_ms": statistics.median(c[0] for c in cached) * 1000,
            "rows": uncached[0][2],
            "uncached_ms": [round(u[0] * 1000, 2) for u in uncached],
            "cached_ms": [round(c[0] * 1000, 2) for c in cached],
            "statuses": sorted({r[1] for r in uncached + cached}),
        }
        r = results[name]
        log(
            f"  sparql {name}: first {r['first_uncached_ms']:.1f} ms, uncached median {r['uncached_median_ms']:.1f} "
            f"ms, cached {r['cached_median_ms']:.1f} ms, {r['rows']} rows, statuses {r['statuses']}"
        )
    queries = sparql_queries(month, base)
    names = ("crimes by borough, one month", "crimes by borough, one month (the cube)")
    records, cube = (SPARQL_PROLOGUE + queries[q] for q in names)
    same = sparql_answer(url, records) == sparql_answer(url, cube)
    results["cube_answers_as_the_records"] = same
    log(f"  the cube's crimes by borough are the records' counted: {same}")
    return results


def serve_and_query(args: argparse.Namespace, result: dict) -> dict:
    data_dir = Path(result["data_dir"])
    release = (data_dir / "releases" / "current").resolve()
    manifest = json.loads((release / "manifest.json").read_text())
    log(f"\n== (c) queries on the {result['history']}-month release {release.name} ==")
    server = Server(data_dir, args.workers, "gunicorn-radius")
    try:
        radius = radius_bench(server, release, result["month"], args)
    finally:
        server.stop()
    radius["server"] = server.command
    # /sparql's result cache is per process: one worker (4 threads), as bench/sparql_bench.py
    # runs it, so that a repeated query meets the cache that answered it.
    server = Server(data_dir, 1, "gunicorn-sparql")
    try:
        sparql = sparql_bench(server, result["month"], manifest["base"], args.sparql_runs)
    finally:
        server.stop()
    return {
        "history": result["history"],
        "release": str(release),
        "sparql_server": server.command,
        "radius": radius,
        "sparql": sparql,
    }


# --- the report -----------------------------------------------------------------------------


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("met" if ok else "NOT met")


def _table(header: tuple, lines: list[tuple]) -> None:
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    for line in [header, *lines]:
        log(
            "  ".join(
                str(c).ljust(w) if i == 0 else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=True))
            )
        )


def _morph_peak(morph: dict | None) -> str:
    if not morph:
        return "-"
    measured = morph["measured"]
    return f"{max(measured['peak_tree_rss'], measured['peak_single_rss']) / MiB:,.0f}"


def summarise(histories: list[dict]) -> dict:
    shortest, longest = histories[0], histories[-1]
    s, lg = shortest["incremental"]["measured"]["seconds"], longest["incremental"]["measured"]["seconds"]
    summary: dict = {"per_history": {}}
    for h in histories:
        ratios = h["ratios"]
        summary["per_history"][h["history"]] = {
            "incremental_over_alone": ratios["incremental_over_alone"],
            "incremental_over_alone_met": ratios["incremental_over_alone"] <= TARGET_INCREMENTAL_OVER_ALONE,
            "morph_over_incremental": ratios["morph_over_incremental"],
            "morph_over_incremental_met": None
            if ratios["morph_over_incremental"] is None
            else ratios["morph_over_incremental"] >= TARGET_MORPH_OVER_INCREMENTAL,
        }
    if len(histories) > 1:
        summary["longest_over_shortest"] = {
            "histories": [shortest["history"], longest["history"]],
            "ratio": lg / s,
            "met": lg / s <= TARGET_LONGEST_OVER_SHORTEST,
        }
    return summary


def print_report(results: dict) -> None:
    histories = results["histories"]
    log(f"\n== incremental monthly publish: {results['parameters']['name']} ==")
    for h in histories:
        build = h["demo_data"]
        rows = sum(h["internal_rows"].values())
        log(
            f"H={h['history']}: demo database {h['database_bytes'] / MiB:,.0f} MiB, {rows:,} internal rows, built in "
            f"{build['seconds']:.1f} s{' (reused)' if build['reused'] else ''}; month {h['month']}: "
            + ", ".join(f"{k} {v:,}" for k, v in h["alone_database"]["rows"].items())
        )
    log()
    header = ("", *[f"H={h['history']}" for h in histories])

    def row(label: str, fn) -> tuple:
        return (label, *[fn(h) for h in histories])

    def inc(h):
        return h["incremental"]

    lines = [
        row("base publish --full, s", lambda h: f"{h['base_publish']['measured']['seconds']:.1f}"),
        row("base release, MiB (du)", lambda h: f"{h['base_publish']['du_bytes'] / MiB:,.0f}"),
        row("incremental publish, s", lambda h: f"{inc(h)['measured']['seconds']:.1f}"),
        row(
            "  CPU user+sys, s",
            lambda h: f"{inc(h)['measured']['user_seconds'] + inc(h)['measured']['system_seconds']:.1f}",
        ),
        row("  peak RSS, MiB", lambda h: f"{inc(h)['measured']['peak_rss'] / MiB:,.0f}"),
        row("  bytes added, MiB", lambda h: f"{inc(h)['bytes_added'] / MiB:,.0f}"),
        row("  new release alone, MiB (du)", lambda h: f"{inc(h)['release_du_alone'] / MiB:,.0f}"),
        row(
            "  rebuilt / shared",
            lambda h: (
                f"{inc(h)['manifest_incremental'].get('rebuilt')} / {inc(h)['manifest_incremental'].get('shared')}"
            ),
        ),
        row("  statements", lambda h: f"{inc(h)['statements']:,}"),
        row("month alone --full, s", lambda h: f"{h['alone']['measured']['seconds']:.1f}"),
        row("  peak RSS, MiB", lambda h: f"{h['alone']['measured']['peak_rss'] / MiB:,.0f}"),
        row("  release, MiB (du)", lambda h: f"{h['alone']['release_du'] / MiB:,.0f}"),
        row("  statements", lambda h: f"{h['alone']['statements']:,}"),
        row(
            "morph-kgc, the month's rows (all six tables), s",
            lambda h: f"{h['morph_kgc']['measured']['seconds']:.1f}" if h["morph_kgc"] else "-",
        ),
        row(
            "  rows / triples",
            lambda h: f"{h['morph_kgc']['rows_total']:,} / {h['morph_kgc']['triples']:,}" if h["morph_kgc"] else "-",
        ),
        row("  peak RSS, MiB", lambda h: _morph_peak(h.get("morph_kgc"))),
        row(
            "morph-kgc, the month's crimes only, s (comparison)",
            lambda h: f"{h['morph_kgc_crimes']['measured']['seconds']:.1f}" if h.get("morph_kgc_crimes") else "-",
        ),
        row(
            "  crime rows / triples",
            lambda h: (
                f"{h['morph_kgc_crimes']['rows_total']:,} / {h['morph_kgc_crimes']['triples']:,}"
                if h.get("morph_kgc_crimes")
                else "-"
            ),
        ),
    ]
    _table(header, lines)
    log()
    summary = results["summary"]
    header = ("ratio", "target", *[f"H={h['history']}" for h in histories])
    lines = []
    per = summary["per_history"]
    lines.append(
        (
            "incremental / month alone",
            f"<= {TARGET_INCREMENTAL_OVER_ALONE}",
            *[
                f"{per[h['history']]['incremental_over_alone']:.2f} "
                f"({_verdict(per[h['history']]['incremental_over_alone_met'])})"
                for h in histories
            ],
        )
    )
    lines.append(
        (
            "morph-kgc (all six tables) / incremental",
            f">= {TARGET_MORPH_OVER_INCREMENTAL:g}",
            *[
                "-"
                if per[h["history"]]["morph_over_incremental"] is None
                else f"{per[h['history']]['morph_over_incremental']:.2f} "
                f"({_verdict(per[h['history']]['morph_over_incremental_met'])})"
                for h in histories
            ],
        )
    )
    _table(header, lines)
    if "longest_over_shortest" in summary:
        los = summary["longest_over_shortest"]
        log(
            f"incremental H={los['histories'][1]} / H={los['histories'][0]}: {los['ratio']:.2f} "
            f"(target <= {TARGET_LONGEST_OVER_SHORTEST}: {_verdict(los['met'])})"
        )
    for h in histories:
        for problem in h["incremental"]["problems"]:
            log(f"WARNING H={h['history']}: {problem}")
    queries = results.get("queries")
    if queries:
        r = queries["radius"]
        log(
            f"\n(c) on the H={queries['history']} release: radius query (1 mile, central London, "
            f"{r['month']}) p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms over {r['requests']} requests"
        )
        _table(
            ("/sparql, ms", "first uncached", "uncached median", "cached median", "rows"),
            [
                (
                    name,
                    f"{q['first_uncached_ms']:.1f}",
                    f"{q['uncached_median_ms']:.1f}",
                    f"{q['cached_median_ms']:.1f}",
                    q["rows"],
                )
                for name, q in queries["sparql"].items()
                if isinstance(q, dict)
            ],
        )
        same = queries["sparql"].get("cube_answers_as_the_records")
        print(f"the borough cube's month answers as the records counted: {same}")


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--histories", default="36,180", help="history lengths in months (default 36,180)")
    parser.add_argument("--crimes-per-month", type=int, default=None, help="demo-data --crimes-per-month")
    parser.add_argument("--stops-per-month", type=int, default=None, help="demo-data --stops-per-month")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="default: var/bench")
    parser.add_argument("--month", default=None, help="the month published as new (default: the latest Met-size one)")
    parser.add_argument("--rebuild", action="store_true", help="build the demo databases even if present")
    parser.add_argument("--keep", action="store_true", help="keep the base, month-alone and smaller histories' data")
    parser.add_argument("--ignore-space", action="store_true", help="go on even if the disk estimate does not fit")
    parser.add_argument(
        "--morph-python",
        type=Path,
        default=DEFAULT_MORPH_PYTHON,
        help="interpreter with morph-kgc installed (default: bench/.venv/bin/python)",
    )
    parser.add_argument("--morph-processes", type=int, default=None, help="morph-kgc number_of_processes")
    parser.add_argument("--skip-morph", action="store_true", help="do not run morph-kgc")
    parser.add_argument(
        "--without-change-log",
        action="store_true",
        help="publish the whole database onto the base with no change log (every source row digested), "
        "instead of inserting the month into the base's tables",
    )
    parser.add_argument("--skip-queries", action="store_true", help="do not serve and query the largest release")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--points", type=int, default=64, help="central-London points for the radius queries")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--radius-requests", type=int, default=300)
    parser.add_argument("--radius-concurrency", type=int, default=1, help="radius requests in flight (default 1)")
    parser.add_argument("--warmup-requests", type=int, default=64)
    parser.add_argument("--warmup-concurrency", type=int, default=16)
    parser.add_argument("--sparql-runs", type=int, default=3, help="uncached runs per query (cached: at least 5)")
    args = parser.parse_args(argv)

    histories = sorted({int(h) for h in args.histories.split(",") if h.strip()})
    if not histories or histories[0] < 1:
        parser.error("--histories: positive numbers of months, comma-separated")
    if not args.skip_morph and not args.morph_python.exists():
        sys.exit(
            f"bench: {args.morph_python} not found: run `make bench`, or create it with\n"
            f"  python3 -m venv bench/.venv && bench/.venv/bin/pip install -r bench/requirements.txt"
        )
    # The gateway's commands and server run this checkout's code (the one the benchmark
    # belongs to), whatever checkout the interpreter's editable install points at.
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    name = params_name(args.crimes_per_month, args.stops_per_month)
    workdir = args.data_dir.resolve() / f"incremental-{name}"
    space = check_space(
        histories, month_factor(args.crimes_per_month, args.stops_per_month), workdir, args.keep, args.ignore_space
    )
    workdir.mkdir(parents=True, exist_ok=True)
    at_start = machine()
    gateway = gateway_command()
    started = time.monotonic()
    results: dict = {
        "parameters": {
            "name": name,
            "histories": histories,
            "crimes_per_month": args.crimes_per_month,
            "stops_per_month": args.stops_per_month,
            "command": sys.argv,
        },
        "machine": at_start,
        "disk": space,
        "histories": [],
    }
    for history in histories:
        results["histories"].append(one_history(args, gateway, workdir, history, history == histories[-1]))
        log(f"  free disk now {free_bytes(workdir) / GiB:,.1f} GiB")
    if not args.skip_queries:
        results["queries"] = serve_and_query(args, results["histories"][-1])
    results["summary"] = summarise(results["histories"])
    results["load_average_at_end"] = os.getloadavg()
    results["seconds"] = time.monotonic() - started
    print_report(results)
    label = f"h{'-'.join(map(str, histories))}-{name}"
    path = args.data_dir.resolve() / f"incremental-results-{label}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    log(f"\nresults: {path} (whole run {results['seconds'] / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
