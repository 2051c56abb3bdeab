"""The CARP words of one ifconfig call (FreeBSD carp.c), checked as ifconfig checks them.

FreeBSD 10+ ifconfig refuses `advskew`, `advbase`, `pass` and `state` until `vhid` has
been given on the same command line ("requires vhid"). The legacy carpN driver
(FreeBSD 9 and earlier) did not care about the order. Pass values never appear in a
message.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from rcnet.findings import Finding, Severity
from rcnet.ifconfig.call import CallContext, CarpSpec, Setting
from rcnet.ifconfig.words import finding
from rcnet.model import CARP_PASS_MAX

#: keyword -> (field, low, high) for the integer CARP words
_RANGES: dict[str, tuple[str, int, int]] = {
    "vhid": ("vhid", 1, 255),
    "advskew": ("advskew", 0, 254),
    "advbase": ("advbase", 1, 255),
    "carpver": ("version", 2, 3),
    "vrrpprio": ("vrrp_prio", 1, 254),
    "vrrpinterval": ("vrrp_interval", 1, 4095),
}
_NEEDS_VHID = ("advskew", "advbase", "pass", "state")
_STATES = ("init", "backup", "master")
_CARP_WORDS = (*_RANGES, "pass", "state", "peer", "peer6", "-peer", "-peer6", "mcast", "mcast6")


def _int_value(s: Setting, ctx: CallContext) -> tuple[int | None, list[Finding]]:
    _, low, high = _RANGES[s.name]
    text = s.arg or ""
    if not text.isdigit() or not low <= int(text) <= high:
        shown = "its value" if not text.isdigit() else str(int(text))
        msg = (
            f"{s.name} must be {low}-{high}, not {text!r}: ifconfig rejects {shown} and this"
            f" {ctx.var} call fails; use a value in {low}-{high}"
        )
        return None, [finding("CA02", "error", msg, s.args[0] if s.args else s.word)]
    return int(text), []


def _order_finding(s: Setting, ctx: CallContext) -> Finding:
    if ctx.kind == "carp":
        severity: Severity = "warning"
        msg = (
            f"{s.name} before vhid in {ctx.var}: the legacy carpN driver accepts this order,"
            ' but FreeBSD 10+ ifconfig stops with "requires vhid"; write vhid first'
        )
    else:
        severity = "error"
        msg = (
            f'{s.name} before vhid in {ctx.var}: ifconfig stops with "{s.name} requires vhid"'
            " and this line is not applied; write `vhid N` before advskew, advbase, pass and"
            " state"
        )
    return finding("CA01", severity, msg, s.word)


def _pass_finding(s: Setting, ctx: CallContext) -> Finding | None:
    raw = (s.arg or "").encode()
    if len(raw) <= CARP_PASS_MAX:
        return None
    return finding(
        "CA03",
        "warning",
        f"the pass in {ctx.var} is {len(raw)} bytes: carp uses only its first {CARP_PASS_MAX},"
        " so hosts whose passes differ after that still agree (and ucarp refuses it);"
        f" shorten it to at most {CARP_PASS_MAX} bytes",
        s.word,
    )


def _addr(text: str, v6: bool) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.IPv6Address(text) if v6 else ipaddress.IPv4Address(text)
    except ValueError:
        return None


def carp_spec(
    settings: Sequence[Setting], ctx: CallContext
) -> tuple[CarpSpec | None, list[Finding]]:
    """The CARP part of a call, or None when the call has no CARP word."""
    mine = [s for s in settings if s.name in _CARP_WORDS]
    if not mine:
        return None, []
    out: list[Finding] = []
    fields: dict[str, object] = {}
    seen_vhid = False
    for s in mine:
        if s.name in _NEEDS_VHID and not seen_vhid:
            out.append(_order_finding(s, ctx))
        if s.name in _RANGES:
            value, problems = _int_value(s, ctx)
            out += problems
            if value is not None:
                fields[_RANGES[s.name][0]] = value
            if s.name == "vhid":
                seen_vhid = True
                fields["vhid_word"] = s.word
        elif s.name == "pass":
            fields["passphrase"] = s.arg or ""
            fields["pass_word"] = s.word
            problem = _pass_finding(s, ctx)
            if problem is not None:
                out.append(problem)
        elif s.name == "state":
            state = (s.arg or "").lower()
            if state in _STATES:
                fields["state"] = state
            else:
                out.append(
                    finding(
                        "CA02",
                        "error",
                        f"state must be init, backup or master, not {s.arg!r}: ifconfig"
                        f" rejects it and this {ctx.var} call fails",
                        s.args[0] if s.args else s.word,
                    )
                )
        elif s.name in ("peer", "peer6"):
            peer = _addr(s.arg or "", s.name == "peer6")
            if peer is None:
                out.append(
                    finding(
                        "IF02",
                        "error",
                        f"{s.name} needs an IPv{'6' if s.name == 'peer6' else '4'} address,"
                        f" not {s.arg!r}: ifconfig rejects it",
                        s.args[0] if s.args else s.word,
                    )
                )
            fields[s.name] = peer
        elif s.name in ("-peer", "mcast"):
            fields["peer"], fields["mcast"] = None, True
        elif s.name in ("-peer6", "mcast6"):
            fields["peer6"], fields["mcast6"] = None, True
    return CarpSpec(**fields), out  # type: ignore[arg-type]
