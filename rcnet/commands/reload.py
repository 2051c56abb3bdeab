"""rcnet reload: ask the running daemon to re-read its configuration, and say what it answered."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rcnet.commands import CommandError
from rcnet.commands.control import _add_control, _ask


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _add_control(parser)


def finding_line(f: dict[str, Any]) -> str:
    """A finding of the daemon's answer in check's text form."""
    where = ":".join(str(f[k]) for k in ("file", "line", "column") if f.get(k) is not None)
    severity, message, code = (
        f.get("severity") or "error",
        f.get("message") or "",
        f.get("code") or "",
    )
    return f"{where or '-'}: {severity}: {message} [{code}]"


def run(args: argparse.Namespace) -> int:
    from rcnet.journal import ERR, prefix
    from rcnet.text import escape

    try:
        answer = _ask(args, {"cmd": "reload"})
    except CommandError as exc:
        if exc.answer is None:
            raise
        for f in exc.answer.get("findings", []):  # checked: answers.REFUSED
            print(escape(finding_line(f)))
        sys.stdout.flush()
        print(f"{prefix(ERR)}{escape(f'rcnet reload: refused: {exc}')}", file=sys.stderr)
        return 1
    for line in answer["changes"] or ["no change"]:  # an empty list: nothing changed
        print(escape(line))
    return 0
