"""No message text reaches any log: a canary goes through every endpoint of a real server
process, and its whole output (our access log, uvicorn, errors) is searched for it; with one
worker (uvicorn) and with two (gunicorn's arbiter and its forked workers)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CANARY = "Mom you never call canary-zebra-4411"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module", params=["1", "2"], ids=["one-worker", "two-workers"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "output.log"
    env = {**os.environ, "MEND_PORT": str(port)}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--workers", request.param],
            stdout=sink,
            stderr=sink,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                pytest.fail("the server did not start: " + log.read_text()[-2000:])
            yield base, log
        finally:
            process.terminate()
            process.wait(timeout=20)


def test_no_message_text_in_any_log(server: tuple[str, Path]) -> None:
    base, log = server
    posts = [
        ("/v1/analyze", {"text": CANARY}),
        ("/v1/analyze", {"text": CANARY, "profile": "nope"}),
        ("/v1/analyze", {"text": CANARY, "colour": CANARY}),
        ("/v1/analyze", {"text": CANARY * 200}),
        ("/v1/rewrite", {"text": CANARY, "feeling": CANARY[:20], "situation": CANARY}),
        ("/v1/rewrite", {"text": CANARY, "need": CANARY, "request": CANARY}),
        ("/v1/coach", {"state": None, "answer": CANARY}),
        ("/v1/rehearse", {"line": CANARY, "style": "warm", "intensity": 1, "history": []}),
        ("/v1/rehearse", {"line": CANARY, "style": CANARY, "intensity": 9, "history": []}),
    ]
    with httpx.Client(base_url=base, timeout=30) as client:
        for path, body in posts:
            response = client.post(path, json=body)
            assert response.status_code < 500, (path, response.status_code)
            assert CANARY not in json.dumps(response.json().get("errors", "")), path
        client.post("/v1/analyze", content=b'{"text": "' + CANARY.encode() * 20000 + b'"}')
        client.post("/v1/analyze", content=f"{{not json {CANARY}".encode())
        client.get(f"/v1/{CANARY.replace(' ', '-')}?q={CANARY.replace(' ', '+')}")
        client.get("/health")
    time.sleep(0.5)  # let the server flush its log lines
    output = log.read_text(encoding="utf-8", errors="replace")
    assert "/v1/analyze 200" in output, "the access log should record requests"
    assert "canary" not in output.lower()
