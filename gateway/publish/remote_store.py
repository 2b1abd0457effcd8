"""Load releases into a remote SPARQL store (Virtuoso) and drop the ones pruned.

Each release gets graphs of its own: a public graph ``{base}graph/street-crime/2024-01``
of release ``R`` is stored as ``urn:x-gateway:release:R:{base}graph/street-crime/2024-01``
(see ``store_graph``), so several releases live side by side: the previous one keeps
answering until the switch, a rollback finds its release still loaded, and the remote
backend (``gateway.sparql.remote``) maps public graph IRIs to the stored ones and back.

Loading uses Virtuoso's bulk loader through ``isql-vt``: the release's N-Quads dump is
rewritten into parts under ``VIRTUOSO_LOAD_DIR`` (a folder the Virtuoso server can read,
listed in its ``DirsAllowed``), registered with ``ld_dir`` and loaded by
``VIRTUOSO_LOADERS`` parallel ``rdf_loader_run()``; then a checkpoint. A release's list
of graphs is written to the catalogue graph ``urn:x-gateway:releases`` last, so a
release is visible to the backend only once completely loaded; a failed load removes
what it loaded.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests

GRAPH_PREFIX = "urn:x-gateway:release:"
CATALOG_GRAPH = "urn:x-gateway:releases"
HAS_GRAPH = "urn:x-gateway:graph"
PART_QUADS = 500_000  # quads per part file, so that several loaders work in parallel
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_SAFE_IRI = re.compile(r"^[^\s<>\"{}|^`\\']+$")


class RemoteStoreError(Exception):
    """The remote store could not be reached, refused the load, or is misconfigured."""


def release_prefix(release_id: str) -> str:
    """What a release's stored graph IRIs start with."""
    return f"{GRAPH_PREFIX}{release_id}:"


def store_graph(release_id: str, public_graph: str) -> str:
    """The stored IRI of a release's public graph."""
    return release_prefix(release_id) + public_graph


def release_node(release_id: str) -> str:
    return f"{GRAPH_PREFIX}{release_id}"


@dataclass(frozen=True)
class RemoteStore:
    """Where the remote store is and how to reach its loader (from the settings)."""

    endpoint: str  # the SPARQL query endpoint, e.g. http://127.0.0.1:8890/sparql
    isql: str  # host:port of Virtuoso's SQL server
    user: str
    password: str
    load_dir: Path  # a folder both this process and the Virtuoso server can read
    loaders: int = 2
    isql_binary: str = "isql-vt"
    timeout: float = 3600.0  # seconds for one isql step

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> RemoteStore:
        endpoint = settings.get("SPARQL_ENDPOINT")
        if not endpoint:
            raise RemoteStoreError("SPARQL_BACKEND is remote but SPARQL_ENDPOINT is not set")
        load_dir = settings.get("VIRTUOSO_LOAD_DIR") or str(Path(settings["DATA_DIR"]) / "virtuoso-load")
        return cls(
            endpoint=str(endpoint),
            isql=str(settings.get("VIRTUOSO_ISQL") or "127.0.0.1:1111"),
            user=str(settings.get("VIRTUOSO_USER") or "dba"),
            password=str(settings.get("VIRTUOSO_PASSWORD") or ""),
            load_dir=Path(load_dir).expanduser().resolve(),
            loaders=max(1, int(settings.get("VIRTUOSO_LOADERS") or 2)),
            isql_binary=str(settings.get("VIRTUOSO_ISQL_BINARY") or "isql-vt"),
        )

    # --- SQL through isql ----------------------------------------------------------------

    def sql(self, script: str) -> str:
        """Run SQL statements (one per line, each ending with ';'); the output, or raise."""
        binary = shutil.which(self.isql_binary)
        if binary is None:
            raise RemoteStoreError(f"{self.isql_binary} not found (Debian package virtuoso-opensource)")
        try:
            done = subprocess.run(
                [binary, self.isql, self.user, self.password, "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF", "VERBOSE=OFF"],
                input=script,
                capture_output=True,
                text=True,
                timeout=self.timeout,
            )
        except subprocess.TimeoutExpired:
            raise RemoteStoreError(f"Virtuoso at {self.isql} did not finish within {self.timeout:.0f} s") from None
        errors = [line for line in (done.stderr + done.stdout).splitlines() if line.startswith("*** Error")]
        if errors or done.returncode != 0:
            detail = errors[0] if errors else f"isql exited with {done.returncode}"
            raise RemoteStoreError(f"Virtuoso at {self.isql}: {detail.removeprefix('*** ')}")
        return done.stdout

    # --- what is loaded --------------------------------------------------------------------

    def loaded(self) -> dict[str, list[str]]:
        """Release id → its stored graph IRIs, for every completely loaded release."""
        query = f"SELECT ?r ?g FROM <{CATALOG_GRAPH}> WHERE {{ ?r <{HAS_GRAPH}> ?g }}"
        try:
            answer = requests.post(
                self.endpoint,
                data={"query": query},
                headers={"Accept": "application/sparql-results+json"},
                timeout=60,
            )
            answer.raise_for_status()
            rows = answer.json()["results"]["bindings"]
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise RemoteStoreError(f"cannot read the release catalogue at {self.endpoint}: {exc}") from None
        releases: dict[str, list[str]] = {}
        for row in rows:
            release = row["r"]["value"].removeprefix(GRAPH_PREFIX)
            releases.setdefault(release, []).append(row["g"]["value"])
        return {k: sorted(v) for k, v in releases.items()}

    # --- loading ---------------------------------------------------------------------------

    def load(self, release_dir: Path, release_id: str | None = None) -> LoadResult:
        """Load a release folder's ``dumps/release.nq.gz``; nothing to do if already loaded."""
        started = time.monotonic()
        release_id = release_id or release_dir.name
        if not _SAFE_ID.match(release_id):
            raise RemoteStoreError(f"release id {release_id!r} has characters the loader does not accept")
        dump = release_dir / "dumps" / "release.nq.gz"
        if not dump.is_file():
            raise RemoteStoreError(f"{dump} is missing: the release has no N-Quads dump to load")
        if release_id in self.loaded():
            return LoadResult(release_id, 0, [], time.monotonic() - started, already_loaded=True)
        staging = self.load_dir / release_id
        if not _SAFE_IRI.match(str(staging)):
            raise RemoteStoreError(f"VIRTUOSO_LOAD_DIR {self.load_dir} has characters the loader does not accept")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        graphs: set[str] = set()
        try:
            try:
                quads = write_parts(dump, staging, release_id, graphs)
            except (SyntaxError, ValueError, OSError) as exc:
                raise RemoteStoreError(f"{dump} cannot be read as N-Quads: {exc}") from None
            self._clear(graphs)  # leftovers of an earlier load that failed half-way
            self._bulk_load(staging)
            self._register(release_id, graphs)
        except BaseException:
            try:
                self._clear(graphs)
                self._forget_files(staging)
            except RemoteStoreError:
                pass
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return LoadResult(release_id, quads, sorted(graphs), time.monotonic() - started)

    def _bulk_load(self, staging: Path) -> None:
        self._forget_files(staging)
        self.sql(f"ld_dir('{staging}', '*.nq.gz', '{CATALOG_GRAPH}-unused');\n")
        workers = [self._start_loader() for _ in range(self.loaders)]
        failures = []
        for worker in workers:
            try:
                out, err = worker.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                worker.kill()
                out, err = worker.communicate()
                failures.append(f"a loader did not finish within {self.timeout:.0f} s")
                continue
            failures += [line for line in (err + out).splitlines() if line.startswith("*** Error")]
        if failures:
            raise RemoteStoreError(f"Virtuoso's bulk loader failed: {failures[0].removeprefix('*** ')}")
        self.sql("checkpoint;\n")
        errors = self.sql(
            "SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST "
            f"WHERE ll_file LIKE '{staging}/%' AND ll_error IS NOT NULL;\n"
        ).strip()
        self._forget_files(staging)
        if errors:
            raise RemoteStoreError(f"Virtuoso's bulk loader rejected a file: {errors.splitlines()[0]}")

    def _start_loader(self) -> subprocess.Popen:
        binary = shutil.which(self.isql_binary) or self.isql_binary
        process = subprocess.Popen(
            [binary, self.isql, self.user, self.password, "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF", "VERBOSE=OFF"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdin is not None
        process.stdin.write("rdf_loader_run();\n")
        process.stdin.close()
        process.stdin = None  # communicate() must not write again
        return process

    def _forget_files(self, staging: Path) -> None:
        self.sql(f"DELETE FROM DB.DBA.LOAD_LIST WHERE ll_file LIKE '{staging}/%';\n")

    def _register(self, release_id: str, graphs: Iterable[str]) -> None:
        node = release_node(release_id)
        statements = "".join(f"<{node}> <{HAS_GRAPH}> <{g}> . " for g in sorted(graphs))
        self.sql(f"SPARQL INSERT DATA {{ GRAPH <{CATALOG_GRAPH}> {{ {statements} }} }};\ncheckpoint;\n")

    def _clear(self, graphs: Iterable[str]) -> None:
        script = "log_enable(3, 1);\n" + "".join(
            f"DELETE FROM DB.DBA.RDF_QUAD WHERE G = iri_to_id('{g}', 0);\n" for g in sorted(graphs)
        )
        self.sql(script + "checkpoint;\n")

    # --- dropping --------------------------------------------------------------------------

    def drop(self, release_id: str) -> None:
        """Remove a release's graphs and its catalogue entry."""
        graphs = self.loaded().get(release_id, [])
        self._clear(graphs)
        node = release_node(release_id)
        self.sql(f"SPARQL DELETE WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ <{node}> ?p ?o }} }};\ncheckpoint;\n")

    def keep_only(self, kept: Iterable[str]) -> list[str]:
        """Drop every loaded release not in ``kept`` (the releases folder's); the ones dropped."""
        kept = set(kept)
        dropped = sorted(r for r in self.loaded() if r not in kept)
        for release_id in dropped:
            self.drop(release_id)
        return dropped


def sync(settings: dict[str, Any], release_dir: Path) -> tuple[LoadResult, list[str]]:
    """Load a release into the remote store, then drop the releases the folder no longer keeps.

    ``gateway publish`` calls this when ``SPARQL_BACKEND`` is ``remote``; so does
    ``gateway remote-load`` (for a release published before, or a load to retry).
    """
    from gateway import releases

    store = RemoteStore.from_settings(settings)
    result = store.load(release_dir)
    kept = [r["id"] for r in releases.list_releases(release_dir.parent)]
    dropped = store.keep_only([*kept, result.release_id])
    return result, dropped


@dataclass(frozen=True)
class LoadResult:
    release_id: str
    quads: int
    graphs: list[str]
    seconds: float
    already_loaded: bool = False


def write_parts(dump: Path, staging: Path, release_id: str, graphs: set[str]) -> int:
    """Rewrite the dump's quads into the release's stored graphs, in gzip parts; the quads."""
    renamed: dict[ox.NamedNode, ox.NamedNode] = {}
    count = 0

    def rewritten(quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
        nonlocal count
        for q in quads:
            graph = q.graph_name
            stored = renamed.get(graph)
            if stored is None:
                if not isinstance(graph, ox.NamedNode):
                    raise RemoteStoreError(f"{dump}: a statement outside the release's named graphs")
                stored = renamed[graph] = ox.NamedNode(store_graph(release_id, graph.value))
                graphs.add(stored.value)
            count += 1
            yield ox.Quad(q.subject, q.predicate, q.object, stored)

    with gzip.open(dump, "rb") as source:
        quads = rewritten(ox.parse(source, format=ox.RdfFormat.N_QUADS))
        part = 0
        while True:
            before = count
            path = staging / f"part-{part:04d}.nq.gz"
            with gzip.open(path, "wb", compresslevel=1) as out:
                ox.serialize(_take(quads, PART_QUADS), out, format=ox.RdfFormat.N_QUADS)
            if count == before:
                path.unlink()
                break
            part += 1
    return count


def _take(items: Iterator[ox.Quad], n: int) -> Iterator[ox.Quad]:
    for _, item in zip(range(n), items, strict=False):
        yield item
