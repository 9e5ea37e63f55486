"""The `mend` command: check drafts like a linter, or serve the app."""

from __future__ import annotations

import argparse
import copy
import gc
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from server.core.strict_yaml import RuleError
from server.detect.engine import Analysis, UnknownProfileError, UnknownRuleError
from server.rules.schema import Severity
from server.settings import Settings

if TYPE_CHECKING:
    from server.service import Mend

EXIT_CLEAN, EXIT_FLAGGED, EXIT_USAGE = 0, 1, 2


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


class UsageError(Exception):
    """Bad input on the command line: said on stderr, exit status 2."""


def read_inputs(args: argparse.Namespace, stdin: TextIO) -> list[tuple[str, str]]:
    """(name, text) pairs from --text, the files named, or stdin."""
    if args.text is not None:
        return [("<text>", args.text)]
    if not args.files:
        return [("<stdin>", stdin.read())]
    inputs = []
    for name in args.files:
        if name == "-":
            inputs.append(("<stdin>", stdin.read()))
        else:
            inputs.append((name, Path(name).read_text(encoding="utf-8")))
    return inputs


def drafts(args: argparse.Namespace, stdin: TextIO, settings: Settings) -> list[tuple[str, str]]:
    """The drafts to work on, each within the length limit, or a UsageError."""
    try:
        inputs = read_inputs(args, stdin)
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read input: {error}") from None
    for name, text in inputs:
        if len(text) > settings.max_chars:
            raise UsageError(f"{name}: over {settings.max_chars:,} characters; left alone")
    return inputs


def report(name: str, analysis: Analysis, out: TextIO) -> None:
    for flag in analysis.flags:
        line, column = line_col(analysis.text, flag.start)
        print(
            f"{name}:{line}:{column}: {flag.severity.value}: {flag.rule.message} [{flag.rule.id}]",
            file=out,
        )


def as_json(name: str, analysis: Analysis) -> dict[str, object]:
    """The same flag fields as the API, plus line and column."""
    flags = []
    for flag in analysis.flags:
        line, column = line_col(analysis.text, flag.start)
        flags.append({**flag.fields(), "line": line, "column": column})
    return {"path": name, "flags": flags}


def load_service(settings: Settings) -> Mend:
    from server.service import Mend  # imported late: `mend --help` need not load spaCy

    return Mend.load(settings)


def start(
    args: argparse.Namespace, stdin: TextIO, err: TextIO
) -> tuple[Mend, list[tuple[str, str]]] | None:
    """The drafts to read and the service to read them with; None (said on stderr) on a usage
    error, which is found before the slow model load."""
    settings = Settings()
    try:
        inputs = drafts(args, stdin, settings)
    except UsageError as error:
        print(f"mend: {error}", file=err)
        return None
    return load_service(settings), inputs


def check(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    started = start(args, stdin, err)
    if started is None:
        return EXIT_USAGE
    mend, inputs = started
    results = []
    worst = -1
    for name, text in inputs:
        try:
            checked = mend.check(text, args.profile, Severity(args.min_severity), args.disable)
        except (UnknownProfileError, UnknownRuleError) as error:
            print(f"mend: {error}", file=err)
            return EXIT_USAGE
        if checked.safety is not None:
            print(f"mend: {name}: {checked.safety.message}", file=err)
        results.append((name, checked.analysis))
        worst = max([worst, *(flag.severity.rank for flag in checked.flags)])
    if args.json:
        json.dump([as_json(name, a) for name, a in results], out, indent=2, ensure_ascii=False)
        print(file=out)
    else:
        for name, analysis in results:
            report(name, analysis, out)
    return EXIT_FLAGGED if worst >= Severity.warning.rank else EXIT_CLEAN


def rewrite(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    """Print the suggested I-statements, best first, then the whole rewritten message."""
    from server.rewrite.model import Answers

    started = start(args, stdin, err)
    if started is None:
        return EXIT_USAGE
    mend, inputs = started
    answers = Answers(args.feeling, args.situation, args.need, args.request)
    results = [(name, mend.rewrite(text, answers)[0]) for name, text in inputs]
    if args.json:
        payload = [
            {
                "path": name,
                "suggestions": [vars(s) for s in result.suggestions],
                "message": result.message,
            }
            for name, result in results
        ]
        json.dump(payload, out, indent=2, ensure_ascii=False)
        print(file=out)
        return EXIT_CLEAN
    for name, result in results:
        if not result.suggestions:
            print(f"{name}: nothing to rewrite", file=out)
            continue
        print(f"{name}: suggestions, best first", file=out)
        for number, suggestion in enumerate(result.suggestions, 1):
            guessed = f"  (guessed: {', '.join(suggestion.guessed)})" if suggestion.guessed else ""
            print(f"  {number}. {suggestion.text}{guessed}", file=out)
        print(f"{name}: the whole message", file=out)
        print(result.message, file=out)
    return EXIT_CLEAN


def serve(args: argparse.Namespace) -> int:
    # Everything loaded from here on lives as long as the process: collecting while it loads
    # only walks it again and again (measured: 40-70 ms of a 1.3 s start). settle() collects
    # once, freezes what was loaded and turns the collector back on.
    gc.disable()
    import uvicorn

    settings = Settings()
    host = args.host or settings.host
    port = args.port or settings.port
    # Our own access log (method, route, status, latency) replaces uvicorn's, which would
    # print query strings; "mend" loggers print through uvicorn's default handler.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["mend"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    if args.workers > 1:
        # Load once, then fork: the workers share the loaded model (server/http/prefork.py).
        from server.http import prefork

        prefork.serve(settings, host, port, args.workers, log_config)
    else:
        uvicorn.run(
            "server.http.app:create_app",
            factory=True,
            host=host,
            port=port,
            access_log=False,
            log_config=log_config,
        )
    return EXIT_CLEAN


def positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return int(value)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="mend", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    check_cmd = commands.add_parser("check", help="flag blaming phrases, like a linter")
    check_cmd.add_argument("files", nargs="*", help="files to check; '-' or none reads stdin")
    check_cmd.add_argument("-t", "--text", help="check this text instead of files")
    check_cmd.add_argument("--json", action="store_true", help="machine-readable output")
    check_cmd.add_argument("--profile", default="strict", help="strict (default) or gentle")
    check_cmd.add_argument(
        "--min-severity", default="info", choices=[s.value for s in Severity], help="hide below"
    )
    check_cmd.add_argument("--disable", action="append", default=[], metavar="RULE_ID")

    rewrite_cmd = commands.add_parser("rewrite", help="suggest I-statements to send instead")
    rewrite_cmd.add_argument("files", nargs="*", help="files to rewrite; '-' or none reads stdin")
    rewrite_cmd.add_argument("-t", "--text", help="rewrite this text instead of files")
    rewrite_cmd.add_argument("--json", action="store_true", help="machine-readable output")
    rewrite_cmd.add_argument("--feeling", help="your feeling, e.g. lonely")
    rewrite_cmd.add_argument("--situation", help="what happened, in your words")
    rewrite_cmd.add_argument("--need", help="a need id (see /v1/lexicon) or your words")
    rewrite_cmd.add_argument("--request", help="what you'd like, e.g. 'call me on Sundays'")

    serve_cmd = commands.add_parser("serve", help="start the app")
    serve_cmd.add_argument("--host", help="default: MEND_HOST or 127.0.0.1")
    serve_cmd.add_argument("--port", type=int, help="default: MEND_PORT or 8000")
    serve_cmd.add_argument(
        "--workers", type=positive_int, default=1, help="worker processes, sharing one loaded model"
    )
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "check":
            return check(args, sys.stdin, sys.stdout, sys.stderr)
        if args.command == "rewrite":
            return rewrite(args, sys.stdin, sys.stdout, sys.stderr)
        return serve(args)
    except RuleError as error:
        print(f"mend: bad rule: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
