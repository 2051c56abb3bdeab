"""HOST arguments shared by the commands: defaults and error wording."""

from __future__ import annotations

import argparse

DEFAULT_HOST = "/etc"


def add_hosts_argument(parser: argparse.ArgumentParser, *, many: bool = True) -> None:
    if many:
        parser.add_argument(
            "hosts",
            nargs="*",
            metavar="HOST",
            help="an rc.conf file or an etc directory (default: /etc)",
        )
    else:
        parser.add_argument(
            "host",
            nargs="?",
            default=DEFAULT_HOST,
            metavar="HOST",
            help="an rc.conf file or an etc directory (default: /etc)",
        )


def host_list(args: argparse.Namespace) -> list[str]:
    hosts: list[str] = list(getattr(args, "hosts", None) or [])
    return hosts or [DEFAULT_HOST]
