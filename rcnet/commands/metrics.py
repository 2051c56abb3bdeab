"""rcnet metrics: the running daemon's numbers as OpenMetrics text."""

from __future__ import annotations

import argparse
import sys

from rcnet.commands.control import _add_control, _ask


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _add_control(parser)


def run(args: argparse.Namespace) -> int:
    from rcnet.metrics import render

    status = _ask(args, {"cmd": "status"})
    sysctls = _ask(args, {"cmd": "sysctl"})["lines"]
    sys.stdout.write(render(status, sysctls))
    return 0
