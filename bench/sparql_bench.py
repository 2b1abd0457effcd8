"""SPARQL benchmark: the same analytic queries four ways, medians and ratios.

1. raw pyoxigraph in-process on the release's store (the embedded engine itself);
2. our /sparql on the embedded backend (gunicorn, real HTTP);
3. Virtuoso directly (its own /sparql, the release loaded by gateway.publish.remote_store);
4. our /sparql on the remote backend pointing at that Virtuoso.

Plus a cached repeat on our endpoint (the same request again). Endpoint runs are made
uncached by a distinct comment per run. Not a test: prints figures, asserts nothing.

    .venv/bin/python bench/sparql_bench.py --data-dir var/bench/scale-12 [--runs 5]

The data directory must hold a published release (``gateway publish``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.publish.remote_store import RemoteStore  # noqa: E402
from tests.live import gunicorn  # noqa: E402
from tests.virtuoso import virtuoso  # noqa: E402

PROLOGUE = """PREFIX pol: <https://data.met.police.uk/def/policing/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
QUERIES = {
    "crimes by month": "SELECT ?month (COUNT(?c) AS ?n) WHERE { ?c a pol:RecordedCrime ; pol:month ?month } "
    "GROUP BY ?month ORDER BY ?month",
    "records by borough": "SELECT ?borough (COUNT(?r) AS ?n) WHERE { ?r pol:borough ?borough } GROUP BY ?borough",
    "stops by search type": "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a pol:StopAndSearch ; pol:searchType ?type } "
    "GROUP BY ?type",
    "stops by outcome": "SELECT ?outcome (COUNT(?s) AS ?n) "
    "WHERE { ?s a pol:StopAndSearch ; pol:searchOutcome ?outcome } GROUP BY ?outcome ORDER BY DESC(?n)",
    "point lookup": "SELECT ?p ?o WHERE { <https://data.met.police.uk/id/snap-point/1000001> ?p ?o }",
    "describe": "DESCRIBE <https://data.met.police.uk/id/snap-point/1000001>",
}
RESULTS_JSON = "application/sparql-results+json"


def accept(text: str) -> str:
    return "text/turtle" if text.startswith("DESCRIBE") else RESULTS_JSON


def timed(fn, runs: int) -> float:
    times = []
    for i in range(runs):
        started = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def raw(store: ox.Store, text: str):
    def run(_i: int) -> None:
        result = store.query(PROLOGUE + text, use_default_graph_as_union=True)
        if isinstance(result, ox.QuerySolutions):
            result.serialize(format=ox.QueryResultsFormat.JSON)
        elif isinstance(result, ox.QueryTriples):
            result.serialize(format=ox.RdfFormat.TURTLE)

    return run


def over_http(url: str, text: str, *, vary: bool, data: dict | None = None, prefix: str = ""):
    def run(i: int) -> None:
        query = prefix + PROLOGUE + (f"# run {i} {time.time_ns()}\n" if vary else "") + text
        answer = requests.post(
            url, data={"query": query, **(data or {})}, headers={"Accept": accept(text)}, timeout=300
        )
        answer.raise_for_status()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench" / "scale-12")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--buffers", type=int, default=200_000, help="Virtuoso NumberOfBuffers (8 KiB each)")
    args = parser.parse_args()
    release_dir = (args.data_dir / "releases" / "current").resolve()
    if not (release_dir / "manifest.json").is_file():
        sys.exit(f"no published release in {args.data_dir} (run: gateway publish --data-dir {args.data_dir})")
    store = ox.Store.read_only(str(release_dir / "store"))
    print(f"release {release_dir.name}: {len(store):,} statements")
    figures: dict[str, dict[str, float]] = {name: {} for name in QUERIES}
    for name, text in QUERIES.items():
        figures[name]["pyoxigraph"] = timed(raw(store, text), args.runs)
    with (
        tempfile.TemporaryDirectory(prefix="sparql-bench-") as scratch,
        virtuoso(Path(scratch), buffers=args.buffers) as server,
    ):
        remote = RemoteStore.from_settings({"DATA_DIR": scratch, **server.settings()})
        loaded = remote.load(release_dir)
        print(f"Virtuoso: loaded {loaded.quads:,} statements in {loaded.seconds:.1f} s")
        graphs = remote.loaded()[release_dir.name]
        dataset = "".join(f"define input:default-graph-uri <{g}>\n" for g in graphs)
        for name, text in QUERIES.items():
            figures[name]["virtuoso"] = timed(over_http(server.endpoint, text, vary=True, prefix=dataset), args.runs)
        limits = {"RATE_LIMIT": 100_000, "RATE_BURST": 100_000, "SPARQL_MAX_CONCURRENT_PER_CLIENT": 64}
        for backend, settings in (("embedded", {}), ("remote", server.settings())):
            with gunicorn(args.data_dir, {**limits, **settings}, workers=1, threads=4) as gateway:
                url = gateway.url + "/sparql"
                for name, text in QUERIES.items():
                    over_http(url, text, vary=True)(0)  # warm the worker pool
                    figures[name][f"/sparql {backend}"] = timed(over_http(url, text, vary=True), args.runs)
                    over_http(url, text, vary=False)(0)
                    figures[name][f"/sparql {backend} cached"] = timed(over_http(url, text, vary=False), args.runs)
    report(figures, args.runs)


def report(figures: dict[str, dict[str, float]], runs: int) -> None:
    columns = ["pyoxigraph", "/sparql embedded", "/sparql embedded cached", "virtuoso", "/sparql remote",
               "/sparql remote cached"]  # fmt: skip
    print(f"\nmedian of {runs} runs, milliseconds")
    print(f"{'query':<22}" + "".join(f"{c:>24}" for c in columns) + f"{'embedded/engine':>17}{'remote/virtuoso':>17}")
    for name, row in figures.items():
        cells = "".join(f"{row[c] * 1000:>24.1f}" for c in columns)
        ratios = f"{row['/sparql embedded'] / row['pyoxigraph']:>17.2f}{row['/sparql remote'] / row['virtuoso']:>17.2f}"
        print(f"{name:<22}{cells}{ratios}")


if __name__ == "__main__":
    main()
