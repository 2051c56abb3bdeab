"""rcnet diff: the running system (kernel and daemon) against what the file says.

Compared: each configured interface's addresses, up/down and mtu (the kernel, through netlink in
the caller's namespace); each vhid's link (its macvlan) and the vhid's addresses on it; the
vhids the daemon runs and their configuration (interface, parent, advbase, advskew, addresses);
the CARP sysctls. A difference is one line, `IF: FILE -> RUNNING`, each side written the way
`ifconfig` (or `sysctl`) shows it, `(none)` for a side that lacks it. IPv6 link-local addresses
and ::1 are the kernel's, not the file's, and are left out.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from rcnet.commands import CommandError, UsageError
from rcnet.commands.control import _add_control, _ask
from rcnet.commands.hostargs import add_hosts_argument
from rcnet.frozen import record

if TYPE_CHECKING:
    from rcnet.linux.system import Link, SystemState
    from rcnet.model import Host

NONE = "(none)"


@record
class Difference:
    interface: str
    what: str
    file: str
    running: str

    def __str__(self) -> str:
        return f"{self.interface}: {self.file} -> {self.running}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_hosts_argument(parser, many=False)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--map", action="append", default=[], metavar="OLD=NEW", help="as for start"
    )
    _add_control(parser)


def _addr_text(address: str, vhid: int | None = None) -> str:
    from rcnet.commands.listing import address_line

    return address_line(address, vhid).strip()


def _compare_sets(
    name: str, what: str, want: Mapping[str, str], have: Mapping[str, str]
) -> list[Difference]:
    """Keyed items on each side (key -> display text): one difference per missing or extra."""
    out = [Difference(name, what, text, NONE) for k, text in want.items() if k not in have]
    out += [Difference(name, what, NONE, text) for k, text in have.items() if k not in want]
    return out


def kernel_differences(
    host: Host, state: SystemState, ifmap: Mapping[str, str]
) -> list[Difference]:
    """Addresses, up and mtu of configured interfaces; each vhid's link and its addresses."""
    from rcnet.linux import owned

    def lx(name: str) -> str:
        return ifmap.get(name, name)

    def kernel_addrs(link: Link) -> dict[str, str]:
        found: dict[str, str] = {}
        for a in state.addrs:
            ip = a.interface.ip
            if a.index == link.index and not (
                ip.version == 6 and (ip.is_link_local or ip.is_loopback)
            ):
                found[str(a.interface)] = _addr_text(str(a.interface))
        return found

    out: list[Difference] = []
    vhid_links: dict[tuple[int, str], str] = {}
    for v in host.vhids:
        if v.parent is not None:
            legacy = lx(v.interface) if v.legacy else None
            vhid_links[v.vhid, v.interface] = owned.macvlan_name(v.vhid, lx(v.parent), legacy)
    for iface in host.interfaces:
        if iface.kind == "carp" or iface.dhcp:
            continue  # a carpN is its vhid's link (below); a DHCP address is the server's
        link = state.link(lx(iface.name))
        if link is None:
            out.append(Difference(iface.name, "interface", "configured", NONE))
            continue
        if iface.up != link.up:
            out.append(Difference(iface.name, "up", _updown(iface.up), _updown(link.up)))
        if iface.mtu is not None and iface.mtu != link.mtu:
            out.append(Difference(iface.name, "mtu", f"mtu {iface.mtu}", f"mtu {link.mtu}"))
        want = {
            str(a.interface): _addr_text(str(a.interface))
            for a in iface.addresses
            if a.vhid is None
        }
        out += _compare_sets(iface.name, "address", want, kernel_addrs(link))
    for v in host.vhids:
        name = vhid_links.get((v.vhid, v.interface))
        if name is None:
            continue
        link = state.link(name)
        if link is None:
            out.append(Difference(v.interface, "vhid link", f"vhid {v.vhid} link {name}", NONE))
            continue
        want = {str(a): _addr_text(str(a), v.vhid) for a in v.addresses}
        have = {k: _addr_text(k, v.vhid) for k in kernel_addrs(link)}
        out += _compare_sets(v.interface, "vhid address", want, have)
    return out


def _updown(up: bool) -> str:
    return "UP" if up else "DOWN"


def _carp(v: Mapping[str, Any]) -> str:
    return f"carp: vhid {v['vhid']} advbase {v['advbase']} advskew {v['advskew']}"


def daemon_differences(
    host: Host, status: Mapping[str, Any], sysctl_lines: Sequence[str]
) -> list[Difference]:
    """The vhids the daemon runs and its sysctls against the model."""
    out: list[Difference] = []
    running = {(int(v["vhid"]), str(v["interface"])): v for v in status.get("vhids", [])}
    model = {(v.vhid, v.interface): v for v in host.vhids}
    for key, v in model.items():
        r = running.get(key)
        want = {"vhid": v.vhid, "advbase": v.advbase, "advskew": v.advskew}
        if r is None:
            out.append(Difference(v.interface, "vhid", _carp(want), NONE))
            continue
        if (r["advbase"], r["advskew"]) != (v.advbase, v.advskew):
            out.append(Difference(v.interface, "vhid", _carp(want), _carp(r)))
        if r.get("parent") != v.parent:
            out.append(
                Difference(
                    v.interface,
                    "parent",
                    f"vhid {v.vhid} parent {v.parent}",
                    f"vhid {v.vhid} parent {r.get('parent')}",
                )
            )
        want_addrs = {
            str(ipaddress.ip_interface(a)): _addr_text(str(a), v.vhid) for a in v.addresses
        }
        have_addrs = {
            str(ipaddress.ip_interface(a)): _addr_text(a, v.vhid) for a in r.get("addresses", [])
        }
        out += _compare_sets(v.interface, "vhid address (daemon)", want_addrs, have_addrs)
    for key, r in running.items():
        if key not in model:
            out.append(Difference(str(r["interface"]), "vhid", NONE, _carp(r)))
    values: dict[str, str] = {}
    for line in sysctl_lines:
        name, _, value = line.partition(": ")
        values[name] = value.strip()
    for short, number in host.sysctls.to_json().items():
        name = f"net.inet.carp.{short}"
        if name in values and values[name] != str(number):
            out.append(Difference(name, "sysctl", str(number), values[name]))
    return out


def run(args: argparse.Namespace) -> int:
    from rcnet.commands.start import parse_map
    from rcnet.hosts import read_host
    from rcnet.linux.netlink import snapshot
    from rcnet.rcconf.env import HostError
    from rcnet.text import escape

    try:
        checked = read_host(args.host)
    except HostError as exc:
        raise UsageError(f"{exc.path}: {exc.reason}") from None
    host = checked.host
    status: dict[str, Any] | None = None
    sysctls: list[str] = []
    try:
        status = _ask(args, {"cmd": "status"})
        sysctls = _ask(args, {"cmd": "sysctl"})["lines"]
    except CommandError as exc:
        if exc.code != 3:
            raise
        print(f"rcnet diff: {exc}; vhids and sysctls not compared", file=sys.stderr)
    from rcnet.linux.plan import BUILTIN_MAP

    running_links = dict((status or {}).get("links", {}))
    ifmap = {**BUILTIN_MAP, **dict(host.ifmap), **running_links, **parse_map(args.map)}
    try:
        state = snapshot()
    except OSError as exc:
        raise CommandError(f"cannot read the kernel's interfaces: {exc}", 1) from None
    found = kernel_differences(host, state, ifmap)
    if status is not None:
        found += daemon_differences(host, status, sysctls)
    if args.json:
        doc = {
            "host": host.name,
            "in_sync": not found,
            "daemon": status is not None,
            "differences": [asdict(d) for d in found],
        }
        json.dump(doc, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        for d in found:
            print(escape(str(d)))  # names from the daemon and the kernel
        if found:
            print(f"{len(found)} difference{'s' * (len(found) != 1)} (file -> running)")
    if found:
        return 1
    return 3 if status is None else 0
