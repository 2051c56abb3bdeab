"""Man pages from the one source of each thing: rcnet(8) from the argument parser and the help
epilogs (rcnet.commands.helptext), rcnet-rules(7) from the rule registry (rcnet.rules).

    python -m tools.manpages DIR     writes DIR/rcnet.8 and DIR/rcnet-rules.7
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from rcnet import __version__
from rcnet.cli import build_parser
from rcnet.commands.helptext import EPILOGS, TOP
from rcnet.rules import FAMILIES, RULES

FILES = (
    ("/etc/rc.conf", "the host's configuration, with /etc/rc.conf.local and /etc/rc.conf.d/"),
    ("/etc/sysctl.conf", "read for net.inet.carp.* values"),
    ("/run/rcnet/rcnet.sock", "the running daemon's control socket (root only)"),
    ("/lib/systemd/system/rcnet.service", "the systemd unit (Type=notify; reload: rcnet reload)"),
    ("/opt/rcnet", "rcnet and the Python packages it uses"),
)
SIGNALS = (
    (
        "SIGHUP",
        "re-read and check the HOST; a configuration with errors is refused and the "
        "running one kept (rcnet reload asks the same and prints the answer)",
    ),
    (
        "SIGTERM, SIGINT",
        "graceful stop: bow-out adverts, virtual addresses and rcnet's links removed",
    ),
    ("SIGUSR1", "log each vhid's state and the carp counters"),
)


def esc(text: str) -> str:
    """Text safe in roff: backslashes, leading dots and quotes, minus signs."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + ln if ln[:1] in ".'" else ln) for ln in text.split("\n"))


def _date() -> str:
    return datetime.date.today().isoformat()


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse has no public way to list its subparsers
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(p: argparse.ArgumentParser) -> list[str]:
    out: list[str] = []
    for a in p._actions:
        if isinstance(a, argparse._HelpAction) or a.help == argparse.SUPPRESS:
            continue
        names = ", ".join(a.option_strings) or (a.metavar if isinstance(a.metavar, str) else a.dest)
        if a.option_strings and a.nargs != 0:
            choices = "|".join(str(c) for c in a.choices) if a.choices else None
            names += f" {a.metavar or choices or a.dest.upper()}"
        out += [".TP", f".B {esc(names)}", esc(a.help or "")]
    return out


def rcnet_8() -> str:
    parser = build_parser()
    subs = _subparsers(parser)
    lines = [
        f'.TH RCNET 8 "{_date()}" "rcnet {__version__}" "System Manager\'s Manual"',
        ".SH NAME",
        "rcnet \\- FreeBSD rc.conf networking and CARP on Linux",
        ".SH SYNOPSIS",
    ]
    for p in subs.values():
        usage = " ".join(p.format_usage().split()[1:])
        lines += [".br", f".B {esc(usage)}"]
    lines += [
        ".SH DESCRIPTION",
        esc("rcnet reads FreeBSD rc.conf files as they are, without executing anything, and "
            "runs their network setup, CARP included, on Linux. A HOST is an rc.conf file or "
            "an etc directory; none means /etc. Interfaces are named as in the configuration."),
        ".SH COMMANDS",
    ]  # fmt: skip
    for name, p in subs.items():
        lines += [".SS " + esc(f"rcnet {name}"), esc(p.description or "")]
        lines += _options(p)
        if EPILOGS.get(name):
            lines += [".PP", ".nf", esc(EPILOGS[name].rstrip()), ".fi"]
    lines += [".SH FILES"]
    for path, what in FILES:
        lines += [".TP", f".I {esc(path)}", esc(what)]
    lines += [".SH SIGNALS", "rcnet start handles:"]
    for sig, what in SIGNALS:
        lines += [".TP", f".B {sig}", esc(what)]
    examples, _, statuses = TOP.partition("exit status:")
    lines += [
        ".SH EXIT STATUS",
        ".nf",
        esc(statuses.strip("\n")),
        ".fi",
        "Each command's own statuses are listed with it above.",
        ".SH EXAMPLES",
        ".nf",
        esc(examples.replace("examples:\n", "").rstrip()),
        ".fi",
        ".SH SEE ALSO",
        ".BR rcnet\\-rules (7),",
        ".BR rc.conf (5),",
        ".BR sysrc (8),",
        ".BR ifconfig (8),",
        ".BR carp (4)",
    ]
    return "\n".join(lines) + "\n"


def rcnet_rules_7() -> str:
    lines = [
        f'.TH RCNET\\-RULES 7 "{_date()}" "rcnet {__version__}" "Miscellaneous Information Manual"',
        ".SH NAME",
        "rcnet-rules \\- every finding code of rcnet check",
        ".SH DESCRIPTION",
        esc("rcnet check prints FILE:LINE:COL: SEVERITY: MESSAGE [CODE]. Severity belongs to "
            "each finding; the one below is the usual one. rcnet explain CODE prints the same "
            "text."),
    ]  # fmt: skip
    for prefix, title in FAMILIES.items():
        rules = [r for code, r in RULES.items() if code.startswith(prefix)]
        if not rules:
            continue
        lines += [f".SH {esc(title.upper())}"]
        for r in rules:
            lines += [".TP", f".B {r.code} \\fR({r.severity})\\fP \\(em {esc(r.title)}"]
            for k, para in enumerate(r.text.split("\n\n")):
                lines += ([".IP"] if k else []) + [esc(para)]
    lines += [".SH SEE ALSO", ".BR rcnet (8)"]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else ".")
    out.mkdir(parents=True, exist_ok=True)
    (out / "rcnet.8").write_text(rcnet_8(), encoding="utf-8")
    (out / "rcnet-rules.7").write_text(rcnet_rules_7(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
