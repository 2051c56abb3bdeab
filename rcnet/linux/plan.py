"""From a `model.Host` and a `SystemState` to the list of changes `start` applies (pure).

Rules it keeps:
- Add only what is missing; never plan the removal of anything found (an address present with
  another prefix, or a route that exists with another gateway, is kept and noted, as FreeBSD's
  `route add` fails with "File exists" and rc carries on). The one exception is a reload
  (`prune`): an address rcnet added (protocol 114) that the file no longer names goes.
- Touch only interfaces the configuration names (after --map / rcnet_ifmap; lo0 is `lo`).
- CARP: per vhid a macvlan with the virtual MAC, created DOWN with its VIPs (IPv6 ones `nodad`:
  the same VIP sits on every host), and `arp_ignore=1`/`arp_announce=2` on the namespace (`all`)
  and the parent so only the macvlan, up only while MASTER, answers ARP for a VIP.
  No policy route for VIP-sourced traffic: the kernel flushes routes through a macvlan when it
  goes DOWN and refuses to add them while it is DOWN, so it would cost a second netlink call on
  every takeover; FreeBSD >= 10 also sends non-CARP traffic from a VIP with the NIC's MAC.
- Forwarding is only ever turned on (gateway_enable), never off.
- Problems (unknown interface, a kind this kernel lacks, a name clash) are collected and raised
  together as `PlanError`, one line each; nothing is applied then.

Order of the plan: cloned links, per interface (MAC, MTU, addresses, bridge membership, up/down),
ARP sysctls, vhid macvlans and VIPs, forwarding, routes.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Mapping

from rcnet.carp.packet import mac_str, virtual_mac
from rcnet.linux import owned
from rcnet.linux.changes import (
    AddAddress,
    AddRoute,
    Change,
    CreateLink,
    CreateMacvlan,
    DeleteAddress,
    DeleteLink,
    DeleteRoute,
    Note,
    SetLink,
    SetMac,
    SetMaster,
    SetMtu,
    SetSysctl,
)
from rcnet.linux.system import Link, SystemState
from rcnet.model import Address, Host, Interface, IPInterface, Route, Vhid

#: FreeBSD cloner -> the Linux link kind rcnet makes for it
_CLONERS = {"bridge": "bridge", "tap": "tap", "vlan": "vlan", "lagg": "bond"}
#: the kind pyroute2 reports for an existing link of each of those
_REPORTED_KIND = {"bridge": "bridge", "tap": "tun", "vlan": "vlan", "bond": "bond"}
_KERNEL_MODULE = {"vlan": "802.1Q vlan (module 8021q)", "bond": "bonding (module bonding)"}
_VLAN_NAME = re.compile(r"^(?P<parent>.+)\.(?P<tag>\d{1,4})$")
#: minimum values of the ARP sysctls for a VIP answered only by its macvlan
_ARP_SYSCTLS = (("arp_ignore", 1), ("arp_announce", 2))


class PlanError(Exception):
    """The host cannot be applied here; `problems` holds one line per reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _family(name: str) -> int:
    return socket.AF_INET6 if name == "inet6" else socket.AF_INET


class _Planner:
    def __init__(
        self, host: Host, state: SystemState, ifmap: Mapping[str, str], prune: bool = False
    ) -> None:
        self.host = host
        self.prune = prune
        self.state = state
        self.ifmap = ifmap
        self.changes: list[Change] = []
        self.problems: list[str] = []
        #: Linux links this plan creates (they are not in the snapshot yet)
        self.planned: set[str] = set()
        #: interfaces whose configuration is left to the system (their kind is not ours)
        self.skipped: set[str] = set()
        #: interfaces that cannot be created: reported once, not again by whatever uses them
        self.failed: set[str] = set()

    def problem(self, line: str) -> None:
        if line not in self.problems:
            self.problems.append(line)

    def lx(self, name: str) -> str:
        return self.ifmap.get(name, name)

    def exists(self, name: str) -> bool:
        return name in self.planned or self.state.link(name) is not None

    def require(self, fbsd: str) -> Link | None:
        """The existing Linux link of a configured interface; a problem if it is nowhere."""
        name = self.lx(fbsd)
        link = self.state.link(name)
        if link is None and name not in self.planned and fbsd not in self.failed:
            hint = f" (map it with --map {fbsd}=IF)" if name == fbsd else f" (mapped from {fbsd})"
            self.problem(f"{fbsd}: no interface {name} in this namespace{hint}")
        return link

    def run(self) -> list[Change]:
        for iface in self.host.interfaces:
            if iface.cloned or iface.kind is not None:
                self.cloned(iface)
        for iface in self.host.interfaces:
            if iface.kind != "carp" and iface.name not in self.skipped:
                self.interface(iface)
        self.carp()
        self.forwarding()
        for route in self.host.routes:
            self.route(route)
        if self.problems:
            raise PlanError(self.problems)
        return self.changes

    # -- links --------------------------------------------------------------------------------

    def cloned(self, iface: Interface) -> None:
        cloner = iface.kind or re.sub(r"\d+$", "", iface.name)
        if cloner == "carp":
            return
        kind = _CLONERS.get(cloner)
        if kind is None:
            self.skipped.add(iface.name)
            self.changes.append(Note(f"{iface.name}: {cloner} interfaces are left to the system"))
            return
        trouble = self.create(iface, kind)
        if trouble is not None:
            # one line per interface: its addresses and flags are not planned on top
            self.skipped.add(iface.name)
            self.failed.add(iface.name)
            self.problem(f"{iface.name}: {trouble}")

    def create(self, iface: Interface, kind: str) -> str | None:
        """Plan the creation of a cloned link if missing; why it cannot be, if it cannot."""
        name = self.lx(iface.name)
        link = self.state.link(name)
        if link is not None:
            if link.kind != _REPORTED_KIND[kind]:
                return f"{name} exists and is a {link.kind or 'physical interface'}, not a {kind}"
            return None
        if kind in _KERNEL_MODULE and kind not in self.state.kinds:
            return f"this kernel has no {_KERNEL_MODULE[kind]}; rcnet cannot create it"
        change = CreateLink(name, kind)
        if kind == "vlan":
            m = _VLAN_NAME.match(name)
            if m is None:
                return "rcnet creates vlans named PARENT.TAG only (like em0.101)"
            if not self.exists(m.group("parent")):
                return f"no parent interface {m.group('parent')} for the vlan"
            change = CreateLink(name, kind, parent=m.group("parent"), vlan_id=int(m.group("tag")))
        self.changes.append(change)
        self.planned.add(name)
        return None

    def interface(self, iface: Interface) -> None:
        link = self.require(iface.name)
        name = self.lx(iface.name)
        if iface.dhcp:
            self.changes.append(Note(f"{iface.name}: DHCP is left to the system"))
        if iface.left_to_system:
            what = ", ".join(iface.left_to_system)
            self.changes.append(Note(f"{iface.name}: left to the system: {what}"))
        if link is None and name not in self.planned:
            return
        if iface.lladdr and (link is None or (link.mac or "").lower() != iface.lladdr.lower()):
            self.changes.append(SetMac(name, iface.lladdr.lower()))
        if iface.mtu is not None and (link is None or link.mtu != iface.mtu):
            self.changes.append(SetMtu(name, iface.mtu))
        for address in iface.addresses:
            if address.vhid is None:
                self.address(iface.name, name, address)
        self.remove_stale(name, [a.interface for a in iface.addresses if a.vhid is None])
        for member in iface.members:
            self.member(iface, name, member)
        if iface.up and (link is None or not link.up):
            self.changes.append(SetLink(name, True))
        elif not iface.up and link is not None and link.up:
            self.changes.append(SetLink(name, False))

    def member(self, iface: Interface, bridge: str, member: str) -> None:
        if iface.kind not in ("bridge", "lagg"):
            return
        port = self.require(member)
        if port is None and self.lx(member) not in self.planned:
            return
        master = self.state.link(bridge)
        if port is None or master is None or port.master != master.index:
            self.changes.append(SetMaster(self.lx(member), bridge))

    # -- addresses ----------------------------------------------------------------------------

    def has_address(self, fbsd: str, name: str, interface: IPInterface) -> bool:
        """Whether the address is there already; a note when it is there with another prefix."""
        for found in self.state.addrs_of(name):
            if found.interface.ip == interface.ip:
                if found.interface.network.prefixlen != interface.network.prefixlen:
                    self.changes.append(
                        Note(f"{fbsd}: {found.interface} is there already; left as is")
                    )
                return True
        return False

    def remove_stale(self, name: str, wanted: list[IPInterface]) -> None:
        """With `prune` (a reload): the addresses rcnet added to `name` (its protocol mark)
        that the configuration no longer names. Nothing rcnet did not add is ever removed."""
        if not self.prune:
            return
        keep = {w.ip for w in wanted}
        for found in self.state.addrs_of(name):
            if found.proto == owned.RCNET_PROTO and found.interface.ip not in keep:
                self.changes.append(DeleteAddress(name, found.interface))

    def address(self, fbsd: str, name: str, address: Address) -> None:
        interface = address.interface
        if self.has_address(fbsd, name, interface):
            return
        broadcast = address.broadcast
        if (
            broadcast is None
            and isinstance(interface, ipaddress.IPv4Interface)
            and address.dest is None
            and interface.network.prefixlen < 31
        ):
            # FreeBSD sets the broadcast address by itself; Linux only when asked
            broadcast = interface.network.broadcast_address
        self.changes.append(AddAddress(name, interface, peer=address.dest, broadcast=broadcast))

    # -- CARP ---------------------------------------------------------------------------------

    def carp(self) -> None:
        if not self.host.vhids:
            return
        names: dict[str, int] = {}
        parents: list[str] = []
        for vhid in self.host.vhids:
            if vhid.parent is None:
                self.problem(
                    f"{vhid.interface}: vhid {vhid.vhid} has no parent interface"
                    " (no configured address shares a subnet with its addresses)"
                )
                continue
            parent = self.lx(vhid.parent)
            if self.require(vhid.parent) is None and parent not in self.planned:
                continue
            if parent not in parents:
                parents.append(parent)
            name = owned.macvlan_name(
                vhid.vhid, parent, self.lx(vhid.interface) if vhid.legacy else None
            )
            if name in names:
                self.problem(
                    f"{vhid.interface}: vhids {names[name]} and {vhid.vhid} both need link {name}"
                )
                continue
            names[name] = vhid.vhid
            self.vhid_link(vhid, name, parent)
        if any(v.addrs4 for v in self.host.vhids):
            self.arp_sysctls(["all", *parents])
        six = {self.lx(v.parent) for v in self.host.vhids if v.addrs6 and v.parent is not None}
        self.source_sysctls([p for p in parents if p in six])

    def source_sysctls(self, parents: list[str]) -> None:
        """IPv6 source selection from the outgoing interface's own addresses only: a BACKUP
        keeps its IPv6 VIPs on the down macvlan, and RFC 6724's first rule (prefer the address
        that is the destination) would otherwise make it talk to the master's VIP from the
        VIP itself, which the master takes for its own (IPv4's arp_announce has no such rule)."""
        for ifname in parents:
            key = f"net/ipv6/conf/{ifname}/use_oif_addrs_only"
            if self.state.sysctls.get(key) not in (None, "1"):  # absent: no IPv6 there
                self.changes.append(SetSysctl(key, "1"))

    def arp_sysctls(self, where: list[str]) -> None:
        for ifname in where:
            for sysctl, minimum in _ARP_SYSCTLS:
                key = f"net/ipv4/conf/{ifname}/{sysctl}"
                current = self.state.sysctls.get(key)
                if current is None and ifname != "all" and ifname in self.planned:
                    current = "0"
                if current is not None and int(current) < minimum:
                    self.changes.append(SetSysctl(key, str(minimum)))

    def vhid_link(self, vhid: Vhid, name: str, parent: str) -> None:
        mac = mac_str(virtual_mac(vhid.vhid))
        parent_link = self.state.link(parent)
        parent_index = parent_link.index if parent_link is not None else None
        link = self.state.link(name)
        if link is not None:
            ours = owned.is_vhid_macvlan(link.name, link.kind, link.mac, link.alias)
            if not ours or (link.mac or "").lower() != mac or link.parent != parent_index:
                self.problem(
                    f"{vhid.interface}: vhid {vhid.vhid} needs link {name}, which exists and is"
                    " not rcnet's macvlan for it (remove it or map the interface)"
                )
                return
            if link.up:  # a leftover that was MASTER: the engine starts from INIT
                self.changes.append(SetLink(name, False))
        else:
            for other in self.state.links:
                same_parent = parent_index is not None and other.parent == parent_index
                if same_parent and (other.mac or "").lower() == mac:
                    self.problem(
                        f"{vhid.interface}: vhid {vhid.vhid}: {other.name} on {parent}"
                        f" already uses the virtual MAC {mac}"
                    )
                    return
            self.changes.append(CreateMacvlan(name, parent, vhid.vhid))
            self.planned.add(name)
        for vip in vhid.addresses:
            if link is None or not self.has_address(vhid.interface, name, vip):
                self.changes.append(AddAddress(name, vip, nodad=vip.version == 6))
        self.remove_stale(name, list(vhid.addresses))

    # -- forwarding and routes ----------------------------------------------------------------

    def forwarding(self) -> None:
        wanted = []
        if self.host.gateway_enable:
            wanted.append("net/ipv4/ip_forward")
        if self.host.ipv6_gateway_enable:
            wanted.append("net/ipv6/conf/all/forwarding")
        for key in wanted:
            if self.state.sysctls.get(key) != "1":
                self.changes.append(SetSysctl(key, "1"))

    def route(self, route: Route) -> None:
        family = _family(route.family)
        ifname = self.lx(route.interface) if route.interface else None
        gateway = route.gateway
        if ifname is None and isinstance(gateway, ipaddress.IPv6Address) and gateway.scope_id:
            ifname = self.lx(gateway.scope_id)
        if ifname is not None and not self.exists(ifname):
            if route.interface in self.failed:
                return
            self.problem(f"route {route.name}: no interface {ifname} in this namespace")
            return
        if gateway is not None and gateway.version == 6:
            gateway = ipaddress.IPv6Address(str(gateway).split("%", 1)[0])
        target = "default" if route.destination is None else str(route.destination)
        found = [r for r in self.state.main_routes(family) if r.destination == route.destination]
        if not found:
            self.changes.append(AddRoute(family, route.destination, gateway, ifname))
        elif not any(r.gateway == gateway for r in found):
            have = found[0].gateway or "a directly connected interface"
            self.changes.append(
                Note(f"route {route.name}: {target} exists already via {have}; left as is")
            )


#: names every host maps the same way: FreeBSD's loopback is Linux's `lo`
BUILTIN_MAP: dict[str, str] = {"lo0": "lo"}


def plan_host(
    host: Host, state: SystemState, ifmap: Mapping[str, str] | None = None, *, prune: bool = False
) -> list[Change]:
    """The changes that make the namespace of `state` hold `host` (PlanError if it cannot).
    `prune` (a reload) also removes the addresses rcnet added that left the configuration."""
    mapping = dict(BUILTIN_MAP)
    mapping.update(host.ifmap)
    mapping.update(ifmap or {})
    return _Planner(host, state, mapping, prune).run()


def plan_removal(state: SystemState) -> list[Change]:
    """Removal of everything rcnet made (by its marks): for a graceful stop, or the leftovers of
    a run that crashed. Links first (their addresses and routes go with them)."""
    macvlans = [
        lk for lk in state.links if owned.is_vhid_macvlan(lk.name, lk.kind, lk.mac, lk.alias)
    ]
    others = [lk for lk in state.links if owned.is_marked(lk.alias) and lk not in macvlans]
    gone = {lk.index for lk in macvlans + others}
    out: list[Change] = [DeleteLink(lk.name) for lk in macvlans + others]
    for addr in state.addrs:
        link = state.link_at(addr.index)
        if addr.proto == owned.RCNET_PROTO and addr.index not in gone and link is not None:
            out.append(DeleteAddress(link.name, addr.interface))
    for route in state.routes:
        if route.proto == owned.RCNET_PROTO and route.oif not in gone:
            oif = state.link_at(route.oif)
            out.append(
                DeleteRoute(
                    route.family,
                    route.destination,
                    route.gateway,
                    oif.name if oif is not None else None,
                    route.table,
                )
            )
    return out
