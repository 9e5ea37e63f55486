"""`mend serve --workers N`: the model is loaded once, then the workers are forked from the
process that loaded it (server/http/prefork.py), so they share its memory."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support import mend_process


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def memory_kib(pid: int) -> dict[str, int]:
    """The process's resident memory, split by whether another process shares the page."""
    rows = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
    return {name.rstrip(":"): int(kib) for name, kib, *_ in (row.split() for row in rows)}


Served = tuple[str, "subprocess.Popen[bytes]"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    env = {"MEND_DATA_DIR": str(tmp_path_factory.mktemp("data"))}
    with mend_process(env, workers=2) as running:
        yield running


def test_two_workers_answer_and_flag(served: Served) -> None:
    url, _ = served
    for _ in range(6):  # new connections, spread over the workers by the kernel
        answer = httpx.post(f"{url}/v1/analyze", json={"text": "You never call me back."})
        assert answer.status_code == 200
        assert [flag["rule"] for flag in answer.json()["flags"]] == ["you-always-never"]


def test_the_workers_are_forked_from_the_loaded_parent_and_share_its_pages(served: Served) -> None:
    _, process = served
    workers = children(process.pid)
    assert len(workers) == 2
    for pid in workers:
        memory = memory_kib(pid)
        shared = memory["Shared_Clean"] + memory["Shared_Dirty"]
        # A worker that loaded its own model would share little beyond the libraries' code.
        assert shared > 0.5 * memory["Rss"], memory


def test_a_stop_signal_ends_the_parent_and_its_workers(tmp_path: Path) -> None:
    with mend_process({"MEND_DATA_DIR": str(tmp_path)}, workers=2) as (_, process):
        workers = children(process.pid)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
