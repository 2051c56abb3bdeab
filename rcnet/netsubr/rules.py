"""Findings that look at a configured interface as a whole, or at all of them.

IF10/IF11/IF12/CA08 need more than one call, DU01/DU02/CL01 need every interface, and
LX01 says which settings rcnet leaves to the Linux system (and what to use instead).
"""

from __future__ import annotations

import ipaddress

from rcnet.ifconfig import CallContext, parse_call
from rcnet.ifconfig.words import Word, split_fields
from rcnet.netsubr.common import Env, Report, sanitize
from rcnet.netsubr.configure import Configured
from rcnet.netsubr.interfaces import Names

#: what to use on Linux for each setting rcnet does not apply
_INSTEAD = {
    "DHCP": "run a DHCP client for it (systemd-networkd DHCP=yes, NetworkManager or dhclient)",
    "WPA": "run wpa_supplicant (or iwd / NetworkManager) for it",
    "HOSTAP": "run hostapd for it",
    "accept_rtadv": "let the kernel take router advertisements (net.ipv6.conf.<if>.accept_ra=1,"
    " or systemd-networkd IPv6AcceptRA=yes)",
    "wlan": "create and join the wireless interface with iw and wpa_supplicant (or NetworkManager)",
    "gif": "create the tunnel with `ip tunnel add NAME mode sit|ipip local A remote B`",
    "epair": "create a veth pair (`ip link add A type veth peer name B`)",
    "vnet": "move the interface with `ip link set IF netns NS`",
}


def interface_findings(env: Env, c: Configured, report: Report) -> None:
    primary = c.primary
    own_var = f"ifconfig_{sanitize(c.name)}"
    if primary is not None:
        for spec in primary.addresses:
            if spec.family == "inet6" and primary.context.var == own_var:
                report.at(
                    "IF10",
                    "warning",
                    f"IPv6 address {spec.address} in {own_var}: rc applies it before enabling"
                    f" IPv6 on {c.name} (that happens only for {own_var}_ipv6); move it to"
                    f' {own_var}_ipv6="inet6 {spec.word.text}"',
                    spec.word,
                )
        _dhcp_and_static(c, report)
        if c.planned.kind != "carp" and primary.carp is not None and primary.carp.vhid:
            report.at(
                "CA08",
                "warning",
                f"vhid in {primary.context.var}: the interface's own (primary) address becomes"
                f" a CARP address, shared with the other hosts and gone on BACKUP; keep the"
                f" primary address plain and put the VIP in {own_var}_alias0",
                primary.carp.vhid_word,
            )
    _mtu_ipv6(c, report)
    _left_to_system(env, c, report)


def _dhcp_and_static(c: Configured, report: Report) -> None:
    dhcp = next((p for p in c.pseudo if p.name in ("DHCP", "SYNCDHCP", "NOSYNCDHCP")), None)
    if dhcp is None or c.primary is None:
        return
    for spec in c.primary.addresses:
        if spec.family == "inet":
            report.at(
                "IF12",
                "warning",
                f"{dhcp.word.text} together with the static address {spec.word.text} in"
                f" {c.primary.context.var}: rc sets the address, then dhclient replaces it;"
                " keep one of them",
                spec.word,
            )


def _mtu_ipv6(c: Configured, report: Report) -> None:
    mtu = c.interface.mtu
    has_v6 = any(a.family == "inet6" for a in c.interface.addresses) or c.ipv6 is not None
    if mtu is None or mtu >= 1280 or not has_v6:
        return
    word = next(
        (s.args[0] for call in c.calls for s in call.settings if s.name == "mtu" and s.args),
        None,
    )
    report.at(
        "IF11",
        "warning",
        f"mtu {mtu} on {c.name}, which has IPv6: IPv6 needs at least 1280, so the kernel"
        " disables IPv6 on it; raise the mtu to 1280 or more",
        word,
    )


def _left_to_system(env: Env, c: Configured, report: Report) -> None:
    for item in c.interface.left_to_system:
        word = _where(env, c, item)
        report.at(
            "LX01",
            "info",
            f"{_what(item)} on {c.name}: rcnet leaves this to the Linux system;"
            f" {_INSTEAD.get(item, _cloned_instead(item, c))}",
            word,
        )
    prefix = env.if_var(c.name, "ipv6_prefix_IF")
    if prefix is not None and prefix.text:
        report.at_value(
            "LX01",
            "info",
            f"{prefix.name}: rcnet does not build EUI-64 addresses from a prefix; write the"
            f" address in ifconfig_{sanitize(c.name)}_ipv6 or use SLAAC on Linux",
            prefix,
        )


def _cloned_instead(kind: str, c: Configured) -> str:
    """For a cloned kind start does not create: nothing of the interface is applied."""
    n = len(c.interface.addresses)
    what = f"its {n} address{'es' if n != 1 else ''} and settings" if n else "its settings"
    return f"start applies none of {what}; create and configure {c.name} on Linux yourself"


def _what(item: str) -> str:
    return {
        "accept_rtadv": "IPv6 router advertisements (accept_rtadv)",
        "wlan": "a wlans_ wireless interface",
        "gif": "a gif tunnel",
        "epair": "an epair",
        "vnet": "vnet (moving to a jail)",
    }.get(item, f"a {item} interface" if item.isalpha() and item.islower() else item)


def _where(env: Env, c: Configured, item: str) -> Word | None:
    for p in c.pseudo:
        if p.name == item or (item == "vnet" and p.name == "VNET"):
            return p.word
        if item == "DHCP" and p.name in ("SYNCDHCP", "NOSYNCDHCP"):
            return p.word
    for call in c.calls:
        s = call.setting(item)
        if s is not None:
            return s.word
    if item == "wlan" and c.planned.parent:
        words = env.words(f"wlans_{sanitize(c.planned.parent)}")
        return next((w for w in words if w.text == c.name), None)
    words = env.words("cloned_interfaces")
    name = c.planned.renamed_from or c.name
    base = name[:-1] if item == "epair" else name
    return next((w for w in words if w.text.split(":")[0] == base), None)


def duplicate_findings(configured: list[Configured], report: Report) -> None:
    """DU01 (same address twice) and DU02 (same IPv4 prefix on two interfaces)."""
    seen: dict[object, tuple[str, Word | None]] = {}
    #: (network number, prefix length) -> interface (no ipaddress object per address)
    nets: dict[tuple[int, int], str] = {}
    for c in configured:
        carp_interface = c.planned.kind == "carp"
        for p in c.placed:
            a = p.address
            word = p.spec.word if p.spec is not None else None
            entry = (c.name, word)
            first = seen.setdefault(a.address, entry)  # one hash of the address, not two
            if first is not entry:
                where = f"on {c.name}" if first[0] == c.name else f"on {first[0]} and {c.name}"
                report.at(
                    "DU01",
                    "error",
                    f"{a.address} is configured twice {where}: rc adds it again, and the second"
                    " add fails or replaces the first (on another interface it moves there);"
                    " remove one",
                    word or first[1],
                )
                continue
            carp = a.vhid is not None or carp_interface
            if a.family != "inet" or carp or not isinstance(a.address, ipaddress.IPv4Address):
                continue
            host_bits = 32 - a.prefixlen
            key = (int(a.address) >> host_bits << host_bits, a.prefixlen)
            other = nets.get(key)
            if other is not None and other != c.name:
                report.at(
                    "DU02",
                    "warning",
                    f"{a.network} is on both {other} and {c.name}: the kernel keeps one"
                    f" route to it, so traffic for that subnet leaves by {other} only; use"
                    " one interface per subnet (a bridge, or /32 aliases)",
                    word,
                )
            nets.setdefault(key, c.name)


def cloned_findings(env: Env, names: Names, configured: list[Configured], report: Report) -> None:
    """CL01: a cloned interface nothing configures and nothing refers to."""
    referenced: set[str] = set()
    for c in configured:
        for call in c.calls:
            for s in call.settings:
                if s.name in ("addm", "laggport", "vlandev", "syncdev", "wlandev") and s.arg:
                    referenced.add(s.arg)
    for name in env.names():
        if name.startswith(("create_args_", "gifconfig_")):
            referenced.update(w.text for w in env.words(name))
        if name.startswith("gifconfig_"):
            referenced.add(name[len("gifconfig_") :])
    cloned_words = {n: w for n, w in names.cloned}
    for c in configured:
        old = c.planned.renamed_from or c.name
        if old not in cloned_words or c.calls or c.placed or c.pseudo or c.unknown:
            continue
        if c.name in referenced or (c.planned.renamed_from or "") in referenced:
            continue
        create_args = env.if_var(old, "create_args_IF")
        if create_args is not None and (create_args.text is None or create_args.text.strip()):
            continue  # `ifconfig <name> create <args>` configures it (a tunnel, a vlan ...)
        word = cloned_words.get(old)
        report.at(
            "CL01",
            "warning",
            f"{old} is created by cloned_interfaces but never configured (no"
            f" ifconfig_{sanitize(c.name)}) nor used by another interface (addm, laggport,"
            " vlandev): it stays down; configure it or remove it from cloned_interfaces",
            word,
        )


def create_args_findings(env: Env, names: Names, report: Report) -> None:
    """`create_args_<name>`: ifconfig words given to `ifconfig <name> create` (not eval'ed)."""
    created = [(n, "vlan" if "." in n else n.rstrip("0123456789")) for n, _ in names.cloned]
    created += [(n, "vlan") for n in names.vlans] + [(n, "wlan") for n in names.wlans]
    for name, kind in created:
        value = env.if_var(name, "create_args_IF")
        words = split_fields(value.text or "", value) if value is not None else []
        if words:
            call = parse_call(words, CallContext(name, value.name if value else "", kind))
            report.extend(call.findings)
        named_child = name in names.vlans and "." not in name
        needs_tag = kind == "vlan" and (named_child or name.startswith("vlan"))
        own = env.if_var(name, "ifconfig_IF")
        later = (own.text or "").split() if own is not None else []
        if needs_tag and "vlan" not in [w.text for w in words] + later:
            parent = names.vlans.get(name)
            where = value or env.value(
                f"vlans_{sanitize(parent)}" if parent else "cloned_interfaces"
            )
            report.at_name(
                "CL03",
                "warning",
                f"{name} is a vlan without a tag: FreeBSD needs `vlan <tag>` (and for a cloned"
                f" vlanN also `vlandev <parent>`) in create_args_{name} or ifconfig_{name};"
                " without it the vlan carries no traffic",
                where,
            )
