"""A real gateway under gunicorn on 127.0.0.1, for tests that need real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class LiveServer:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    process: subprocess.Popen

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.url + path, timeout=kwargs.pop("timeout", 60), **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return requests.post(self.url + path, timeout=kwargs.pop("timeout", 60), **kwargs)


@contextmanager
def gunicorn(
    data_dir: Path, settings: Mapping[str, str] | None = None, workers: int = 2, threads: int = 4
) -> Iterator[LiveServer]:
    """Run ``gunicorn wsgi:app`` on a free loopback port until the block ends.

    ``settings`` are extra ``GATEWAY_*`` variables (``{"RATE_LIMIT": "1000"}``).
    """
    port = free_port()
    env = _environment({"DATA_DIR": str(data_dir), **(settings or {})})
    command = [
        sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--access-logfile", "-", "wsgi:app",
    ]  # fmt: skip
    with _serving(command, ROOT, env, port, data_dir / f"gunicorn-{port}.log") as server:
        yield server


@contextmanager
def make_serve(checkout: Path, settings: Mapping[str, str] | None = None) -> Iterator[LiveServer]:
    """gunicorn as ``make serve`` starts it: ``gunicorn -c gunicorn.conf.py wsgi:app`` run in
    ``checkout`` (a folder holding copies of the repository's ``wsgi.py`` and
    ``gunicorn.conf.py``), with no ``GATEWAY_*`` variable but the port and ``settings``, so
    that the data directory is the default, ``./var`` relative to ``checkout``."""
    port = free_port()
    env = _environment({"BIND": f"127.0.0.1:{port}", **(settings or {})})
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"]
    with _serving(command, checkout, env, port, checkout / f"gunicorn-{port}.log") as server:
        yield server


def _environment(settings: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    env.update({f"GATEWAY_{k}": str(v) for k, v in settings.items()})
    return env


@contextmanager
def _serving(command: list[str], cwd: Path, env: dict[str, str], port: int, log_path: Path) -> Iterator[LiveServer]:
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}: {_tail(log_path)}")
            try:
                if requests.get(server.url + "/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:  # not up yet, or too busy to answer in time
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within 120 s: {_tail(log_path)}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _tail(path: Path) -> str:
    try:
        return path.read_text(errors="replace")[-2000:]
    except OSError:
        return ""
