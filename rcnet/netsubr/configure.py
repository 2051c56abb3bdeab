"""One interface as network.subr's ifn_start configures it.

Order of calls (what decides address order): `ifconfig_<if>` (or `ifconfig_DEFAULT` when
unset), `ifconfig_<if>_ipv6` (same default), the link/ether aliases, then ipv4_up (lo0's
127.0.0.1/8 when `ifconfig_lo0` is empty, the inet aliases), then ipv6_up (the inet6
aliases, only on an IPv6-enabled interface). rc then runs `ifconfig <if> up` whenever it
applied anything, so a `down` in the value does not stick.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import replace

from rcnet.frozen import record
from rcnet.ifconfig import CallContext, parse_call
from rcnet.ifconfig.call import AddressSpec, Call
from rcnet.ifconfig.words import Pseudo, Word, eval_split, split_fields, strip_pseudo
from rcnet.model import APPLIED_CLONERS, Address, Interface
from rcnet.netsubr.aliases import AliasCalls, alias_calls, ipv6_enabled
from rcnet.netsubr.common import Env, Report
from rcnet.netsubr.interfaces import Planned
from rcnet.rcconf.env import Value

_NO_DHCP = re.compile(r"^(lo|stf|lp|sl)[0-9]")
_LOOPBACK = Address("inet", ipaddress.IPv4Address("127.0.0.1"), 8)


@record
class Placed:
    """An address in the model and the call that put it there."""

    address: Address
    spec: AddressSpec | None
    call: Call | None


@record
class Configured:
    planned: Planned
    interface: Interface
    placed: tuple[Placed, ...]
    #: the primary call (`ifconfig_<if>` or the default), the `_ipv6` call, then aliases
    primary: Call | None
    ipv6: Call | None
    aliases: AliasCalls
    pseudo: tuple[Pseudo, ...]
    #: a value rc would use is unknown to the reader
    unknown: bool = False

    @property
    def calls(self) -> tuple[Call, ...]:
        own = tuple(c for c in (self.primary, self.ipv6) if c is not None)
        return own + self.aliases.link + self.aliases.inet + self.aliases.inet6

    @property
    def name(self) -> str:
        return self.interface.name


def _own_or_default(env: Env, name: str, pattern: str) -> Value | None:
    """get_if_var with $ifconfig_DEFAULT: the default only when the variable is unset."""
    own = env.if_var(name, pattern)
    return own if own is not None else env.value("ifconfig_DEFAULT")


def _ipv6_words(value: Value, report: Report) -> list[Word]:
    words = split_fields(value.text or "", value)
    if words and re.match(r"^(:|[0-9a-fA-F]*:)", value.text or ""):
        report.at_value(
            "AL03",
            "warning",
            f'{value.name} starts with an address but not with `inet6`: rc warns "needs'
            ' leading inet6 keyword" and adds it; write `inet6 ` first',
            value,
        )
        words.insert(0, words[0].derive("inet6"))
    return words


class _Configurer:
    def __init__(self, env: Env, planned: Planned, report: Report) -> None:
        self.env = env
        self.p = planned
        self.report = report
        self.unknown = False
        self.pseudo: list[Pseudo] = []

    def call(self, value: Value | None, ipv6: bool = False) -> Call | None:
        if value is None:
            return None
        if value.text is None:
            self.unknown = True
            return None
        words = _ipv6_words(value, self.report) if ipv6 else split_fields(value.text, value)
        kept, pseudo = strip_pseudo(words)
        if not ipv6:
            self.pseudo += pseudo
        split = eval_split(kept, value.name)
        self.report.extend(split.findings)
        if not split.words:
            return None
        call = parse_call(split.words, CallContext(self.p.name, value.name, self.p.kind))
        self.report.extend(call.findings)
        return call

    def run(self) -> Configured | None:
        env, name = self.env, self.p.name
        primary_value = _own_or_default(env, name, "ifconfig_IF")
        primary = self.call(primary_value)
        ipv6 = self.call(_own_or_default(env, name, "ifconfig_IF_ipv6"), ipv6=True)
        aliases = alias_calls(env, name, self.p.kind, self.report)
        v6_on = ipv6_enabled(env, name)
        if aliases.inet6 and not v6_on:
            self._not_ipv6(aliases.inet6[0])
            aliases = AliasCalls(aliases.link, aliases.inet, ())
        placed = self._addresses(primary, ipv6, aliases)
        applied = bool(primary or ipv6 or placed or self.pseudo or name == "lo0")
        if not applied and not self.p.cloned and not self.unknown:
            return None
        interface = self._interface(primary, ipv6, aliases, placed, applied)
        return Configured(
            self.p, interface, tuple(placed), primary, ipv6, aliases, tuple(self.pseudo),
            self.unknown,
        )  # fmt: skip

    def _not_ipv6(self, call: Call) -> None:
        word = call.words[0]
        self.report.at(
            "AL08",
            "warning",
            f"inet6 alias on {self.p.name}, which is not IPv6-enabled (no"
            f" ifconfig_{self.p.name}_ipv6 or ipv6_prefix_{self.p.name}, or not in"
            " ipv6_network_interfaces): rc's ipv6_up skips it; add"
            f' ifconfig_{self.p.name}_ipv6="inet6 auto_linklocal"',
            word,
        )

    def _addresses(
        self, primary: Call | None, ipv6: Call | None, aliases: AliasCalls
    ) -> list[Placed]:
        placed: list[Placed] = []
        #: address -> its index in placed (a scan per address was quadratic in the aliases)
        index: dict[object, int] = {}
        for call in (primary, ipv6, *aliases.link):
            if call is not None:
                self._place(placed, index, call)
        lo0 = self.env.if_var("lo0", "ifconfig_IF")
        if self.p.name == "lo0" and (lo0 is None or not lo0.text):
            index.setdefault(_LOOPBACK.address, len(placed))
            placed.append(Placed(_LOOPBACK, None, None))
        for call in (*aliases.inet, *aliases.inet6):
            self._place(placed, index, call)
        return placed

    def _place(self, placed: list[Placed], index: dict[object, int], call: Call) -> None:
        vhid = call.carp.vhid if call.carp is not None else None
        for spec in call.addresses:
            if spec.delete:
                continue
            addr = Address(
                spec.family, spec.address, spec.prefixlen, vhid, spec.dest, spec.broadcast,
                call.context.alias,
            )  # fmt: skip
            # an address is hashed once: every index held is below len(placed)
            same = index.setdefault(addr.address, len(placed))
            if same < len(placed):
                # in_aifaddr finds the address already there and updates it: one address,
                # with the later mask (sys/netinet/in.c)
                self._readded(placed[same], addr, spec)
                placed[same] = Placed(addr, spec, call)
                continue
            replaced = not spec.alias and spec.family == "inet"
            first = (
                next((n for n, p in enumerate(placed) if p.address.family == "inet"), None)
                if replaced
                else None
            )
            if first is not None:
                del index[placed[first].address.address]
                index[addr.address] = first
                placed[first] = Placed(addr, spec, call)  # `inet A` replaces the first address
            else:
                placed.append(Placed(addr, spec, call))  # at the index setdefault stored

    def _readded(self, old: Placed, new: Address, spec: AddressSpec) -> None:
        if old.spec is not None and old.spec.word.loc() == spec.word.loc():
            return  # the same words run twice (ifconfig_DEFAULT also stands in for _ipv6)
        was = f"/{old.address.prefixlen}"
        self.report.at(
            "DU01",
            "warning",
            f"{new.address} is added to {self.p.name} again (first with {was}): the kernel"
            f" keeps one address, with the later mask /{new.prefixlen}; remove one",
            spec.word,
        )

    def _interface(
        self,
        primary: Call | None,
        ipv6: Call | None,
        aliases: AliasCalls,
        placed: list[Placed],
        applied: bool,
    ) -> Interface:
        calls = [c for c in (primary, ipv6, *aliases.link, *aliases.inet, *aliases.inet6) if c]
        mtu = next((c.mtu for c in reversed(calls) if c.mtu is not None), None)
        descr_var = self.env.if_var(self.p.name, "ifconfig_IF_descr")
        descr = next((c.description for c in reversed(calls) if c.description), None)
        if descr_var is not None and descr_var.text:
            descr = descr_var.text
        lladdr = next((c.lladdr for c in reversed(calls) if c.lladdr), None)
        members = tuple(m for c in calls for m in c.members)
        addresses = [p.address for p in placed]
        if self.p.kind == "carp":
            vhid = next((c.carp.vhid for c in reversed(calls) if c.carp and c.carp.vhid), None)
            addresses = [_with_vhid(a, vhid) for a in addresses]
        names = {p.name for p in self.pseudo}
        return Interface(
            name=self.p.name,
            cloned=self.p.cloned,
            kind=self.p.kind if self.p.cloned else None,
            up=applied,
            mtu=mtu,
            addresses=tuple(addresses),
            description=descr,
            members=members,
            dhcp=bool(names & {"DHCP", "SYNCDHCP", "NOSYNCDHCP"})
            and not _NO_DHCP.match(self.p.name),
            left_to_system=_left_to_system(self.p, names, calls),
            lladdr=lladdr,
            renamed_from=self.p.renamed_from,
        )


def _with_vhid(addr: Address, vhid: int | None) -> Address:
    return replace(addr, vhid=vhid) if addr.vhid is None else addr


def _left_to_system(p: Planned, pseudo: set[str], calls: list[Call]) -> tuple[str, ...]:
    out: list[str] = []
    if pseudo & {"DHCP", "SYNCDHCP", "NOSYNCDHCP"} and not _NO_DHCP.match(p.name):
        out.append("DHCP")
    out += sorted(pseudo & {"WPA", "HOSTAP"})
    if "VNET" in pseudo:
        out.append("vnet")
    if any(c.has("accept_rtadv") for c in calls if c.settings):  # most aliases have none
        out.append("accept_rtadv")
    if p.cloned and p.kind is not None and p.kind not in APPLIED_CLONERS:
        out.append(p.kind)
    return tuple(out)


def configure(env: Env, planned: Planned, report: Report) -> Configured | None:
    """The interface rc would configure, or None when rc does nothing to it."""
    return _Configurer(env, planned, report).run()
