"""rcnet check: lint hosts, alone and against each other."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence

from rcnet.commands.hostargs import add_hosts_argument, host_list
from rcnet.findings import Finding
from rcnet.redact import mask

HELP = "lint rc.conf files the way FreeBSD's rc reads them"


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
    # keep tabs so the caret lines up under the same characters
    pad = "".join(c if c == "\t" else " " for c in source[:col])
    width = max(1, min(finding.length, max(len(source) - col, 1)))
    if shown != source and col < len(shown):
        width = min(width, max(len(shown) - col, 1))
    return [f"    {shown}", f"    {pad}^{'~' * (width - 1)}"]


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

    checked, errors = read_hosts(host_list(args))
    for err in errors:
        print(f"rcnet check: {err.path}: {err.reason}", file=sys.stderr)
    findings: list[Finding] = [f for c in checked for f in c.findings]
    findings.extend(lint_hosts(checked))
    order = {c.name: i for i, c in enumerate(checked)}
    findings.sort(key=lambda f: (order.get(f.host or "", 0), f.sort_key()))

    if args.format == "json":
        json.dump({"findings": [f.to_json() for f in findings]}, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        sources: dict[str, Sequence[str]] = {}
        for c in checked:
            sources.update(c.loaded.sources)
        secrets = frozenset().union(*(c.secrets for c in checked))
        show_source = args.source == "always" or (args.source == "auto" and sys.stdout.isatty())
        paths = {c.name: c.loaded.path for c in checked}
        for f in findings:
            print(f.format(paths.get(f.host or "")))
            if show_source:
                for extra in caret_lines(f, sources, secrets):
                    print(extra)
        print(summary(findings, len(checked)))

    if errors:
        return 2
    failing = {"error", "warning"} if args.strict else {"error"}
    return 1 if any(f.severity in failing for f in findings) else 0
