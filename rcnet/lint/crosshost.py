"""CA05-CA07: the same vhid on one segment, compared across the hosts given together;
DU01: the same static address on two hosts of one segment.

Every member of a vhid must use the same pass (its first 19 bytes) and the same
address set: both go into the HMAC, and a mismatch makes each host drop the other's
adverts as bad authentication, so every host becomes MASTER and they fight over the
address. Identical advbase/advskew leaves no deterministic master.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rcnet.findings import Finding, Location, Severity
from rcnet.model import Vhid

if TYPE_CHECKING:
    from rcnet.hosts import CheckedHost

Member = tuple["CheckedHost", Vhid]


def _sanitize(ifname: str) -> str:
    return re.sub(r"[./+-]", "_", ifname)


def vhid_location(checked: CheckedHost, vhid: Vhid, word: str = "vhid") -> Location | None:
    """Where `vhid N` (or the `pass` value) of this vhid is written in the host's files."""
    prefix = f"ifconfig_{_sanitize(vhid.interface)}"
    vhid_re = re.compile(rf"\bvhid\s+0*{vhid.vhid}\b")
    env = checked.loaded.netif
    for value in env.with_prefix(prefix):
        text = value.text or ""
        found = vhid_re.search(text)
        if found is None:
            continue
        if word == "pass":
            pw = re.search(r"\bpass\s+(\S)", text)
            if pw is not None:
                return value.at(pw.start(1))
        return value.at(found.start())
    return None


def _finding(
    code: str,
    severity: Severity,
    checked: CheckedHost,
    vhid: Vhid,
    message: str,
    word: str = "vhid",
) -> Finding:
    loc = vhid_location(checked, vhid, word)
    return Finding(code, severity, message, loc, 4).with_host(checked.name)


def _names(members: Sequence[Member]) -> str:
    return ", ".join(sorted(c.name for c, _ in members))


def _key_mismatch(members: Sequence[Member], ident: str) -> list[Finding]:
    out: list[Finding] = []
    for checked, vhid in members:
        others = [(c, v) for c, v in members if v.key != vhid.key]
        if not others:
            continue
        out.append(
            _finding(
                "CA05",
                "error",
                checked,
                vhid,
                f"vhid {ident}: the pass differs from {_names(others)} (only its first 19 bytes"
                " count, and they go into every advert's HMAC); each host will drop the other's"
                " adverts as bad authentication and both become MASTER of the same address:"
                " use the same pass on every member",
                "pass",
            )
        )
    return out


def _address_mismatch(members: Sequence[Member], ident: str) -> list[Finding]:
    out: list[Finding] = []
    for checked, vhid in members:
        mine = {a.ip for a in vhid.addresses}
        others = [(c, v) for c, v in members if {a.ip for a in v.addresses} != mine]
        if not others:
            continue
        listed = " ".join(sorted(str(a) for a in mine)) or "none"
        out.append(
            _finding(
                "CA06",
                "error",
                checked,
                vhid,
                f"vhid {ident}: this host's addresses ({listed}) differ from those of"
                f" {_names(others)}; every address of a vhid goes into the HMAC, so the hosts"
                " reject each other's adverts and both become MASTER: give every member the"
                " same address set",
            )
        )
    return out


def _priority_ties(members: Sequence[Member], ident: str) -> list[Finding]:
    out: list[Finding] = []
    for checked, vhid in members:
        same = [
            (c, v)
            for c, v in members
            if c is not checked and (v.advbase, v.advskew) == (vhid.advbase, vhid.advskew)
        ]
        if not same:
            continue
        out.append(
            _finding(
                "CA07",
                "warning",
                checked,
                vhid,
                f"vhid {ident}: advbase {vhid.advbase} advskew {vhid.advskew} is the same on"
                f" {_names(same)}; which host is MASTER depends on who starts first: give the"
                " backups a higher advskew",
            )
        )
    return out


def _address_location(checked: CheckedHost, address: str) -> Location | None:
    """Where an address is written in the host's per-interface variables."""
    found = re.compile(rf"(?<![\w.:]){re.escape(address)}(?![\w:]|\.\d)")
    env = checked.loaded.netif
    for prefix in ("ifconfig_", "ipv4_addrs_"):
        for value in env.with_prefix(prefix):
            m = found.search(value.text or "")
            if m is not None:
                return value.at(m.start())
    return None


def _static_addresses(checked: CheckedHost) -> dict[tuple[str, str], str]:
    """(address, network) -> interface for the host's own addresses (no VIPs, no loopback
    or link-local ones: those are per host by design)."""
    out: dict[tuple[str, str], str] = {}
    for iface in checked.host.interfaces:
        if iface.kind == "carp":
            continue
        for a in iface.addresses:
            if a.vhid is not None or a.address.is_loopback or a.address.is_link_local:
                continue
            out.setdefault((str(a.address), str(a.network)), iface.name)
    return out


def _duplicate_addresses(hosts: Sequence[CheckedHost]) -> list[Finding]:
    """DU01 across hosts: one address on two hosts of one segment answers ARP from both."""
    owners: dict[tuple[str, str], list[tuple[CheckedHost, str]]] = defaultdict(list)
    for checked in hosts:
        for key, ifname in _static_addresses(checked).items():
            owners[key].append((checked, ifname))
    out: list[Finding] = []
    for (address, network), where in sorted(owners.items()):
        if len(where) < 2:
            continue
        for checked, ifname in where:
            others = ", ".join(sorted(c.name for c, _ in where if c is not checked))
            out.append(
                Finding(
                    "DU01",
                    "error",
                    f"{address} on {ifname} is also configured on {others} in {network}: both"
                    " hosts answer ARP for it and traffic goes to whichever answered last;"
                    " give each host its own address (a shared address belongs in a vhid)",
                    _address_location(checked, address),
                    len(address),
                ).with_host(checked.name)
            )
    return out


def cross_host_findings(hosts: Sequence[CheckedHost]) -> list[Finding]:
    groups: dict[str, list[Member]] = defaultdict(list)
    findings: list[Finding] = []
    for checked in hosts:
        seen: set[str] = set()
        for vhid in checked.host.vhids:
            if vhid.segment is None:
                findings.append(
                    _finding(
                        "CA10",
                        "info",
                        checked,
                        vhid,
                        f"vhid {vhid.vhid} on {vhid.interface}: its segment cannot be known (no"
                        " static IPv4 address on its parent), so it is left out of the"
                        " cross-host checks",
                    )
                )
                continue
            if vhid.key_id in seen:
                continue
            seen.add(vhid.key_id)
            groups[vhid.key_id].append((checked, vhid))
    findings += _duplicate_addresses(hosts)
    for ident, members in sorted(groups.items()):
        if len(members) < 2:
            continue
        findings += _key_mismatch(members, ident)
        findings += _address_mismatch(members, ident)
        findings += _priority_ties(members, ident)
    return findings
