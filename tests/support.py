"""Helpers the test modules share: free ports, real servers started and stopped by tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served(app: FastAPI, seconds: float = 120) -> Iterator[str]:
    """The app (lifespan and all) served by uvicorn in a background thread, on a free port:
    for what only a real server shows, such as a stream read as a browser reads it."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="mend-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + seconds
    while not server.started:
        if not thread.is_alive():
            pytest.fail("The app stopped while starting up; see its log above.", pytrace=False)
        if time.monotonic() > deadline:
            pytest.fail(f"The app did not start within {seconds:.0f} s.", pytrace=False)
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def _wait(ready: object, process: subprocess.Popen[bytes], what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} stopped while starting (exit {process.returncode}).")
        if callable(ready) and ready():
            return
        time.sleep(0.05)
    pytest.fail(f"{what} did not start within {seconds:.0f} s.")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """A real redis-server (Debian's package) on a free port, without persistence."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail(
            "redis-server is not installed; `make test` installs it "
            "(scripts/install-system-packages), or: sudo apt-get install redis-server",
            pytrace=False,
        )
    port = free_port()
    args = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(
        [*args, "--dir", str(directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    def answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    try:
        _wait(answers, process, "redis-server", 20)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(process)


@contextmanager
def mend_server(env: Mapping[str, str]) -> Iterator[str]:
    """`mend serve` in its own process (as a worker on another host would be), on a free port."""
    with mend_process(env) as (url, _):
        yield url


@contextmanager
def mend_process(
    env: Mapping[str, str], workers: int = 1
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`mend serve --workers N` on a free port, answering /health; its URL and process."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=PROJECT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        _wait(healthy, process, "mend serve", 120)
        yield url, process
    finally:
        _stop(process)
