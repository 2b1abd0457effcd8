"""Benchmark: ``gateway publish`` of a Met-size year against morph-kgc mapping the same rows.

One command (``make bench``, or ``.venv/bin/python bench/publish_vs_morph_kgc.py``):

1. builds the demo internal tables at ``--scale`` (default 12, a Met-size year) in
   ``var/bench/`` with ``gateway demo-data``, or reuses the database a previous run built
   with the same parameters (the build time is reported on its own);
2. runs ``gateway publish`` on it in a subprocess: wall time, peak memory of the process
   tree, records and statements from the manifest, and the size of the release;
3. runs morph-kgc (an R2RML engine, in its own virtual environment ``bench/.venv``: its
   pins conflict with the gateway's) on the same database with the plain R2RML mappings
   ``bench/morph_kgc/<table>.r2rml.ttl`` of ``--morph-tables``: ``crimes`` (the default,
   ``crime_report`` alone, as the recorded runs) or ``all`` (the six internal tables our
   publish maps), writing one N-Triples file, measured the same way;
4. prints both side by side with the ratios, and writes them to
   ``var/bench/results-<parameters>.json``.

Our publish maps every internal table (crimes, outcomes, ASB, stops, use of force and
tactics) and does more with them (disclosure transforms, published tables, the RDF store,
CSV and N-Quads dumps, SHACL on a sample). With ``--morph-tables all`` morph-kgc maps the
same rows, and the rows/s ratio compares like with like. With ``--morph-tables crimes`` it
maps the crime rows only, and ours is given twice: over all the rows it reads, and over
the crime rows only (the crime rows divided by the time of the whole publish, the least
favourable reading). The report says which tables morph-kgc mapped.

Memory: the peak of the summed resident set of the process and all its descendants,
sampled every 0.1 s from /proc, and the kernel's exact peak of the largest single process
(``ru_maxrss`` from ``wait4``). The target is the larger of the two under 2 GiB.

Only the standard library is used, so the runner runs with the gateway's own interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DEFAULT_DATA_DIR = ROOT / "var" / "bench"
DEFAULT_MORPH_PYTHON = BENCH / ".venv" / "bin" / "python"
MEMORY_TARGET = 2 * 1024**3  # 2 GiB
INTERNAL_TABLES = (
    "crime_report",
    "crime_outcome",
    "anti_social_behaviour",
    "stop_search",
    "use_of_force",
    "use_of_force_tactic",
)
# The plain R2RML mapping of each internal table, one file each (what plain R2RML cannot
# do compared with our YAML mappings is in their header comments and bench/README.md).
MAPPINGS = {table: BENCH / "morph_kgc" / f"{table}.r2rml.ttl" for table in INTERNAL_TABLES}
# What morph-kgc maps (``run_morph(tables=...)``): the crime rows alone, or the six tables.
MORPH_TABLES = {"crimes": ("crime_report",), "all": INTERNAL_TABLES}
PAGE = os.sysconf("SC_PAGE_SIZE")
MiB = 1024**2


# --- measuring a process tree ------------------------------------------------------------


@dataclass
class Measured:
    command: list[str]
    seconds: float
    returncode: int
    peak_tree_rss: int  # bytes, sampled sum over the process tree
    peak_single_rss: int  # bytes, kernel ru_maxrss of the largest process in the tree
    user_seconds: float
    system_seconds: float
    log: str

    @property
    def peak_rss(self) -> int:
        return max(self.peak_tree_rss, self.peak_single_rss)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields follow the last ")".
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _tree_rss(root: int) -> int:
    tree = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += tree.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_measured(command: list[str], log: Path, env: dict[str, str] | None = None) -> Measured:
    """Run ``command`` with its output in ``log``: wall time, CPU time and peak memory."""
    log.parent.mkdir(parents=True, exist_ok=True)
    peak = [0]
    done = threading.Event()
    with log.open("wb") as out:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss(process.pid))
                done.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        command=command,
        seconds=seconds,
        returncode=process.returncode,
        peak_tree_rss=peak[0],
        peak_single_rss=usage.ru_maxrss * 1024,
        user_seconds=usage.ru_utime,
        system_seconds=usage.ru_stime,
        log=str(log),
    )


def _check(measured: Measured, what: str) -> None:
    if measured.returncode != 0:
        tail = Path(measured.log).read_text(errors="replace").splitlines()[-20:]
        message = f"bench: {what} failed with status {measured.returncode}; the end of {measured.log}:"
        sys.exit("\n".join([message, *tail]))


# --- files -------------------------------------------------------------------------------


def tree_size(path: Path) -> int:
    """Bytes of all the files under ``path`` (apparent size)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def count_lines(path: Path) -> int:
    n = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            n += block.count(b"\n")
    return n


def table_counts(database: Path, tables: tuple[str, ...]) -> dict[str, int]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


# --- the steps ---------------------------------------------------------------------------


@dataclass
class Parameters:
    scale: int
    crimes_per_month: int | None
    stops_per_month: int | None

    @property
    def name(self) -> str:
        name = f"scale-{self.scale}"
        if self.crimes_per_month is not None:
            name += f"-crimes-{self.crimes_per_month}"
        if self.stops_per_month is not None:
            name += f"-stops-{self.stops_per_month}"
        return name


@dataclass
class Database:
    path: Path
    built_now: bool
    build: dict
    rows: dict[str, int] = field(default_factory=dict)


def gateway_command() -> str:
    beside = Path(sys.executable).parent / "gateway"
    found = str(beside) if beside.exists() else shutil.which("gateway")
    if not found:
        sys.exit("bench: no `gateway` command: run with the gateway's interpreter (.venv/bin/python)")
    return found


def demo_database(gateway: str, params: Parameters, workdir: Path, rebuild: bool) -> Database:
    """The demo database for ``params``: reused if a previous run completed it, else built."""
    path = workdir / "internal.sqlite"
    sidecar = workdir / "demo-data.json"
    wanted = asdict(params)
    if not rebuild and path.exists() and sidecar.exists():
        build = json.loads(sidecar.read_text())
        if build.get("parameters") == wanted:
            print(f"reusing {path} (built in {build['seconds']:.1f} s on {build['built_at']})", flush=True)
            return Database(path, False, build, table_counts(path, INTERNAL_TABLES))
    sidecar.unlink(missing_ok=True)
    command = [gateway, "demo-data", "--database", f"sqlite:///{path}", "--scale", str(params.scale), "--quiet"]
    if params.crimes_per_month is not None:
        command += ["--crimes-per-month", str(params.crimes_per_month)]
    if params.stops_per_month is not None:
        command += ["--stops-per-month", str(params.stops_per_month)]
    print(f"building the demo database: {' '.join(command)}", flush=True)
    measured = run_measured(command, workdir / "logs" / "demo-data.log", _gateway_env(workdir))
    _check(measured, "gateway demo-data")
    build = {
        "parameters": wanted,
        "command": command,
        "seconds": measured.seconds,
        "peak_rss": measured.peak_rss,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "database_bytes": path.stat().st_size,
    }
    sidecar.write_text(json.dumps(build, indent=2) + "\n")
    print(f"  built in {measured.seconds:.1f} s", flush=True)
    return Database(path, True, build, table_counts(path, INTERNAL_TABLES))


def _gateway_env(workdir: Path) -> dict[str, str]:
    """The environment without any GATEWAY_* setting that could point elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    env["GATEWAY_DATA_DIR"] = str(workdir)
    return env


def run_publish(gateway: str, database: Database, workdir: Path) -> dict:
    releases = workdir / "releases"
    shutil.rmtree(releases, ignore_errors=True)  # nothing to prune inside the timed run
    command = [
        gateway, "publish", "--data-dir", str(workdir), "--database", f"sqlite:///{database.path}",
        "--releases", str(releases), "--quiet",
    ]  # fmt: skip
    print(f"running: {' '.join(command)}", flush=True)
    measured = run_measured(command, workdir / "logs" / "publish.log", _gateway_env(workdir))
    _check(measured, "gateway publish")
    release = (releases / "current").resolve()
    manifest = json.loads((release / "manifest.json").read_text())
    with sqlite3.connect(f"file:{release / 'release.sqlite'}?mode=ro", uri=True) as conn:
        published = dict(conn.execute("SELECT record, count(*) FROM street GROUP BY record").fetchall())
        published["TacticUse"] = conn.execute("SELECT count(*) FROM use_of_force_tactic").fetchone()[0]
    counts = {dataset: sum(months.values()) for dataset, months in manifest["counts"].items()}
    sizes = {
        "release.sqlite": tree_size(release / "release.sqlite"),
        "store": tree_size(release / "store"),
        "dumps/release.nq.gz": tree_size(release / "dumps" / "release.nq.gz"),
        "dumps/csv": tree_size(release / "dumps" / "csv"),
    }
    return {
        "measured": asdict(measured),
        "release": str(release),
        "records_by_dataset": counts,
        "published_by_record": published,
        "dropped": manifest["dropped"],
        "statements": manifest["statements"],
        "shacl": manifest["shacl"],
        "bytes": tree_size(release),
        "bytes_by_part": sizes,
    }


def morph_name(tables: tuple[str, ...]) -> str:
    """The name of a morph-kgc run's files: ``crime_report`` (the crimes alone, the name the
    recorded runs used), ``all-tables``, or the tables joined."""
    if tuple(tables) == MORPH_TABLES["all"]:
        return "all-tables"
    return "-".join(tables)


def morph_label(tables: tuple[str, ...]) -> str:
    """How the report names what morph-kgc mapped."""
    if tuple(tables) == MORPH_TABLES["all"]:
        return f"all {len(tables)} tables"
    if tuple(tables) == MORPH_TABLES["crimes"]:
        return "crime rows only"
    return ", ".join(tables)


def run_morph(
    morph_python: Path, database: Database, workdir: Path, processes: int | None, *, tables: tuple[str, ...]
) -> dict:
    """morph-kgc mapping the rows of ``tables`` in ``database`` with their plain R2RML
    mappings (``MAPPINGS``), all listed in one config section (morph-kgc reads them into one
    mapping graph), to one N-Triples file: wall time, CPU, peak memory, rows and triples.
    ``tables`` is explicit: ``MORPH_TABLES["all"]`` for the same rows as our publish,
    ``MORPH_TABLES["crimes"]`` for the crime rows alone."""
    tables = tuple(tables)
    unknown = [t for t in tables if t not in MAPPINGS]
    if not tables or unknown:
        raise ValueError(f"run_morph: tables must be among {', '.join(MAPPINGS)}; got {', '.join(tables) or 'none'}")
    name = morph_name(tables)
    out = workdir / "morph-kgc"
    out.mkdir(parents=True, exist_ok=True)
    output = out / f"{name}.nt"
    config = out / f"{name}.ini"
    output.unlink(missing_ok=True)
    mappings = [MAPPINGS[t] for t in tables]
    lines = [
        "[CONFIGURATION]",
        f"output_file = {output}",
        "output_format = N-TRIPLES",
        "logging_level = WARNING",
    ]
    if processes:
        lines.append(f"number_of_processes = {processes}")
    lines += [
        "",
        "[InternalTables]",
        f"mappings = {','.join(str(m) for m in mappings)}",
        f"db_url = sqlite:///{database.path}",
        "",
    ]
    config.write_text("\n".join(lines))
    rows = table_counts(database.path, tables)
    command = [str(morph_python), "-m", "morph_kgc", str(config)]
    print(f"running: {' '.join(command)}", flush=True)
    measured = run_measured(command, workdir / "logs" / f"morph-kgc-{name}.log")
    _check(measured, f"morph-kgc ({name})")
    return {
        "tables": list(tables),
        "label": morph_label(tables),
        "mappings": [str(m) for m in mappings],
        "measured": asdict(measured),
        "config": config.read_text(),
        "output": str(output),
        "rows": rows,
        "rows_total": sum(rows.values()),
        "triples": count_lines(output),
        "bytes": output.stat().st_size,
    }


# --- the report --------------------------------------------------------------------------


def _rate(n: float, seconds: float) -> float:
    return n / seconds if seconds else 0.0


def summarise(params: Parameters, database: Database, ours: dict, morph: dict | None) -> dict:
    rows = database.rows
    crime_rows = rows["crime_report"]
    all_rows = sum(rows.values())
    ours_seconds = ours["measured"]["seconds"]
    ours_peak = max(ours["measured"]["peak_tree_rss"], ours["measured"]["peak_single_rss"])
    summary = {
        "all_rows": all_rows,
        "crime_rows": crime_rows,
        "ours_seconds": ours_seconds,
        "ours_rows_per_s_all": _rate(all_rows, ours_seconds),
        "ours_rows_per_s_crime_only": _rate(crime_rows, ours_seconds),
        "ours_statements_per_s": _rate(ours["statements"], ours_seconds),
        "ours_peak_rss": ours_peak,
        "ours_under_2_gib": ours_peak < MEMORY_TARGET,
    }
    if morph:
        morph_seconds = morph["measured"]["seconds"]
        # morph-kgc's rate over the rows it mapped: the crime rows, or all six tables' rows.
        morph_rate = _rate(morph["rows_total"], morph_seconds)
        morph_triples_rate = _rate(morph["triples"], morph_seconds)
        summary.update(
            morph_tables=morph["tables"],
            morph_label=morph["label"],
            morph_rows=morph["rows_total"],
            morph_seconds=morph_seconds,
            morph_rows_per_s=morph_rate,
            morph_triples_per_s=morph_triples_rate,
            ratio_rows_per_s_all=_rate(summary["ours_rows_per_s_all"], morph_rate),
            ratio_triples_per_s=_rate(summary["ours_statements_per_s"], morph_triples_rate),
        )
        summary["at_least_as_fast_per_row_all"] = summary["ratio_rows_per_s_all"] >= 1
        if tuple(morph["tables"]) == MORPH_TABLES["crimes"]:
            # Only when morph-kgc maps the crimes alone: our crime rows over our whole time.
            summary["ratio_rows_per_s_crime_only"] = _rate(summary["ours_rows_per_s_crime_only"], morph_rate)
            summary["at_least_as_fast_per_row_crime_only"] = summary["ratio_rows_per_s_crime_only"] >= 1
    return summary


def _mib(n: int) -> str:
    return f"{n / MiB:,.0f}"


def print_report(params: Parameters, database: Database, ours: dict, morph: dict | None, summary: dict) -> None:
    rows = database.rows
    print()
    print(f"== gateway publish vs morph-kgc: demo data {params.name} ==")
    build = database.build
    print(f"demo database: {database.path} ({_mib(build['database_bytes'])} MiB), "
          f"built in {build['seconds']:.1f} s{' (this run)' if database.built_now else ' (reused)'}")  # fmt: skip
    print("internal rows: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()) + f"; total {summary['all_rows']:,}")
    published = ours["published_by_record"]
    by_dataset = ours["records_by_dataset"]
    print("published:     " + ", ".join(f"{k} {v:,}" for k, v in published.items()) + " (release tables); "
          + ", ".join(f"{k} {v:,}" for k, v in by_dataset.items()) + " (manifest, by dataset)")  # fmt: skip
    for drop in ours["dropped"]:
        print(f"  dropped {drop['rows']:,} from {drop['mapping']}: {drop['reason']}")
    print()
    header = ("", "rows", "seconds", "rows/s", "triples", "triples/s", "peak RSS MiB", "max 1-proc MiB", "output MiB")
    om = ours["measured"]
    lines = [
        (
            "ours, all records",
            f"{summary['all_rows']:,}",
            f"{om['seconds']:.1f}",
            f"{summary['ours_rows_per_s_all']:,.0f}",
            f"{ours['statements']:,}",
            f"{summary['ours_statements_per_s']:,.0f}",
            _mib(om["peak_tree_rss"]),
            _mib(om["peak_single_rss"]),
            _mib(ours["bytes"]),
        ),
        (
            "ours, crime rows only",
            f"{summary['crime_rows']:,}",
            f"{om['seconds']:.1f}",
            f"{summary['ours_rows_per_s_crime_only']:,.0f}",
            "",
            "",
            "",
            "",
            "",
        ),
    ]
    if morph:
        mm = morph["measured"]
        lines.append(
            (
                f"morph-kgc, {morph['label']}",
                f"{summary['morph_rows']:,}",
                f"{mm['seconds']:.1f}",
                f"{summary['morph_rows_per_s']:,.0f}",
                f"{morph['triples']:,}",
                f"{summary['morph_triples_per_s']:,.0f}",
                _mib(mm["peak_tree_rss"]),
                _mib(mm["peak_single_rss"]),
                _mib(morph["bytes"]),
            )
        )
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    for line in [header, *lines]:
        print(
            "  ".join(
                str(c).ljust(w) if i == 0 else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=True))
            )
        )
    print()
    cpu = f"CPU: ours user {om['user_seconds']:.1f} s, system {om['system_seconds']:.1f} s"
    if morph:
        cpu += f"; morph-kgc user {mm['user_seconds']:.1f} s, system {mm['system_seconds']:.1f} s"
    print(cpu)
    print("release size: " + ", ".join(f"{k} {_mib(v)} MiB" for k, v in ours["bytes_by_part"].items())
          + f"; total {_mib(ours['bytes'])} MiB")  # fmt: skip
    if morph:
        print(f"morph-kgc mapped: {morph['label']} (" + ", ".join(f"{t} {n:,}" for t, n in morph["rows"].items())
              + f" rows; {morph['triples'] / max(morph['rows_total'], 1):.1f} triples per row)")  # fmt: skip
        print(f"ratio rows/s, ours (all records) / morph-kgc ({morph['label']}): "
              f"{summary['ratio_rows_per_s_all']:.2f}"
              f"  ({'at least as fast' if summary['at_least_as_fast_per_row_all'] else 'SLOWER'})")  # fmt: skip
        if "ratio_rows_per_s_crime_only" in summary:
            verdict = "at least as fast" if summary["at_least_as_fast_per_row_crime_only"] else "SLOWER"
            print(f"ratio rows/s, ours (crime rows only) / morph-kgc ({morph['label']}): "
                  f"{summary['ratio_rows_per_s_crime_only']:.2f}  ({verdict})")  # fmt: skip
        print(f"ratio triples/s, ours / morph-kgc ({morph['label']}): {summary['ratio_triples_per_s']:.2f}")
    verdict = "under" if summary["ours_under_2_gib"] else "OVER"
    print(f"our peak memory: {_mib(summary['ours_peak_rss'])} MiB, {verdict} the 2 GiB target")


def machine() -> dict:
    info = {
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True)  # fmt: skip
        info["commit"] = commit.stdout.strip()
        info["dirty_files"] = [line[3:] for line in dirty.stdout.splitlines()]
    except (OSError, subprocess.CalledProcessError):
        pass
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=12, help="demo-data --scale (default 12: a Met-size year)")
    parser.add_argument("--crimes-per-month", type=int, default=None, help="demo-data --crimes-per-month")
    parser.add_argument("--stops-per-month", type=int, default=None, help="demo-data --stops-per-month")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="default: var/bench")
    parser.add_argument("--rebuild", action="store_true", help="build the demo database even if one is there")
    parser.add_argument("--morph-python", type=Path, default=DEFAULT_MORPH_PYTHON,
                        help="interpreter with morph-kgc installed (default: bench/.venv/bin/python)")  # fmt: skip
    parser.add_argument("--morph-processes", type=int, default=None,
                        help="morph-kgc number_of_processes (default: morph-kgc's own, 2 x CPUs)")  # fmt: skip
    parser.add_argument("--morph-tables", choices=sorted(MORPH_TABLES), default="crimes",
                        help="what morph-kgc maps: crimes (crime_report alone, the default, as the recorded runs) "
                             "or all (the six internal tables our publish maps)")  # fmt: skip
    parser.add_argument("--skip-morph", action="store_true", help="time our publish only")
    args = parser.parse_args(argv)

    params = Parameters(args.scale, args.crimes_per_month, args.stops_per_month)
    workdir = args.data_dir.resolve() / params.name
    workdir.mkdir(parents=True, exist_ok=True)
    if not args.skip_morph and not args.morph_python.exists():
        sys.exit(f"bench: {args.morph_python} not found: run `make bench`, or create it with\n"
                 f"  python3 -m venv bench/.venv && bench/.venv/bin/pip install -r bench/requirements.txt")  # fmt: skip
    at_start = machine()
    gateway = gateway_command()
    database = demo_database(gateway, params, workdir, args.rebuild)
    ours = run_publish(gateway, database, workdir)
    morph = None
    if not args.skip_morph:
        tables = MORPH_TABLES[args.morph_tables]
        morph = run_morph(args.morph_python, database, workdir, args.morph_processes, tables=tables)
    summary = summarise(params, database, ours, morph)
    print_report(params, database, ours, morph, summary)
    results = {
        "parameters": asdict(params) | {"morph_tables": None if args.skip_morph else args.morph_tables},
        "machine": at_start,
        "load_average_at_end": os.getloadavg(),
        "demo_data": database.build | {"reused": not database.built_now},
        "internal_rows": database.rows,
        "ours": ours,
        "morph_kgc": morph,
        "summary": summary,
    }
    suffix = "" if args.skip_morph or args.morph_tables == "crimes" else f"-morph-{args.morph_tables}"
    path = args.data_dir.resolve() / f"results-{params.name}{suffix}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
