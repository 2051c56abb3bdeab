"""rcnet start: check the host, apply it to Linux, run CARP in the foreground."""

from __future__ import annotations

import argparse
import re
import sys

from rcnet.commands import CommandError, UsageError
from rcnet.commands.hostargs import add_hosts_argument
from rcnet.daemon.options import StartOptions
from rcnet.text import escape

_IFNAME = re.compile(r"^[A-Za-z0-9_.:+-]{1,15}$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_hosts_argument(parser, many=False)
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="map a FreeBSD interface name onto a Linux one (also rc.conf rcnet_ifmap)",
    )
    parser.add_argument("--no-hostname", action="store_true", help="leave the hostname alone")
    parser.add_argument(
        "--dry-run", action="store_true", help="print each netlink change, change nothing"
    )
    parser.add_argument(
        "--notify",
        action="append",
        default=[],
        metavar="SCRIPT",
        help="run `SCRIPT <vhid>@<if> <STATE>` on every transition (also rcnet_notify)",
    )
    parser.add_argument("--control", metavar="PATH", help="control socket path")
    parser.add_argument(
        "--metrics", metavar="[ADDR:]PORT", help="serve OpenMetrics at http://ADDR:PORT/metrics"
    )
    parser.add_argument(
        "--log-level", choices=("debug", "info", "warning", "error"), default="info"
    )


def _listen(text: str | None) -> tuple[str, int] | None:
    if text is None:
        return None
    from rcnet.metrics import parse_listen

    try:
        return parse_listen(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def parse_map(words: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for word in words:
        old, sep, new = word.partition("=")
        if not sep or not _IFNAME.match(old) or not _IFNAME.match(new):
            raise UsageError(f"--map takes OLD=NEW interface names, not {word!r}")
        out[old] = new
    return out


def run(args: argparse.Namespace) -> int:
    from rcnet.hosts import read_host
    from rcnet.rcconf.env import HostError

    options = StartOptions(
        host_path=args.host,
        ifmap=parse_map(args.map),
        metrics=_listen(args.metrics),
        set_hostname=not args.no_hostname,
        dry_run=args.dry_run,
        notify=tuple(args.notify),
        control=args.control,
        log_level=args.log_level,
    )
    try:
        checked = read_host(args.host)
    except HostError as exc:
        raise CommandError(f"{exc.path}: {exc.reason}", 2) from None
    from rcnet.startable import blockers

    errors = blockers(checked.findings, checked.host)
    if errors:
        for f in errors:
            print(escape(f.format(checked.loaded.path)), file=sys.stderr)
        raise CommandError(
            f"{args.host}: {len(errors)} error(s) in the configuration; nothing was changed", 1
        )
    from rcnet.daemon.run import run_host

    return run_host(checked.host, options)
