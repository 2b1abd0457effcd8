"""Benchmark: /api/crimes-street/all-crime (1-mile radius) against Datasette, under wrk.

One command (``make bench-api``):

1. builds Met-size months (``gateway demo-data --scale 2``, then ``gateway publish``) in
   ``var/bench/api-scale-2``, or reuses it (``--scale 1`` is the plain demo: the scale
   counts the months filled to Met size, and fills none below 2); the queries run on the
   busiest month;
2. serves it with gunicorn (``gunicorn.conf.py``: 2 x CPUs + 1 workers, 4 threads) on
   127.0.0.1 and runs wrk with 16 connections against 1-mile ``crimes-street/all-crime``
   queries at varied London points (a Lua script cycling through them);
3. serves the same ``release.sqlite`` with Datasette (``bench/.venv-datasette``) and runs
   the same wrk settings against the equivalent bounding-box SQL (the R*Tree join, so both
   use the same index) at the same points;
4. prints requests/s, p50 and p99 for both and the ratio; writes
   ``var/bench/results-api.json``.

Not a test: nothing asserts a timing. Needs only the standard library.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DATASETTE = ROOT / "bench" / ".venv-datasette" / "bin" / "datasette"
ONE_MILE_M = 1609.344
EARTH_RADIUS_M = 6_371_008.8

DATASETTE_SQL = (
    "SELECT s.id, s.persistent_id, s.category, s.month, s.last_outcome, s.last_outcome_month, "
    "p.id AS street_id, p.street_name, p.latitude, p.longitude "
    "FROM map_point_rtree r JOIN map_point p ON p.id = r.id JOIN street s ON s.map_point = p.id "
    "WHERE s.month = :month AND r.max_lat >= :min_lat AND r.min_lat <= :max_lat "
    "AND r.max_lon >= :min_lng AND r.min_lon <= :max_lng"
)

LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(data_dir: Path, scale: int) -> Path:
    """The bench release; built with the gateway's own commands unless one is there."""
    current = data_dir / "releases" / "current"
    if (current / "release.sqlite").exists():
        log(f"reusing {current.resolve()}")
        return current.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GATEWAY_DATA_DIR": str(data_dir)}
    started = time.monotonic()
    subprocess.run([str(BIN / "gateway"), "demo-data", "--scale", str(scale)], env=env, check=True)
    subprocess.run([str(BIN / "gateway"), "publish", "--quiet"], env=env, check=True)
    log(f"built and published in {time.monotonic() - started:.0f} s")
    return current.resolve()


def points(release_sqlite: Path, count: int, seed: int) -> tuple[str, list[tuple[float, float]]]:
    """The busiest month, and ``count`` varied London points: map points with crimes, jittered."""
    conn = sqlite3.connect(f"file:{release_sqlite}?mode=ro", uri=True)
    month = conn.execute("SELECT month FROM street GROUP BY month ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    rows = conn.execute(
        "SELECT DISTINCT p.latitude, p.longitude FROM street s JOIN map_point p ON p.id = s.map_point "
        "WHERE s.month = ? ORDER BY p.id",
        (month,),
    ).fetchall()
    conn.close()
    rng = random.Random(seed)
    chosen = rng.sample(rows, count)
    return month, [(round(lat + rng.uniform(-0.002, 0.002), 6), round(lng + rng.uniform(-0.003, 0.003), 6))
                   for lat, lng in chosen]  # fmt: skip


def circle_box(lat: float, lng: float) -> dict[str, float]:
    dlat = math.degrees(ONE_MILE_M / EARTH_RADIUS_M)
    dlng = dlat / math.cos(math.radians(lat))
    return {"min_lat": lat - dlat, "max_lat": lat + dlat, "min_lng": lng - dlng, "max_lng": lng + dlng}


def gateway_paths(month: str, where: list[tuple[float, float]]) -> list[str]:
    return [f"/api/crimes-street/all-crime?lat={lat}&lng={lng}&date={month}" for lat, lng in where]


def datasette_paths(month: str, where: list[tuple[float, float]]) -> list[str]:
    paths = []
    for lat, lng in where:
        query = {"sql": DATASETTE_SQL, "month": month, **{k: f"{v:.6f}" for k, v in circle_box(lat, lng).items()}}
        paths.append("/release.json?" + urllib.parse.urlencode({**query, "_shape": "array"}))
    return paths


def wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def fetch_all(base: str, paths: list[str]) -> list[tuple[int, int]]:
    """(bytes, records) of each answer, fetched once: warms caches and checks the answers."""
    sizes = []
    for path in paths:
        with urllib.request.urlopen(base + path, timeout=120) as response:
            body = response.read()
        sizes.append((len(body), len(json.loads(body))))
    return sizes


def wrk(base: str, paths: list[str], seconds: int, connections: int, script_dir: Path) -> dict:
    script = script_dir / "paths.lua"
    script.write_text(LUA % ",".join(json.dumps(p) for p in paths))
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        base,
    ]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
            "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
            "errors": re.findall(r"(Non-2xx or 3xx responses: \d+|Socket errors: .*)", out),
            "raw": out}  # fmt: skip


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


class Server:
    def __init__(self, command: list[str], env: dict, log_path: Path, health: str) -> None:
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(health, self.process)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def run(args: argparse.Namespace) -> dict:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (make bench-api installs it)")
    if not DATASETTE.exists():
        raise SystemExit(f"{DATASETTE} is missing: make bench-api creates bench/.venv-datasette")
    data_dir = (ROOT / args.data_dir).resolve()
    release = build(data_dir, args.scale)
    month, where = points(release / "release.sqlite", args.points, args.seed)
    log(f"month {month}; {len(where)} points; wrk -c{args.connections} for {args.seconds} s each")
    results: dict = {"month": month, "points": where, "connections": args.connections, "seconds": args.seconds}

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    # The limiter stays on (its shared bucket is part of every request) with a limit wrk never meets.
    env.update(
        {"GATEWAY_DATA_DIR": str(data_dir), "GATEWAY_RATE_LIMIT": "1000000000", "GATEWAY_RATE_BURST": "1000000000"}
    )
    command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
               "--access-logfile", "/dev/null", "wsgi:app"]  # fmt: skip
    if args.workers:
        command += ["--workers", str(args.workers)]
    base = f"http://127.0.0.1:{port}"
    server = Server(command, env, data_dir / "bench-gunicorn.log", base + "/healthz")
    try:
        paths = gateway_paths(month, where)
        sizes = fetch_all(base, paths)
        wrk(base, paths, args.warmup, args.connections, data_dir)  # every worker builds its month cache
        log(f"load average before the gateway run: {os.getloadavg()}")
        results["gateway"] = wrk(base, paths, args.seconds, args.connections, data_dir)
        results["gateway"]["mean_records"] = sum(n for _, n in sizes) / len(sizes)
        results["gateway"]["mean_bytes"] = sum(b for b, _ in sizes) / len(sizes)
    finally:
        server.stop()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(DATASETTE), "serve", "-i", str(release / "release.sqlite"), "-h", "127.0.0.1", "-p", str(port),
               "--setting", "max_returned_rows", "100000", "--setting", "sql_time_limit_ms", "20000"]  # fmt: skip
    server = Server(command, dict(os.environ), data_dir / "bench-datasette.log", base + "/-/versions.json")
    try:
        paths = datasette_paths(month, where)
        sizes = fetch_all(base, paths)
        wrk(base, paths, args.warmup, args.connections, data_dir)
        log(f"load average before the Datasette run: {os.getloadavg()}")
        results["datasette"] = wrk(base, paths, args.seconds, args.connections, data_dir)
        results["datasette"]["mean_records"] = sum(n for _, n in sizes) / len(sizes)
        results["datasette"]["mean_bytes"] = sum(b for b, _ in sizes) / len(sizes)
        with urllib.request.urlopen(base + "/-/versions.json", timeout=30) as response:
            results["datasette"]["version"] = json.load(response)["datasette"]["version"]
    finally:
        server.stop()
    theirs = results["datasette"]["requests_per_s"]
    results["ratio"] = results["gateway"]["requests_per_s"] / theirs if theirs else float("inf")
    results["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform(), "loadavg_end": os.getloadavg()}
    return results


def report(results: dict) -> None:
    g, d = results["gateway"], results["datasette"]
    log("")
    log(f"crimes-street/all-crime, 1-mile radius, month {results['month']}, {len(results['points'])} London points,")
    log(f"wrk 16 connections x {results['seconds']} s, {results['machine']['cpus']} CPUs")
    log(f"{'':28} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'records':>9} {'KiB':>7}")
    for name, r in (("gateway (gunicorn)", g), (f"Datasette {d.get('version', '')} (bbox)", d)):
        log(f"{name:28} {r['requests_per_s']:9.1f} {r['p50_ms']:9.1f} {r['p99_ms']:9.1f} "
            f"{r['mean_records']:9.0f} {r['mean_bytes'] / 1024:7.0f}")  # fmt: skip
        for error in r["errors"]:
            log(f"  {name}: {error}")
    log(f"throughput ratio gateway / Datasette: {results['ratio']:.1f}x (target >= 10x); "
        f"gateway p99 {g['p99_ms']:.0f} ms (target < 100 ms)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="var/bench/api-scale-2")
    parser.add_argument("--scale", type=int, default=2)
    parser.add_argument("--points", type=int, default=64)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py's)")
    args = parser.parse_args()
    results = run(args)
    report(results)
    out = ROOT / "var" / "bench" / "results-api.json"
    out.write_text(json.dumps(results, indent=1))
    log(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
