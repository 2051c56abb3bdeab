"""rcnet explain: the long text of a check rule, from the rule registry (rcnet.rules)."""

from __future__ import annotations

import argparse
import textwrap

from rcnet.commands import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", nargs="?", help="a finding code such as SH08 (none: list all)")


def run(args: argparse.Namespace) -> int:
    from rcnet.rules import RULES, rule, suggest_code

    if args.code is None:
        for r in RULES.values():
            print(f"{r.code}  {r.severity:<7}  {r.title}")
        return 0
    found = rule(args.code)
    if found is None:
        better = suggest_code(args.code)
        hint = f"; did you mean {better}?" if better else "; `rcnet explain` lists them"
        raise UsageError(f"no rule {args.code!r}{hint}")
    print(f"{found.code} ({found.severity}): {found.title}")
    for paragraph in found.text.split("\n\n"):
        print()
        print(textwrap.fill(paragraph, width=79))
    return 0
