"""rcnet simulate: the real CARP engine for several hosts on one virtual segment, virtual time."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from rcnet.commands import CommandError, UsageError
from rcnet.commands.hostargs import add_hosts_argument, host_list

if TYPE_CHECKING:
    from rcnet.carp.sim import Simulator


_EVENT_HELP = (
    "TIME:ACTION, repeatable; ACTION is kill NAME, stop NAME, start NAME, down NAME:IF, "
    "up NAME:IF, partition NAME,NAME|NAME, heal, loss PERCENT or preempt 0|1"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_hosts_argument(parser)
    parser.add_argument(
        "--for",
        dest="duration",
        default="60",
        metavar="SECONDS",
        help="virtual seconds to run (default: 60)",
    )
    parser.add_argument(
        "--event", action="append", default=[], metavar="TIME:ACTION", help=_EVENT_HELP
    )
    parser.add_argument(
        "--preempt", action="store_true", help="net.inet.carp.preempt=1 on every host"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--seed", type=int, default=0, help="seed of loss and counters (0)")


def _warn_errors(findings: list[object]) -> None:
    """simulate runs what check rejects, but says so."""
    from rcnet.findings import Finding

    for f in findings:
        if isinstance(f, Finding) and f.severity == "error":
            print(f"rcnet simulate: warning: {f.format()}", file=sys.stderr)


def summary_text(sim: Simulator) -> list[str]:
    from rcnet.carp.timing import format_seconds

    lines = [f"masters at {format_seconds(sim.now)}:"]
    for key, names in sim.masters().items():
        lines.append(f"  {key} {', '.join(names) if names else '(none)'}")
    return lines


def run(args: argparse.Namespace) -> int:
    from rcnet.carp import timing
    from rcnet.carp.sim import SimError, Simulator, parse_event
    from rcnet.hosts import load_hosts
    from rcnet.rcconf.env import HostError

    try:
        until = timing.from_seconds(args.duration)
    except ValueError:
        raise UsageError(f"--for {args.duration}: not a number of seconds") from None
    if until < 0:
        raise UsageError(f"--for {args.duration}: must not be negative")
    try:
        events = [parse_event(e) for e in args.event]
    except SimError as exc:
        raise UsageError(str(exc)) from None
    try:
        hosts, findings = load_hosts(host_list(args))
    except HostError as exc:
        raise CommandError(f"{exc.path}: {exc.reason}", 2) from None
    _warn_errors(list(findings))
    try:
        sim = Simulator(hosts, events, seed=args.seed, preempt=args.preempt)
        transitions = sim.run(until)
    except SimError as exc:
        raise UsageError(str(exc)) from None
    out = sys.stdout
    if args.json:
        for t in transitions:
            out.write(json.dumps(t.to_json()) + "\n")
        out.write(json.dumps({"summary": sim.masters()}) + "\n")
    else:
        for t in transitions:
            out.write(t.text() + "\n")
        out.write("\n".join(summary_text(sim)) + "\n")
    return 0
