"""Mend's POST /v1/analyze against a bare-spaCy FastAPI app, over HTTP, in one run.

    python tests/bench/bench_http.py [--rounds 200] [--seconds 60] [--skip-load]

1. Latency: one worker each, on 127.0.0.1. Every round sends each draft (short, 80 words,
   300 words) to both apps, back to back, alternating which goes first. Prints p50/p99 per app
   and the ratio of Mend's p50 to the bare app's (and the median of the per-round ratios,
   which drifts less between runs), with the error count.
2. Load: two workers each, 16 concurrent clients for --seconds against each app, in halves
   taken in the order bare, mend, mend, bare. Prints requests/s, p50/p99, errors, memory per
   worker (resident, and proportional: Mend's workers share the model they were forked with),
   and the throughput ratio.
Start-up is printed for both: until /health answers with one worker, and until both of two
workers have their model loaded. Mend's is printed twice with one worker: the first start,
with an empty rules cache (a fresh install, or rules just edited), and the next.
Both servers are started and stopped here. Timings are figures to read, not pass/fail tests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from drafts import EIGHTY_WORDS, ONE_SENTENCE, THREE_HUNDRED_WORDS  # noqa: E402

DRAFTS = {"short": ONE_SENTENCE, "80 words": EIGHTY_WORDS, "300 words": THREE_HUNDRED_WORDS}
CONCURRENCY = 16
# What uvicorn logs when a worker's lifespan has run, its model loaded (either app).
STARTED = b"Application startup complete"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None  # the server's stderr, where uvicorn says a worker started
    ready_s: float = 0.0  # until /health answers
    all_ready_s: float = 0.0  # until every worker has its model loaded

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, workers: int) -> Server:
        command = [*self.command, "--port", str(self.port), "--workers", str(workers)]
        handle, name = tempfile.mkstemp(prefix=f"bench-{self.name}-", suffix=".log")
        self.log = Path(name)
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=handle,
            env={**os.environ, **self.env},
            start_new_session=True,
        )
        os.close(handle)
        deadline = started + 60
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    self.ready_s = time.perf_counter() - started
                    self._wait_for_workers(workers, deadline)
                    self.all_ready_s = time.perf_counter() - started
                    time.sleep(1)
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise SystemExit(f"{self.name} did not answer /health within 60 s")

    def _wait_for_workers(self, workers: int, deadline: float) -> None:
        """The first worker up answers /health while the others still load their model; a
        client connecting then would keep all its connections on that one worker."""
        assert self.log is not None
        while self.log.read_bytes().count(STARTED) < workers:
            if time.perf_counter() > deadline:
                raise SystemExit(f"{self.name}: not all {workers} workers started within 60 s")
            time.sleep(0.05)

    def _workers(self) -> list[int]:
        """The processes serving requests: the workers, or the one process."""
        assert self.process is not None
        root = self.process.pid
        children = [
            int(pid) for pid in os.listdir("/proc") if pid.isdigit() and _ppid(int(pid)) == root
        ]
        return [pid for pid in children if _memory_kib(pid, "Rss") > 50_000] or [root]

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of each worker, pages shared with other processes included."""
        return [_memory_kib(pid, "Rss") / 1024 for pid in self._workers()]

    def memory_report(self) -> str:
        """Per worker: resident memory, and its proportional share (each page shared by n
        processes counted 1/n); then the proportional total of all the server's processes
        (a parent that loaded the model for its forked workers included)."""
        assert self.process is not None
        workers = self._workers()
        every = {self.process.pid, *workers}
        total = sum(_memory_kib(pid, "Pss") for pid in every) / 1024
        each = ", ".join(
            f"{_memory_kib(pid, 'Rss') / 1024:.0f}/{_memory_kib(pid, 'Pss') / 1024:.0f}"
            for pid in workers
        )
        return f"{each}; all processes {total:.0f}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.log is not None:
            self.log.unlink(missing_ok=True)


def _ppid(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return -1
    return int(stat.rsplit(")", 1)[1].split()[1])


def _memory_kib(pid: int, field: str) -> int:
    """A field of /proc/PID/smaps_rollup (Rss, Pss, ...), in KiB; 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# Mend's rules cache for this run: empty at first, as on a fresh install.
CACHE = tempfile.mkdtemp(prefix="bench-mend-cache-")


def servers() -> tuple[Server, Server]:
    python = sys.executable
    mend = Server("mend", [python, "-m", "server.cli", "serve"], {"MEND_CACHE_DIR": CACHE})
    uvicorn = [python, "-m", "uvicorn", "bare_app:create_app", "--factory"]
    bare = Server("bare", [*uvicorn, "--app-dir", str(BENCH), "--host", "127.0.0.1"])
    return mend, bare


def latency(rounds: int) -> None:
    first = servers()[0].start(1)
    first.stop()
    print(f"ready (1 worker, first start, empty rules cache): mend {first.ready_s:.2f} s")
    mend, bare = (server.start(1) for server in servers())
    try:
        print(f"ready (1 worker): mend {mend.ready_s:.2f} s, bare {bare.ready_s:.2f} s")
        print(
            f"memory (1 worker, idle): mend {mend.worker_rss_mib()[0]:.0f} MiB, "
            f"bare {bare.worker_rss_mib()[0]:.0f} MiB"
        )
        print(f"\nlatency, 1 worker each, {rounds} rounds, interleaved")
        print(
            f"{'draft':<10} {'app':<5} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'ratio':>7}"
            f" {'paired':>7}"
        )
        with httpx.Client(timeout=30) as client:
            for label, text in DRAFTS.items():
                times: dict[str, list[float]] = {"mend": [], "bare": []}
                errors = {"mend": 0, "bare": 0}
                pair = [mend, bare]
                for index in range(rounds + 10):
                    for server in pair if index % 2 == 0 else pair[::-1]:
                        started = time.perf_counter()
                        response = client.post(f"{server.url}/v1/analyze", json={"text": text})
                        elapsed = (time.perf_counter() - started) * 1000
                        if response.status_code != 200:
                            errors[server.name] += 1
                        elif index >= 10:  # the first ten warm both up
                            times[server.name].append(elapsed)
                base = statistics.median(times["bare"])
                # Each round's pair saw the same machine state: the median of their ratios
                # drifts less between runs than the ratio of the two medians.
                paired = statistics.median(
                    m / b for m, b in zip(times["mend"], times["bare"], strict=False)
                )
                for name in ("bare", "mend"):
                    values = times[name]
                    print(
                        f"{label:<10} {name:<5} {percentile(values, 0.5):8.2f} "
                        f"{percentile(values, 0.99):8.2f} {errors[name]:7d} "
                        f"{statistics.median(values) / base:7.2f}"
                        + (f" {paired:7.2f}" if name == "mend" else "")
                    )
    finally:
        mend.stop()
        bare.stop()


async def _hammer(url: str, seconds: float) -> tuple[list[float], int]:
    times: list[float] = []
    errors = 0
    texts = list(DRAFTS.values())
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def one_client(offset: int) -> None:
            nonlocal errors
            index = offset
            while time.perf_counter() < deadline:
                text = texts[index % len(texts)]
                index += 1
                started = time.perf_counter()
                try:
                    response = await client.post(f"{url}/v1/analyze", json={"text": text})
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    times.append((time.perf_counter() - started) * 1000)
                else:
                    errors += 1

        await asyncio.gather(*(one_client(i) for i in range(CONCURRENCY)))
    return times, errors


def load(seconds: float) -> None:
    """Both apps up with two workers each; each is loaded for `seconds` in two halves, in the
    order bare, mend, mend, bare, so that a change in the machine's speed during the run
    (seen here: the same app at 17 and at 46 requests/s) falls on both alike."""
    print(f"\nload: 2 workers each, {CONCURRENCY} concurrent clients, {seconds:g} s per app")
    print(
        f"{'app':<5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
        "  MiB per worker, resident/proportional"
    )
    mend, bare = servers()
    times: dict[str, list[float]] = {"mend": [], "bare": []}
    errors = {"mend": 0, "bare": 0}
    memory: dict[str, str] = {}
    try:
        for server in (bare, mend):
            server.start(2)
            asyncio.run(_hammer(server.url, 3))  # warm both workers
        print(f"ready (2 workers): mend {mend.all_ready_s:.2f} s, bare {bare.all_ready_s:.2f} s")
        for server in (bare, mend, mend, bare):
            found, failed = asyncio.run(_hammer(server.url, seconds / 2))
            times[server.name] += found
            errors[server.name] += failed
        for server in (bare, mend):
            memory[server.name] = server.memory_report()
    finally:
        mend.stop()
        bare.stop()
    rates = {name: len(found) / seconds for name, found in times.items()}
    for name in ("bare", "mend"):
        print(
            f"{name:<5} {rates[name]:8.1f} {percentile(times[name], 0.5):8.2f} "
            f"{percentile(times[name], 0.99):8.2f} {errors[name]:7d}  {memory[name]}"
        )
    print(f"throughput ratio mend/bare: {rates['mend'] / rates['bare']:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    latency(args.rounds)
    if not args.skip_load:
        load(args.seconds)
    shutil.rmtree(CACHE)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
