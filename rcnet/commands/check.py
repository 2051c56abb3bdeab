"""rcnet check: lint hosts, alone and against each other."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from rcnet.commands import UsageError
from rcnet.commands.hostargs import add_hosts_argument, host_list
from rcnet.findings import Finding
from rcnet.redact import mask
from rcnet.text import escape


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_hosts_argument(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--strict", action="store_true", help="warnings also fail (exit 1)")
    parser.add_argument(
        "--source",
        choices=("auto", "always", "never"),
        default="auto",
        help="show the source line with a caret (auto: when stdout is a terminal)",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (auto: on a terminal, unless NO_COLOR is set)",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="CODE,...",
        help="drop findings with these codes (repeatable); see also # rcnet: disable=CODE",
    )


#: SGR sequences of the text output's parts
_STYLE = {
    "error": "\x1b[1;31m",
    "warning": "\x1b[1;33m",
    "info": "\x1b[1;36m",
    "where": "\x1b[1m",
    "caret": "\x1b[32m",
}
_RESET = "\x1b[0m"


def use_color(choice: str, stream: TextIO, environ: Mapping[str, str]) -> bool:
    """--color: always/never, or auto = a terminal, NO_COLOR unset or empty, TERM not dumb."""
    if choice != "auto":
        return choice == "always"
    return stream.isatty() and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


def paint(text: str, part: str, color: bool) -> str:
    return f"{_STYLE[part]}{text}{_RESET}" if color else text


def format_finding(finding: Finding, fallback: str | None, color: bool) -> str:
    """Finding.format, with the place, the severity and the code styled on a terminal; the
    place and the message escaped (rcnet.text: file names and messages quote file content)."""
    if not color:
        return escape(finding.format(fallback))
    where = escape(str(finding.loc) if finding.loc else (fallback or finding.host or "-"))
    return (
        f"{paint(where, 'where', True)}: {paint(finding.severity, finding.severity, True)}:"
        f" {escape(finding.message)} [{paint(finding.code, finding.severity, True)}]"
    )


def excluded_codes(values: Sequence[str]) -> frozenset[str]:
    """--exclude values (comma lists); an unknown code is a usage error naming the nearest."""
    codes = frozenset(c.strip().upper() for v in values for c in v.split(",") if c.strip())
    if not codes:
        return codes  # the usual case: the rule registry is not even imported
    from rcnet.rules import RULES, suggest_code

    for code in sorted(codes - set(RULES)):
        better = suggest_code(code)
        hint = f"; did you mean {better}?" if better else ""
        raise UsageError(f"--exclude: no rule {code!r}{hint}")
    return codes


def caret_lines(
    finding: Finding, sources: Mapping[str, Sequence[str]], secrets: frozenset[str] = frozenset()
) -> list[str]:
    """The source line (pass masked) and a caret under the offending text."""
    loc = finding.loc
    if loc is None:
        return []
    lines = sources.get(loc.file)
    if not lines or not 1 <= loc.line <= len(lines):
        return []
    source = lines[loc.line - 1]
    shown = mask(source, secrets)
    col = min(max(loc.column - 1, 0), len(source))
    # keep tabs so the caret lines up under the same characters; a control character is shown
    # escaped (`\x1b`), so it takes as many columns as its escape
    pad = "".join(c if c == "\t" else " " * len(escape(c)) for c in source[:col])
    width = max(1, min(finding.length, max(len(source) - col, 1)))
    if shown != source and col < len(shown):
        width = min(width, max(len(shown) - col, 1))
    width = max(1, len(escape(shown[col : col + width])))
    return [f"    {escape(shown)}", f"    {pad}^{'~' * (width - 1)}"]


def summary(findings: Sequence[Finding], host_count: int) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    infos = sum(f.severity == "info" for f in findings)
    hosts = "host" if host_count == 1 else "hosts"
    return (
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)},"
        f" {infos} info ({host_count} {hosts})"
    )


def run(args: argparse.Namespace) -> int:
    from rcnet.hosts import read_hosts
    from rcnet.lint import lint_hosts
    from rcnet.lint.suppress import Suppressions

    exclude = excluded_codes(args.exclude)
    paths = host_list(args)
    if len(paths) > 1:
        # cli.run turned the cyclic collector off for check, as one host's garbage is bounded
        # by its file; any number of hosts is not (each host's reading garbage would stay
        # until exit: 240 hosts of 1,500 lines held 785 MB instead of 118)
        import gc

        gc.enable()
    if paths.count("-") > 1:
        raise UsageError("standard input (-) can be given once")
    checked, errors = read_hosts(paths)
    for err in errors:
        print(escape(f"rcnet check: {err.path}: {err.reason}"), file=sys.stderr)
    findings: list[Finding] = [f for c in checked for f in c.findings]
    findings.extend(lint_hosts(checked))
    all_sources: dict[str, Sequence[str]] = {}
    for c in checked:
        all_sources.update(c.loaded.sources)
    findings = Suppressions(all_sources, exclude).keep(findings)
    from rcnet.startable import blockers

    # the startable policy start uses: exit 0 only when start would apply everything; what
    # the model itself shows start cannot run is printed even where a comment disabled it
    blocked = blockers(findings, strict=args.strict)
    for c in checked:
        for b in blockers(c.findings, c.host):
            if b not in findings:
                findings.append(b.with_host(c.name))
                blocked.append(b)
    order = {c.name: i for i, c in enumerate(checked)}
    findings.sort(key=lambda f: (order.get(f.host or "", 0), f.sort_key()))

    if args.format == "json":
        import json  # only here: most checks print text

        json.dump({"findings": [f.to_json() for f in findings]}, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        secrets = frozenset().union(*(c.secrets for c in checked))
        show_source = args.source == "always" or (args.source == "auto" and sys.stdout.isatty())
        color = use_color(args.color, sys.stdout, os.environ)
        host_paths = {c.name: c.loaded.path for c in checked}
        for f in findings:
            print(format_finding(f, host_paths.get(f.host or ""), color))
            if show_source:
                lines = caret_lines(f, all_sources, secrets)
                if lines:
                    print(lines[0])
                    print(paint(lines[1], "caret", color))
        print(summary(findings, len(checked)))

    if errors:
        return 2
    return 1 if blocked else 0
