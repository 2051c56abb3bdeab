"""status, ifconfig, sysctl, stop: talk to a running `rcnet start` over its control socket."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rcnet.commands import CommandError, UsageError
from rcnet.daemon.status import render_status  # the daemon's one renderer
from rcnet.model import CARP_SYSCTLS
from rcnet.text import escape

SYSCTLS = CARP_SYSCTLS


def _add_control(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--control",
        metavar="PATH",
        help="the daemon's control socket (default: $RCNET_CONTROL or /run/rcnet/rcnet.sock)",
    )


def add_status_arguments(parser: argparse.ArgumentParser) -> None:
    _add_control(parser)
    parser.add_argument("--json", action="store_true")


def add_ifconfig_arguments(parser: argparse.ArgumentParser) -> None:
    _add_control(parser)
    parser.add_argument("interface", metavar="IF", nargs="?", help="none: every interface")
    parser.add_argument("words", nargs="*", metavar="up|down|vhid N state master|backup")


def add_sysctl_arguments(parser: argparse.ArgumentParser) -> None:
    _add_control(parser)
    parser.add_argument("-a", dest="all", action="store_true", help="every net.inet.carp value")
    parser.add_argument(
        "setting", nargs="?", metavar="NAME[=VALUE]", help="a value, or a subtree to list"
    )


def add_stop_arguments(parser: argparse.ArgumentParser) -> None:
    _add_control(parser)


def _ask(args: argparse.Namespace, message: dict[str, Any]) -> dict[str, Any]:
    """The daemon's checked answer (answers.py: one schema per request). No daemon, a socket
    not served by root or the caller, or a malformed answer: exit 3, one line naming the
    socket; a refusal: exit 1 with the daemon's error (its whole answer kept for reload)."""
    from rcnet.daemon.answers import BadAnswer, ask
    from rcnet.daemon.control import control_path

    path = control_path(args.control)
    try:
        answer = ask(path, message)
    except BadAnswer as exc:
        raise CommandError(
            f"no rcnet daemon answers at {path}: malformed answer to {message['cmd']}: {exc}", 3
        ) from None
    except OSError as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise CommandError(f"no rcnet daemon answers at {path} ({reason})", 3) from None
    if not answer.ok:
        raise CommandError(answer.body["error"], 1, answer.body)
    return answer.body


def run_status(args: argparse.Namespace) -> int:
    answer = _ask(args, {"cmd": "status"})
    if args.json:
        json.dump(answer, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(render_status(answer))
    return 0


def run_ifconfig(args: argparse.Namespace) -> int:
    words = [w.lower() for w in args.words]
    if not words:  # `ifconfig -a`, or one interface
        from rcnet.commands.listing import ifconfig_listing

        lines = ifconfig_listing(_ask(args, {"cmd": "status"}), args.interface)
        if args.interface is not None and not lines:
            raise CommandError(f"interface {escape(args.interface)} does not exist", 1)
        for line in lines:
            print(escape(line))  # names and addresses from the daemon and the kernel
        return 0
    message: dict[str, Any] = {"cmd": "ifconfig", "if": args.interface}
    if words in (["up"], ["down"]):
        message["action"] = words[0]
    elif len(words) == 4 and words[0] == "vhid" and words[2] == "state":
        if not words[1].isdigit() or not 1 <= int(words[1]) <= 255:
            raise UsageError(f"vhid must be 1-255, not {args.words[1]!r}")
        if words[3] not in ("master", "backup"):
            raise UsageError(f"state must be master or backup, not {args.words[3]!r}")
        message["vhid"] = int(words[1])
        message["state"] = words[3]
    else:
        raise UsageError("expected `IF up`, `IF down` or `IF vhid N state master|backup`")
    _print_lines(_ask(args, message))
    return 0


def _print_lines(answer: dict[str, Any]) -> None:
    for line in answer["lines"]:
        print(escape(line))


def run_sysctl(args: argparse.Namespace) -> int:
    message: dict[str, Any] = {"cmd": "sysctl"}
    subtree = _subtree(args)
    if subtree is not None:  # sysctl -a, sysctl net.inet.carp
        answer = _ask(args, message)
        for line in answer["lines"]:
            if line.startswith(subtree):
                print(escape(line))
        return 0
    if args.setting:
        name, sep, value = args.setting.partition("=")
        short = name.removeprefix("net.inet.carp.")
        if short not in SYSCTLS:
            raise UsageError(
                f"unknown sysctl {name!r}; known: net.inet.carp.{{{','.join(SYSCTLS)}}}"
            )
        message["name"] = short
        if sep:
            try:
                message["value"] = int(value, 0)
            except ValueError:
                raise UsageError(f"{name}: value must be an integer, not {value!r}") from None
    _print_lines(_ask(args, message))
    return 0


def _subtree(args: argparse.Namespace) -> str | None:
    """The prefix to list for `-a` or a NAME that is an inner node of net.inet.carp."""
    if args.all:
        if args.setting:
            raise UsageError("-a takes no NAME")
        return ""
    name = args.setting or ""
    if name and "=" not in name and "net.inet.carp.".startswith(name.rstrip(".") + "."):
        return name.rstrip(".") + "."
    return None


def run_stop(args: argparse.Namespace) -> int:
    _print_lines(_ask(args, {"cmd": "stop"}))
    return 0
