"""CARP virtual hosts from the configured interfaces: legacy carpN and modern vhids.

Legacy (FreeBSD 9 and earlier): every address of a cloned carpN belongs to its vhid; the
kernel attaches carpN to the physical interface whose subnet holds the address (longest
prefix wins) and refuses an address in no such subnet (nothing is configured, an error);
the segment is the network of the carp address as written.
Modern (FreeBSD 10+): `vhid N` on an address of the physical interface; that interface is
both `interface` and `parent`; the segment is the network of its first static IPv4 address.
Later CARP words on the same vhid override earlier ones, as ifconfig's SIOCSVH does. A
call that fails (see rcnet.ifconfig.parse) carries no CARP words at all.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, replace
from operator import attrgetter

from rcnet.findings import Finding
from rcnet.ifconfig.call import CarpSpec
from rcnet.ifconfig.words import Word, finding
from rcnet.model import CARP_KEY_LEN, Address, IPInterface, Vhid, carp_key
from rcnet.netsubr.common import Report
from rcnet.netsubr.configure import Configured, Placed

_PARAMS = ("advskew", "advbase", "state", "peer", "peer6", "version", "vrrp_prio", "vrrp_interval")
#: a CarpSpec's _PARAMS values, in one call (a VIP file has a spec per line)
_PARAM_VALUES = attrgetter(*_PARAMS)


@dataclass
class _Merged:
    """The CARP words of every call on one vhid, later ones winning."""

    vhid: int
    word: Word | None = None
    values: dict[str, object] = field(default_factory=dict)
    key: bytes | None = field(default=None, repr=False)
    findings: list[Finding] = field(default_factory=list)

    def add(self, spec: CarpSpec, where: str) -> None:
        if self.word is None:
            self.word = spec.vhid_word
        for name, value in zip(_PARAMS, _PARAM_VALUES(spec), strict=True):
            if value is None:
                continue
            old = self.values.get(name)
            if name in ("advskew", "advbase") and old is not None and old != value:
                self._conflict(f"{name} {old} and {value}", spec.vhid_word or self.word, where)
            self.values[name] = value
        if spec.mcast:
            self.values["peer"] = None
        if spec.mcast6:
            self.values["peer6"] = None
        if spec.passphrase is not None:
            key = carp_key(spec.passphrase)
            if self.key is not None and key != self.key:
                self._conflict("two different passes", spec.pass_word, where)
            self.key = key

    def _conflict(self, what: str, word: Word | None, where: str) -> None:
        self.findings.append(
            finding(
                "CA04",
                "warning",
                f"vhid {self.vhid} on {where} is given {what}: the last one wins, but every"
                " line of a vhid should say the same; make them agree",
                word,
            )
        )

    def vhid_model(
        self, interface: str, parent: str | None, addrs: list[IPInterface], legacy: bool
    ) -> Vhid:
        v = self.values
        segment = _segment(addrs) if legacy else None
        return Vhid(
            vhid=self.vhid,
            interface=interface,
            parent=parent,
            addresses=tuple(addrs),
            advbase=int(str(v.get("advbase", 1))),
            advskew=int(str(v.get("advskew", 0))),
            key=self.key if self.key is not None else bytes(CARP_KEY_LEN),
            pass_set=self.key is not None,
            legacy=legacy,
            state=v.get("state"),  # type: ignore[arg-type]
            peer=v.get("peer"),  # type: ignore[arg-type]
            peer6=v.get("peer6"),  # type: ignore[arg-type]
            version=int(str(v.get("version", 2))),
            vrrp_prio=int(str(v.get("vrrp_prio", 100))),
            vrrp_interval=int(str(v.get("vrrp_interval", 100))),
            segment=segment,
        )


def _segment(addrs: list[IPInterface]) -> ipaddress.IPv4Network | None:
    first = next((a for a in addrs if isinstance(a, ipaddress.IPv4Interface)), None)
    return first.network if first is not None else None


def _static(c: Configured, family: str) -> list[IPInterface]:
    """The interface's own (non-CARP) addresses of a family, in order."""
    return [
        p.address.interface
        for p in c.placed
        if p.address.vhid is None and p.address.family == family
    ]


def own_networks(c: Configured, family: str) -> dict[int, set[int]]:
    """Prefix length -> network numbers of the interface's own (non-CARP) addresses of a
    family: the networks of `_static`'s interfaces, from the addresses' integers (building an
    ipaddress interface per address was a tenth of the time of a file of VIPs)."""
    nets: dict[int, set[int]] = {}
    for p in c.placed:
        a = p.address
        if a.vhid is None and a.family == family:
            host = a.address.max_prefixlen - a.prefixlen
            nets.setdefault(a.prefixlen, set()).add(int(a.address) >> host << host)
    return nets


def longest_prefix_parent(addr: IPInterface, physical: list[Configured]) -> str | None:
    """The physical interface whose prefix holds addr, longest prefix first."""
    best: tuple[int, str] | None = None
    family = "inet" if isinstance(addr, ipaddress.IPv4Interface) else "inet6"
    for c in physical:
        for own in _static(c, family):
            if addr.ip in own.network and (best is None or own.network.prefixlen > best[0]):
                best = (own.network.prefixlen, c.name)
    return best[1] if best is not None else None


class VhidBuilder:
    def __init__(self, configured: list[Configured], report: Report) -> None:
        self.configured = configured
        self.physical = [c for c in configured if c.planned.kind != "carp"]
        self.report = report
        self.vhids: list[tuple[Vhid, Word | None]] = []
        #: legacy carpN whose addresses the kernel refuses: name -> what stays
        self.stripped: dict[str, tuple[Placed, ...]] = {}
        #: (interface, family) -> prefix length -> network numbers of its static addresses
        self._networks: dict[tuple[str, str], dict[int, set[int]]] = {}

    def build(self) -> list[Vhid]:
        for c in self.configured:
            if c.planned.kind == "carp":
                self._legacy(c)
            else:
                self._modern(c)
        self._duplicates()
        return [v for v, _ in self.vhids]

    def _legacy(self, c: Configured) -> None:
        specs = [call.carp for call in c.calls if call.carp is not None]
        vhid = next((s.vhid for s in reversed(specs) if s.vhid is not None), None)
        if vhid is None:
            if c.placed:
                self.report.at(
                    "CA02",
                    "error",
                    f"{c.name} has addresses but no vhid: the legacy carp driver does not"
                    f" bring it up; add `vhid N` (1-255) to ifconfig_{c.name}",
                    c.placed[0].spec.word if c.placed[0].spec else None,
                )
            return
        merged = _Merged(vhid)
        for spec in specs:
            merged.add(spec, c.name)
        self.report.extend(merged.findings)
        kept = [p for p in c.placed if self._in_subnet(c, p, merged.word)]
        if len(kept) != len(c.placed):
            self.stripped[c.name] = tuple(kept)
        if not kept and c.placed:
            return  # no address came up: the vhid never runs (nothing is configured)
        addrs = [p.address.interface for p in kept]
        parent = longest_prefix_parent(addrs[0], self.physical) if addrs else None
        model = merged.vhid_model(c.name, parent, addrs, legacy=True)
        self._host_prefix(c, kept, merged.word)
        self.report.at("CL05", "info", _modern_equivalent(c, model), merged.word)
        self.vhids.append((model, merged.word))

    def _in_subnet(self, c: Configured, p: Placed, word: Word | None) -> bool:
        """FreeBSD <= 9 carp_set_addr: the address must lie in a subnet of another
        interface, else SIOCAIFADDR fails and carpN gets no address."""
        a = p.address
        if longest_prefix_parent(a.interface, self.physical) is not None:
            return True
        self.report.at(
            "CA09",
            "error",
            f"{a.address}/{a.prefixlen} on {c.name} is in no subnet of another interface:"
            " the legacy carp driver refuses it (carp_set_addr finds no parent), so the"
            f" address is not set and this VIP never comes up; put it in the subnet of a"
            " configured interface",
            p.spec.word if p.spec is not None else word,
        )
        return False

    def _host_prefix(self, c: Configured, placed: list[Placed], word: Word | None) -> None:
        for p in placed:
            a = p.address
            if a.family == "inet" and a.prefixlen == 32:
                self.report.at(
                    "CA09",
                    "warning",
                    f"{a.address}/32 on legacy {c.name}: carp takes its prefix from this address,"
                    " so the vhid's segment is a single host and the address is not announced"
                    " with the subnet; use the physical subnet's prefix (as the Handbook does)",
                    p.spec.word if p.spec is not None else word,
                )

    def _modern(self, c: Configured) -> None:
        # each vhid's CARP words and addresses, in one pass over the calls and one over the
        # addresses (a pass per vhid was vhids x aliases); dicts keep first-seen order
        specs: dict[int, list[CarpSpec]] = {}
        for call in c.calls:
            if call.carp is not None and call.carp.vhid is not None:
                specs.setdefault(call.carp.vhid, []).append(call.carp)
        by_vhid: dict[int, list[Placed]] = {}
        for p in c.placed:
            if p.address.vhid is not None:
                by_vhid.setdefault(p.address.vhid, []).append(p)
        first = next(
            (p.address for p in c.placed if p.address.vhid is None and p.address.family == "inet"),
            None,
        )
        segment = first.network if first is not None else None
        for vhid, carps in specs.items():
            merged = _Merged(vhid)
            for spec in carps:
                merged.add(spec, c.name)
            self.report.extend(merged.findings)
            placed = by_vhid.get(vhid, [])
            addrs = [p.address.interface for p in placed]
            model = merged.vhid_model(c.name, c.name, addrs, legacy=False)
            model = _with_segment(model, segment)
            for p in placed:
                self._outside(c, p.address, p.spec.word if p.spec else merged.word)
            self.vhids.append((model, merged.word))

    def _outside(self, c: Configured, vip: Address, word: Word | None) -> None:
        # the address's own integer: no ipaddress object per VIP (interface.ip makes one)
        family = "inet" if isinstance(vip.address, ipaddress.IPv4Address) else "inet6"
        key = (c.name, family)
        nets = self._networks.get(key)
        if nets is None:  # once per interface, not per VIP
            nets = self._networks[key] = own_networks(c, family)
        bits, ip = vip.address.max_prefixlen, int(vip.address)
        # one set lookup per prefix length in use, not one test per address of the interface
        for n, numbers in nets.items():
            if ip >> (bits - n) << (bits - n) in numbers:
                return
        self.report.at(
            "CA09",
            "warning",
            f"the VIP {vip.interface.ip} is in no prefix of {c.name}'s own addresses: carp"
            f" sends its adverts from {c.name}'s address, and hosts on the VIP's subnet cannot"
            " reach it through this segment; add an address of that subnet to the interface",
            word,
        )

    def _duplicates(self) -> None:
        seen: dict[tuple[str, int], Vhid] = {}
        for v, word in self.vhids:
            where = (v.parent or v.interface, v.vhid)
            first = seen.get(where)
            if first is None:
                seen[where] = v
                continue
            self.report.at(
                "CA04",
                "warning",
                f"vhid {v.vhid} is used by {first.interface} and {v.interface} on"
                f" {where[0]}: both would answer as virtual MAC 00:00:5e:00:01:{v.vhid:02x};"
                " give each a distinct vhid",
                word,
            )


def _with_segment(v: Vhid, segment: ipaddress.IPv4Network | ipaddress.IPv6Network | None) -> Vhid:
    seg = segment if isinstance(segment, ipaddress.IPv4Network) else None
    return replace(v, segment=seg)


def _modern_equivalent(c: Configured, v: Vhid) -> str:
    parent = v.parent or "<parent>"
    params = "".join(
        f" {name} {value}"
        for name, value, default in (("advskew", v.advskew, 0), ("advbase", v.advbase, 1))
        if value != default
    )
    secret = " pass ********" if v.pass_set else ""
    first = v.addresses[0].ip if v.addresses else "<address>"
    return (
        f"legacy {c.name} (vhid {v.vhid}): fine for rcnet, but FreeBSD 10 and later have no"
        f" carpN interfaces and ignore it; the modern equivalent is"
        f' ifconfig_{parent}_aliasN="inet vhid {v.vhid}{params}{secret} alias {first}/32"'
    )


def build_vhids(
    configured: list[Configured], report: Report
) -> tuple[list[Vhid], list[Configured]]:
    """The vhids, and the interfaces without the legacy carp addresses the kernel refuses."""
    builder = VhidBuilder(configured, report)
    vhids = builder.build()
    out: list[Configured] = []
    for c in configured:
        kept = builder.stripped.get(c.name)
        if kept is not None:
            iface = replace(c.interface, addresses=tuple(p.address for p in kept))
            c = replace(c, interface=iface, placed=kept)
        out.append(c)
    return vhids, out
