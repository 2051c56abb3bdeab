"""The CARP words of one ifconfig call (FreeBSD carp.c), checked as ifconfig checks them.

FreeBSD 10+ ifconfig refuses `advskew`, `advbase`, `pass` and `state` until `vhid` has
been given on the same command line ("requires vhid"). The legacy carpN driver
(FreeBSD 9 and earlier) did not care about the order. Pass values never appear in a
message.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from rcnet.findings import Finding
from rcnet.ifconfig.call import CallContext, CarpSpec, Failure, Setting
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


#: after the last word: SIOCSVH runs as a deferred callback (carp.c setcarp_callback)
AFTER_LAST_WORD = 1 << 30


def _int_value(s: Setting, ctx: CallContext) -> tuple[int | None, Failure | None]:
    """The value as ifconfig's atoi reads it, or where the call fails because of it.

    `vhid` is checked by ifconfig itself (carp.c setcarp_vhid: "vhid must be greater than 0
    and less than 255", errx at once); the others by the kernel when the deferred SIOCSVH
    runs after the last word (ip_carp.c carp_ioctl: advskew >= 255 is EINVAL), which makes
    ifconfig exit with err(1, "SIOCSVH") before the address is added.
    """
    _, low, high = _RANGES[s.name]
    text = s.arg or ""
    digits = re.match(r"[0-9]*", text)
    value = int(digits.group()) if digits and digits.group() else 0
    if s.name == "advbase" and value == 0 and text.isdigit():
        return 1, None  # 0 leaves the default
    if text.isdigit() and low <= value <= high:
        return value, None
    shown = "its value" if not text.isdigit() else str(value)
    at = s.index if s.name == "vhid" else AFTER_LAST_WORD
    complaint = '"vhid must be greater than 0 and less than 255"' if s.name == "vhid" else "EINVAL"
    failure = Failure(
        s.args[0] if s.args else s.word, "CA02",
        f"{s.name} must be {low}-{high}, not {text!r} ({shown}) in {ctx.var}",
        complaint if s.name == "vhid" else f'"SIOCSVH" ({complaint})',
        f"use a value in {low}-{high}", at,
    )  # fmt: skip
    return None, failure


def _order_failure(s: Setting, ctx: CallContext) -> Failure:
    return Failure(
        s.word, "CA01", f"{s.name} before vhid in {ctx.var}",
        f'"{"passwd" if s.name == "pass" else s.name} requires vhid"',
        "write `vhid N` before advskew, advbase, pass and state", s.index,
    )  # fmt: skip


def _order_warning(s: Setting, ctx: CallContext) -> Finding:
    return finding(
        "CA01",
        "warning",
        f"{s.name} before vhid in {ctx.var}: the legacy carpN driver accepts this order,"
        ' but FreeBSD 10+ ifconfig stops with "requires vhid"; write vhid first',
        s.word,
    )


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
) -> tuple[CarpSpec | None, list[Finding], Failure | None]:
    """The CARP part of a call (None when it has no CARP word), its findings, and the first
    CARP word that makes the call fail."""
    mine = [s for s in settings if s.name in _CARP_WORDS]
    if not mine:
        return None, [], None
    out: list[Finding] = []
    failures: list[Failure] = []
    fields: dict[str, object] = {}
    seen_vhid = False
    for s in mine:
        if s.name in _NEEDS_VHID and not seen_vhid:
            if ctx.kind == "carp":
                out.append(_order_warning(s, ctx))
            else:
                failures.append(_order_failure(s, ctx))
        if s.name in _RANGES:
            value, failure = _int_value(s, ctx)
            if failure is not None:
                failures.append(failure)
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
                failures.append(
                    Failure(
                        s.args[0] if s.args else s.word,
                        "CA02",
                        f"state must be init, backup or master, not {s.arg!r}, in {ctx.var}",
                        '"unknown state"',
                        "write init, backup or master",
                        s.index,
                    )
                )
        elif s.name in ("peer", "peer6"):
            peer = _addr(s.arg or "", s.name == "peer6")
            if peer is None and s.name == "peer6":
                failures.append(
                    Failure(
                        s.args[0] if s.args else s.word,
                        "IF02",
                        f"peer6 needs an IPv6 address, not {s.arg!r}, in {ctx.var}",
                        '"Invalid IPv6 address"',
                        "write the peer's IPv6 address",
                        s.index,
                    )
                )
            elif peer is None:
                out.append(
                    finding(
                        "IF02",
                        "error",
                        f"peer needs an IPv4 address, not {s.arg!r}: ifconfig's inet_addr"
                        " makes it 255.255.255.255 and adverts go nowhere; write the peer's"
                        " address",
                        s.args[0] if s.args else s.word,
                    )
                )
            fields[s.name] = peer
        elif s.name in ("-peer", "mcast"):
            fields["peer"], fields["mcast"] = None, True
        elif s.name in ("-peer6", "mcast6"):
            fields["peer6"], fields["mcast6"] = None, True
    first = min(failures, key=lambda f: f.at) if failures else None
    return CarpSpec(**fields), out, first  # type: ignore[arg-type]
