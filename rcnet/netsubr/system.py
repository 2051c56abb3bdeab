"""Host-wide settings: hostname, forwarding, CARP sysctls, rcnet's own variables, scopes.

Each rc.d script reads rc.conf plus only its own rc.conf.d file(s): `hostname` reads
rc.conf.d/hostname, `netif` rc.conf.d/network and rc.conf.d/netif, `routing`
rc.conf.d/routing. A variable placed only where its consumer does not look is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rcnet.findings import Finding
from rcnet.model import CarpSysctls
from rcnet.netsubr.common import Env, Report
from rcnet.rcconf.env import SCOPES, LoadedHost, Value
from rcnet.rcconf.variables import reader_of
from rcnet.text import control_characters, escape

_SCRIPT_FILES = {
    "hostname": "rc.conf.d/hostname",
    "netif": "rc.conf.d/network or rc.conf.d/netif",
    "routing": "rc.conf.d/routing",
}


def consumer(name: str) -> str | None:
    """The rc.d script that reads a variable, for the variables whose scope matters (from the
    variable registry: hostname, netif or routing)."""
    reader = reader_of(name)
    return reader if reader in SCOPES else None


def scope_findings(loaded: LoadedHost) -> list[Finding]:
    """RT04: a variable set only in an rc.conf.d file its consumer never reads."""
    out: list[Finding] = []
    base = loaded.base.values
    for scope, env in loaded.scopes.items():
        if env is loaded.base:
            continue  # a single-file host: every script reads the same variables
        for name, value in env.values.items():
            if base.get(name) is value:
                continue  # from rc.conf itself: every script sees it
            reader = consumer(name)
            if reader is None or reader == scope or reader not in loaded.scopes:
                continue
            if value.conditional or value.default:
                continue
            if _same(loaded.base.get(name), value) or _same(loaded.scopes[reader].get(name), value):
                continue
            out.append(
                Finding(
                    "RT04",
                    "warning",
                    f"{name} is set in {value.loc.file}, which only rc.d/{scope} reads;"
                    f" rc.d/{reader} reads rc.conf and {_SCRIPT_FILES[reader]}, so it never"
                    f" sees this value; move it to rc.conf or {_SCRIPT_FILES[reader]}",
                    value.loc,
                    len(name),
                )
            )
    return out


def _same(a: Value | None, b: Value) -> bool:
    return a is not None and a.loc == b.loc and a.text == b.text


def hostname(env: Env, report: Report) -> str | None:
    """The hostname rc.d/hostname sets; None when empty or unknown. GN04 when invalid."""
    value = env.value("hostname")
    text = env.text("hostname")
    if not text:
        return None
    if _hostname_error(text, value, report):
        return text
    problem = _hostname_problem(text)
    if problem is not None:
        report.at_value(
            "GN04",
            "warning",
            f"hostname {text!r} {problem}: resolvers and other hosts will not accept it; use"
            " letters, digits and hyphens, labels up to 63 and the name up to 253 characters",
            value,
        )
    return text


#: Linux's HOST_NAME_MAX (include/uapi/linux/utsname.h __NEW_UTS_LEN): sethostname(2) refuses
#: a longer name with EINVAL (FreeBSD takes up to MAXHOSTNAMELEN - 1 = 255)
LINUX_HOSTNAME_MAX = 64


def _hostname_error(name: str, value: Value | None, report: Report) -> bool:
    """GN04 errors: what `start` could not set or what would break every log line and prompt
    that shows the name (rc.d/hostname echoes it to the console at boot)."""
    controls = control_characters(name)
    size = len(name.encode())
    if controls:
        offset = next(i for i, c in enumerate(name) if control_characters(c))
        report.at_value(
            "GN04",
            "error",
            f"hostname '{escape(name)}' contains control characters ({', '.join(controls)}):"
            " rc.d/hostname prints it to the console at boot and every log line and prompt"
            " that shows the name would carry them (a newline starts a forged log line, an"
            " escape drives the terminal); use letters, digits and hyphens",
            value,
            offset,
        )
        return True
    if size > LINUX_HOSTNAME_MAX:
        report.at_value(
            "GN04",
            "error",
            f"hostname is {size} bytes long: Linux's sethostname refuses more than"
            f" {LINUX_HOSTNAME_MAX} bytes, so rcnet start would fail (FreeBSD takes up to 255);"
            " use a shorter name",
            value,
        )
        return True
    return False


def _hostname_problem(name: str) -> str | None:
    if re.search(r"\s", name):
        return "contains blanks"
    if len(name) > 253:
        return f"is {len(name)} characters long (more than 253)"
    labels = name.rstrip(".").split(".")
    long = next((lab for lab in labels if len(lab) > 63), None)
    if long is not None:
        return f"has a label of {len(long)} characters (more than 63)"
    if any(not lab for lab in labels):
        return "has an empty label"
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        return "contains characters other than letters, digits, '-', '_' and '.'"
    return None


_SYSCTL_PREFIX = "net.inet.carp."


def carp_sysctls(sysctls: Mapping[str, Value], report: Report) -> CarpSysctls:
    """net.inet.carp.* from sysctl.conf onto FreeBSD's defaults."""
    fields = CarpSysctls().to_json()
    for name, value in sysctls.items():
        key = name[len(_SYSCTL_PREFIX) :] if name.startswith(_SYSCTL_PREFIX) else name
        if key not in fields or value.text is None:
            continue
        text = value.text.strip()
        if not re.fullmatch(r"-?[0-9]+", text):
            report.at_value(
                "SY01",
                "warning",
                f"{name}={text!r} is not an integer: sysctl refuses it at boot and FreeBSD's"
                f" default {fields[key]} stays",
                value,
            )
            continue
        fields[key] = int(text)
    return CarpSysctls(**fields)


def ifmap(env: Env, report: Report) -> tuple[tuple[str, str], ...]:
    """rcnet_ifmap="fxp0:eth0 em1:eth1": FreeBSD name -> Linux name."""
    out: list[tuple[str, str]] = []
    for w in env.words("rcnet_ifmap"):
        old, sep, new = w.text.partition(":")
        if not (sep and old and new) or ":" in new:
            report.at(
                "RC01",
                "warning",
                f"rcnet_ifmap entry {w.text!r} is not FREEBSD:LINUX (like fxp0:eth0); rcnet"
                " ignores it",
                w,
            )
            continue
        out.append((old, new))
    return tuple(out)
