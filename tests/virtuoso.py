"""A private Virtuoso Open Source server on 127.0.0.1, for tests and the benchmark.

``virtuoso(directory)`` starts Debian's ``virtuoso-t`` in the foreground with its own
``virtuoso.ini`` (database, free SQL and HTTP ports on the loopback interface, a load
folder the bulk loader may read) and stops it when the block ends. ``VIRTUOSO_BINARY``
is None when the package is not installed; tests then skip with the reason.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.live import free_port

VIRTUOSO_BINARY = shutil.which("virtuoso-t")
ISQL_BINARY = shutil.which("isql-vt") or shutil.which("isql")
PASSWORD = "dba"  # a fresh database's dba password; the server listens on 127.0.0.1 only

INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 0
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = ., {load_dir}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxQueryMem = 1G
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
MaxClientConnections = 20
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 20
MaxKeepAlives = 10
KeepAliveTimeout = 10
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = {max_seconds}
DeferInferenceRulesInit = 0
"""


@dataclass(frozen=True)
class Virtuoso:
    directory: Path
    sql_port: int
    http_port: int
    load_dir: Path
    process: subprocess.Popen

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def isql(self) -> str:
        return f"127.0.0.1:{self.sql_port}"

    def settings(self) -> dict[str, str]:
        """The gateway settings that point the remote backend and loader at this server."""
        return {
            "SPARQL_BACKEND": "remote",
            "SPARQL_ENDPOINT": self.endpoint,
            "VIRTUOSO_ISQL": self.isql,
            "VIRTUOSO_USER": "dba",
            "VIRTUOSO_PASSWORD": PASSWORD,
            "VIRTUOSO_LOAD_DIR": str(self.load_dir),
        }


@contextmanager
def virtuoso(
    directory: Path, *, buffers: int = 20_000, max_rows: int = 1_000_000, max_seconds: int = 120
) -> Iterator[Virtuoso]:
    """Run ``virtuoso-t +foreground`` on free loopback ports until the block ends."""
    if VIRTUOSO_BINARY is None:
        raise RuntimeError("virtuoso-t is not installed (Debian package virtuoso-opensource)")
    db = directory / "db"
    load_dir = directory / "load"
    db.mkdir(parents=True, exist_ok=True)
    load_dir.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = db / "virtuoso.ini"
    ini.write_text(
        INI.format(
            db=db,
            load_dir=load_dir,
            sql_port=sql_port,
            http_port=http_port,
            buffers=buffers,
            dirty_buffers=buffers * 3 // 4,
            max_rows=max_rows,
            max_seconds=max_seconds,
        )
    )
    log = open(db / "stdout.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [VIRTUOSO_BINARY, "+foreground", "+configfile", str(ini)], cwd=db, stdout=log, stderr=subprocess.STDOUT
    )
    server = Virtuoso(directory, sql_port, http_port, load_dir, process)
    try:
        _wait_ready(server, db)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(server: Virtuoso, db: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {server.process.returncode}: {_tail(db / 'virtuoso.log')}")
        try:
            answer = requests.get(
                server.endpoint,
                params={"query": "ASK {}"},
                headers={"Accept": "application/sparql-results+json"},
                timeout=5,
            )
            if answer.status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"virtuoso-t did not answer within 120 s: {_tail(db / 'virtuoso.log')}")
        time.sleep(0.5)


def _tail(path: Path) -> str:
    try:
        return path.read_text(errors="replace")[-2000:]
    except OSError:
        return ""
