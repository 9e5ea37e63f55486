"""`mend check` behaves like a linter: path:line:col, severity, message, rule id; exit 1 when
anything is flagged at warning or above, 0 when clean, 2 on bad usage."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from server import cli


def run(args: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    parsed = cli.parser().parse_args(args)
    code = cli.check(parsed, io.StringIO(stdin), out, err)
    return code, out.getvalue(), err.getvalue()


def test_flags_a_file_like_a_linter(tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text("Hi Mom,\nyou never call me back.\n", encoding="utf-8")
    code, out, _ = run(["check", str(draft)])
    assert code == 1
    assert out.startswith(f"{draft}:2:1: warning: ")
    assert out.rstrip().endswith("[you-always-never]")


def test_clean_text_exits_zero() -> None:
    code, out, _ = run(["check", "--text", "Can you call me on Sunday?"])
    assert (code, out) == (0, "")


def test_reads_stdin_and_prints_json() -> None:
    code, out, _ = run(["check", "--json"], stdin="It's your fault.")
    assert code == 1
    [result] = json.loads(out)
    assert result["path"] == "<stdin>"
    [flag] = result["flags"]
    assert flag["rule"] == "your-fault"
    assert (flag["line"], flag["column"]) == (1, 6)
    assert "It's your fault."[flag["start"] : flag["end"]] == flag["text"]


def test_info_only_exits_zero() -> None:
    code, out, _ = run(["check", "--profile", "gentle", "--text", "I feel abandoned."])
    assert code == 0
    assert ": info: " in out


def test_bad_usage_exits_two(tmp_path: Path) -> None:
    code, _, err = run(["check", str(tmp_path / "missing.txt")])
    assert code == 2
    assert "cannot read" in err
    code, _, err = run(["check", "--disable", "nope", "--text", "hi"])
    assert code == 2
    assert "nope" in err


def test_line_and_column() -> None:
    assert cli.line_col("ab\ncd", 0) == (1, 1)
    assert cli.line_col("ab\ncd", 4) == (2, 2)


@pytest.mark.parametrize("command", [["check", "--help"], ["serve", "--help"]])
def test_entry_point_runs(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", *command], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "usage: mend" in result.stdout
