"""A snapshot of what a network namespace holds, as plain data the planner compares against.

`read_state(netns)` dumps links, addresses and routes through pyroute2 and reads the few sysctls
the planner needs. Everything else in the adapter works on `SystemState`, so planning is a pure
function that tests can feed by hand.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterable, Mapping
from dataclasses import field
from typing import Any

from rcnet.frozen import record
from rcnet.linux.nsenter import call_in_netns
from rcnet.model import IPAddress, IPInterface, IPNetwork

IFF_UP = 0x1
IFF_LOWER_UP = 0x10000
RT_TABLE_MAIN = 254

#: sysctls (paths under /proc/sys) the planner consults; per-link ones are added per link
GLOBAL_SYSCTLS = (
    "net/ipv4/ip_forward",
    "net/ipv6/conf/all/forwarding",
    "net/ipv4/conf/all/arp_ignore",
    "net/ipv4/conf/all/arp_announce",
)
LINK_SYSCTLS = ("arp_ignore", "arp_announce")
LINK_SYSCTLS6 = ("use_oif_addrs_only",)

#: optional link kinds -> the kernel module that provides them
_KIND_MODULES = {"vlan": "8021q", "bond": "bonding"}


@record
class Link:
    index: int
    name: str
    kind: str | None = None
    mac: str | None = None
    mtu: int = 1500
    up: bool = False
    carrier: bool = False
    master: int | None = None
    #: IFLA_LINK: the lower device of a macvlan/vlan
    parent: int | None = None
    alias: str | None = None


@record
class Addr:
    index: int
    interface: IPInterface
    proto: int = 0
    flags: int = 0
    peer: IPAddress | None = None


@record
class RouteEntry:
    family: int
    destination: IPNetwork | None
    gateway: IPAddress | None = None
    oif: int | None = None
    table: int = RT_TABLE_MAIN
    proto: int = 0


@record
class SystemState:
    links: tuple[Link, ...] = ()
    addrs: tuple[Addr, ...] = ()
    routes: tuple[RouteEntry, ...] = ()
    sysctls: Mapping[str, str] = field(default_factory=dict)
    #: optional kinds ("vlan", "bond") the kernel provides
    kinds: frozenset[str] = frozenset()

    def link(self, name: str) -> Link | None:
        return next((lk for lk in self.links if lk.name == name), None)

    def link_at(self, index: int | None) -> Link | None:
        return next((lk for lk in self.links if lk.index == index), None)

    def addrs_of(self, name: str) -> tuple[Addr, ...]:
        link = self.link(name)
        return tuple(a for a in self.addrs if link is not None and a.index == link.index)

    def main_routes(self, family: int) -> tuple[RouteEntry, ...]:
        return tuple(r for r in self.routes if r.family == family and r.table == RT_TABLE_MAIN)


def kernel_supports(kind: str) -> bool:
    """Whether an optional link kind is available: its module loaded, built in, or installed."""
    module = _KIND_MODULES.get(kind)
    if module is None:
        return True
    if os.path.isdir(f"/sys/module/{module}"):
        return True
    release = os.uname().release
    for listing in ("modules.builtin", "modules.dep"):
        try:
            with open(f"/lib/modules/{release}/{listing}", encoding="utf-8") as f:
                if any(f"/{module}.ko" in line for line in f):
                    return True
        except OSError:
            continue
    return False


def _link(msg: Any) -> Link:
    flags = int(msg["flags"])
    return Link(
        index=int(msg["index"]),
        name=str(msg.get("IFLA_IFNAME")),
        kind=msg.get(("IFLA_LINKINFO", "IFLA_INFO_KIND")),
        mac=msg.get("IFLA_ADDRESS"),
        mtu=int(msg.get("IFLA_MTU") or 0),
        up=bool(flags & IFF_UP),
        carrier=bool(flags & IFF_LOWER_UP),
        master=msg.get("IFLA_MASTER"),
        parent=msg.get("IFLA_LINK"),
        alias=msg.get("IFLA_IFALIAS"),
    )


def _addr(msg: Any) -> Addr:
    local = msg.get("IFA_LOCAL")
    address = msg.get("IFA_ADDRESS")
    peer = None
    if local is not None and address is not None and local != address:
        # IPv4 point-to-point: IFA_LOCAL is ours, IFA_ADDRESS the far end
        peer = ipaddress.ip_address(address)
    mine = local if local is not None else address
    return Addr(
        index=int(msg["index"]),
        interface=ipaddress.ip_interface(f"{mine}/{msg['prefixlen']}"),
        proto=int(msg.get("IFA_PROTO") or 0),
        flags=int(msg.get("IFA_FLAGS") or msg["flags"]),
        peer=peer,
    )


def _route(msg: Any) -> RouteEntry | None:
    if msg.get("RTA_MULTIPATH") is not None:
        return None
    family = int(msg["family"])
    dst = msg.get("RTA_DST")
    destination = None
    if dst is not None:
        destination = ipaddress.ip_network(f"{dst}/{msg['dst_len']}", strict=False)
    elif int(msg["dst_len"]) != 0:
        return None
    gateway = msg.get("RTA_GATEWAY")
    return RouteEntry(
        family=family,
        destination=destination,
        gateway=ipaddress.ip_address(gateway) if gateway else None,
        oif=msg.get("RTA_OIF"),
        table=int(msg.get("RTA_TABLE") or msg["table"]),
        proto=int(msg["proto"]),
    )


def read_sysctls(keys: Iterable[str], netns: str | None = None) -> dict[str, str]:
    """The values of those of `keys` that exist in the namespace (one thread hop for all)."""
    wanted = list(keys)

    def read_all() -> dict[str, str]:
        out: dict[str, str] = {}
        for key in wanted:
            try:
                with open(os.path.join("/proc/sys", key), encoding="ascii") as f:
                    out[key] = f.read().strip()
            except OSError:
                continue
        return out

    return call_in_netns(netns, read_all)


def read_state(ipr: Any, netns: str | None = None) -> SystemState:
    """Snapshot through an open pyroute2 IPRoute of namespace `netns`."""
    links = tuple(_link(m) for m in ipr.link("dump"))
    addrs = tuple(_addr(m) for m in ipr.addr("dump"))
    routes = []
    for family in (socket.AF_INET, socket.AF_INET6):
        for m in ipr.route("dump", family=family):
            entry = _route(m)
            if entry is not None:
                routes.append(entry)
    keys = list(GLOBAL_SYSCTLS)
    keys += [f"net/ipv4/conf/{lk.name}/{k}" for lk in links for k in LINK_SYSCTLS]
    keys += [f"net/ipv6/conf/{lk.name}/{k}" for lk in links for k in LINK_SYSCTLS6]
    kinds = frozenset(k for k in _KIND_MODULES if kernel_supports(k))
    return SystemState(
        links=links,
        addrs=addrs,
        routes=tuple(routes),
        sysctls=read_sysctls(keys, netns),
        kinds=kinds,
    )
