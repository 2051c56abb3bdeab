"""The planner against hand-made system snapshots (no kernel, no root)."""

from __future__ import annotations

import socket
from dataclasses import replace
from ipaddress import IPv4Address, IPv4Interface, IPv4Network, IPv6Address, IPv6Interface

import pytest
from lab.hosts import handbook_provider, with_routes

from rcnet.linux import owned
from rcnet.linux.changes import (
    AddAddress,
    AddRoute,
    CreateLink,
    CreateMacvlan,
    DeleteAddress,
    DeleteLink,
    DeleteRoute,
    Note,
    SetLink,
    SetMaster,
    SetMtu,
    SetSysctl,
)
from rcnet.linux.plan import PlanError, plan_host, plan_removal
from rcnet.linux.system import Addr, Link, RouteEntry, SystemState
from rcnet.model import Address, Host, Interface, Route, Vhid

FXP0 = Link(2, "fxp0", kind="veth", mac="8a:00:00:00:00:05", up=True, carrier=True)
SYSCTLS = {
    "net/ipv4/ip_forward": "0",
    "net/ipv4/conf/all/arp_ignore": "0",
    "net/ipv4/conf/all/arp_announce": "0",
    "net/ipv4/conf/fxp0/arp_ignore": "0",
    "net/ipv4/conf/fxp0/arp_announce": "0",
}


def state(
    *links: Link, addrs: tuple[Addr, ...] = (), routes: tuple[RouteEntry, ...] = ()
) -> SystemState:
    return SystemState(links=(FXP0, *links), addrs=addrs, routes=routes, sysctls=SYSCTLS)


def test_handbook_provider_on_a_bare_nic() -> None:
    changes = plan_host(handbook_provider(), state())
    assert changes == [
        AddAddress("fxp0", IPv4Interface("192.168.1.5/24"), broadcast=IPv4Address("192.168.1.255")),
        CreateMacvlan("carp0", "fxp0", 1),
        AddAddress("carp0", IPv4Interface("192.168.1.50/24")),
        CreateMacvlan("carp1", "fxp0", 2),
        AddAddress("carp1", IPv4Interface("192.168.1.51/24")),
        SetSysctl("net/ipv4/conf/all/arp_ignore", "1"),
        SetSysctl("net/ipv4/conf/all/arp_announce", "2"),
        SetSysctl("net/ipv4/conf/fxp0/arp_ignore", "1"),
        SetSysctl("net/ipv4/conf/fxp0/arp_announce", "2"),
    ]
    text = [c.describe() for c in changes]
    assert text[0] == "ip addr add 192.168.1.5/24 broadcast 192.168.1.255 dev fxp0 proto 114"
    assert text[1].startswith(
        "ip link add carp0 link fxp0 address 00:00:5e:00:01:01 type macvlan mode bridge"
    )
    assert "addrgenmode none" in text[1]
    assert text[5] == "sysctl net.ipv4.conf.all.arp_ignore=1"


def test_nothing_twice_and_nothing_removed() -> None:
    """Present addresses are not added again; an address with another prefix is kept, noted."""
    carp0 = Link(
        7, "carp0", kind="macvlan", mac="00:00:5e:00:01:01", parent=2, alias="rcnet vhid 1 on fxp0"
    )
    have = state(
        carp0,
        addrs=(
            Addr(2, IPv4Interface("192.168.1.5/16")),
            Addr(2, IPv4Interface("10.9.9.9/24")),
            Addr(7, IPv4Interface("192.168.1.50/24"), proto=owned.RCNET_PROTO),
        ),
    )
    changes = plan_host(handbook_provider(), have)
    assert not any(isinstance(c, CreateMacvlan) and c.ifname == "carp0" for c in changes)
    assert Note("fxp0: 192.168.1.5/16 is there already; left as is") in changes
    assert not any(isinstance(c, AddAddress) and c.ifname in ("fxp0", "carp0") for c in changes)
    assert CreateMacvlan("carp1", "fxp0", 2) in changes


def test_a_reload_prunes_only_rcnets_addresses_that_left_the_file() -> None:
    carp0 = Link(
        7, "carp0", kind="macvlan", mac="00:00:5e:00:01:01", parent=2, alias="rcnet vhid 1 on fxp0"
    )
    have = state(
        carp0,
        addrs=(
            Addr(2, IPv4Interface("192.168.1.5/24"), proto=owned.RCNET_PROTO),
            Addr(2, IPv4Interface("10.9.9.9/24")),  # the user's own: never removed
            Addr(2, IPv4Interface("10.7.7.7/24"), proto=owned.RCNET_PROTO),  # left the file
            Addr(7, IPv4Interface("192.168.1.50/24"), proto=owned.RCNET_PROTO),
            Addr(7, IPv6Interface("2001:db8::50/64"), proto=owned.RCNET_PROTO),  # left the file
        ),
    )
    pruned = plan_host(handbook_provider(), have, prune=True)
    removed = [c for c in pruned if isinstance(c, DeleteAddress)]
    assert removed == [
        DeleteAddress("fxp0", IPv4Interface("10.7.7.7/24")),
        DeleteAddress("carp0", IPv6Interface("2001:db8::50/64")),
    ]
    # start plans (no prune) never remove anything
    assert not any(isinstance(c, DeleteAddress) for c in plan_host(handbook_provider(), have))


def test_leftover_master_macvlan_is_brought_down() -> None:
    carp0 = Link(
        7, "carp0", kind="macvlan", mac="00:00:5e:00:01:01", parent=2, up=True, alias="rcnet x"
    )
    assert SetLink("carp0", False) in plan_host(handbook_provider(), state(carp0))


def test_a_foreign_link_with_the_name_is_refused() -> None:
    carp0 = Link(7, "carp0", kind="bridge", mac="02:00:00:00:00:01")
    with pytest.raises(PlanError, match="carp0, which exists and is not rcnet's"):
        plan_host(handbook_provider(), state(carp0))


def test_a_foreign_link_with_the_virtual_mac_is_refused() -> None:
    vmac = Link(8, "keepalived1", kind="macvlan", mac="00:00:5e:00:01:02", parent=2)
    with pytest.raises(PlanError, match="keepalived1 on fxp0 already uses the virtual MAC"):
        plan_host(handbook_provider(), state(vmac))


def test_ifmap_and_missing_interfaces() -> None:
    eth0 = replace(FXP0, name="eth0")
    mapped = SystemState(links=(eth0,), sysctls={})
    changes = plan_host(handbook_provider(), mapped, {"fxp0": "eth0"})
    assert CreateMacvlan("carp0", "eth0", 1) in changes
    assert (
        AddAddress("eth0", IPv4Interface("192.168.1.5/24"), broadcast=IPv4Address("192.168.1.255"))
        in changes
    )
    with pytest.raises(PlanError) as failed:
        plan_host(handbook_provider(), mapped)
    assert failed.value.problems == [
        "fxp0: no interface fxp0 in this namespace (map it with --map fxp0=IF)"
    ]
    host_map = replace(handbook_provider(), ifmap=(("fxp0", "eth0"),))
    assert CreateMacvlan("carp1", "eth0", 2) in plan_host(host_map, mapped)


def test_modern_vhid_names_and_ipv6_vips() -> None:
    vhid = Vhid(
        3,
        "fxp0",
        "fxp0",
        (IPv4Interface("192.168.1.52/32"), IPv6Interface("fd00::52/64")),
        segment=IPv4Network("192.168.1.0/24"),
    )
    host = replace(handbook_provider(), vhids=(vhid,))
    changes = plan_host(host, state())
    assert CreateMacvlan("vh3-fxp0", "fxp0", 3) in changes
    assert AddAddress("vh3-fxp0", IPv6Interface("fd00::52/64"), nodad=True) in changes
    assert owned.macvlan_name(255, "enp0s31f6") == "vh255-enp0s31f6"
    long = owned.macvlan_name(255, "enx00e04c680123")
    assert len(long) == 15 and long.startswith("vh255-enx00e0")
    assert long != owned.macvlan_name(255, "enx00e04c680456")


def test_vhid_without_parent() -> None:
    orphan = Vhid(9, "carp9", None, (IPv4Interface("10.0.0.9/24"),), legacy=True)
    host = replace(handbook_provider(), vhids=(orphan,))
    with pytest.raises(PlanError, match="carp9: vhid 9 has no parent interface"):
        plan_host(host, state())


def test_kinds_the_kernel_lacks_are_one_line_each() -> None:
    host = replace(
        handbook_provider(),
        interfaces=(
            *handbook_provider().interfaces,
            Interface("fxp0.101", cloned=True, kind="vlan"),
            Interface("lagg0", cloned=True, kind="lagg", members=("fxp0",)),
        ),
    )
    with pytest.raises(PlanError) as failed:
        plan_host(host, state())
    assert failed.value.problems == [
        "fxp0.101: this kernel has no 802.1Q vlan (module 8021q); rcnet cannot create it",
        "lagg0: this kernel has no bonding (module bonding); rcnet cannot create it",
    ]
    with_vlan = replace(state(), kinds=frozenset({"vlan"}))
    changes = plan_host(replace(host, interfaces=host.interfaces[:-1]), with_vlan)
    assert CreateLink("fxp0.101", "vlan", parent="fxp0", vlan_id=101) in changes


def test_bridges_taps_mtu_and_left_to_the_system() -> None:
    host = Host(
        name="gw",
        hostname="gw",
        source="(test)",
        interfaces=(
            Interface("fxp0", mtu=9000),
            Interface("bridge0", cloned=True, kind="bridge", members=("fxp0", "tap0")),
            Interface("tap0", cloned=True, kind="tap"),
            Interface("gif0", cloned=True, kind="gif"),
            Interface("em1", dhcp=True),
        ),
    )
    em1 = Link(3, "em1", kind=None, up=False)
    changes = plan_host(host, state(em1))
    assert changes == [
        CreateLink("bridge0", "bridge"),
        CreateLink("tap0", "tap"),
        Note("gif0: gif interfaces are left to the system"),
        SetMtu("fxp0", 9000),
        SetMaster("fxp0", "bridge0"),
        SetMaster("tap0", "bridge0"),
        SetLink("bridge0", True),
        SetLink("tap0", True),
        Note("em1: DHCP is left to the system"),
        SetLink("em1", True),
    ]
    assert changes[1].describe() == "ip tuntap add tap0 mode tap"


def test_routes_and_forwarding() -> None:
    host = with_routes(
        handbook_provider(),
        Route("default", "inet", None, IPv4Address("192.168.1.1")),
        Route("net10", "inet", IPv4Network("10.0.0.0/8"), IPv4Address("192.168.1.4")),
        Route("lan6", "inet6", None, IPv6Address("fe80::1%fxp0")),
        gateway=True,
    )
    existing = RouteEntry(socket.AF_INET, IPv4Network("10.0.0.0/8"), IPv4Address("192.168.1.9"))
    changes = plan_host(host, state(routes=(existing,)))
    assert AddRoute(socket.AF_INET, None, IPv4Address("192.168.1.1")) in changes
    assert AddRoute(socket.AF_INET6, None, IPv6Address("fe80::1"), "fxp0") in changes
    assert Note("route net10: 10.0.0.0/8 exists already via 192.168.1.9; left as is") in changes
    assert SetSysctl("net/ipv4/ip_forward", "1") in changes
    six = next(c for c in changes if isinstance(c, AddRoute) and c.family == socket.AF_INET6)
    assert six.describe() == "ip -6 route add default via fe80::1 dev fxp0 proto 114"


def test_removal_takes_only_what_is_marked() -> None:
    links = (
        Link(7, "carp0", kind="macvlan", mac="00:00:5e:00:01:01", parent=2),
        Link(8, "vh3-fxp0", kind="macvlan", mac="00:00:5e:00:01:03", parent=2, alias="rcnet v"),
        Link(9, "bridge0", kind="bridge", alias="rcnet bridge bridge0"),
        Link(10, "mv0", kind="macvlan", mac="02:11:22:33:44:55", parent=2),
        Link(11, "br1", kind="bridge", alias="uplink"),
    )
    addrs = (
        Addr(2, IPv4Interface("192.168.1.5/24"), proto=owned.RCNET_PROTO),
        Addr(2, IPv4Interface("10.9.9.9/24")),
        Addr(7, IPv4Interface("192.168.1.50/24"), proto=owned.RCNET_PROTO),
    )
    routes = (
        RouteEntry(socket.AF_INET, None, IPv4Address("192.168.1.1"), oif=2, proto=114),
        RouteEntry(socket.AF_INET, IPv4Network("10.0.0.0/8"), IPv4Address("192.168.1.4"), oif=2),
        RouteEntry(socket.AF_INET, IPv4Network("192.168.1.0/24"), oif=7, proto=114),
    )
    removal = plan_removal(SystemState(links=(FXP0, *links), addrs=addrs, routes=routes))
    assert removal == [
        DeleteLink("carp0"),
        DeleteLink("vh3-fxp0"),
        DeleteLink("bridge0"),
        DeleteAddress("fxp0", IPv4Interface("192.168.1.5/24")),
        DeleteRoute(socket.AF_INET, None, IPv4Address("192.168.1.1"), "fxp0"),
    ]


def test_addresses_with_peer_and_explicit_broadcast() -> None:
    host = Host(
        name="p2p",
        hostname=None,
        source="(test)",
        interfaces=(
            Interface(
                "fxp0",
                addresses=(
                    Address("inet", IPv4Address("10.0.0.1"), 32, dest=IPv4Address("10.0.0.2")),
                    Address(
                        "inet", IPv4Address("10.1.0.1"), 24, broadcast=IPv4Address("10.1.0.127")
                    ),
                ),
            ),
        ),
    )
    changes = plan_host(host, state())
    assert changes[0].describe() == "ip addr add 10.0.0.1/32 peer 10.0.0.2 dev fxp0 proto 114"
    assert changes[1] == AddAddress(
        "fxp0", IPv4Interface("10.1.0.1/24"), broadcast=IPv4Address("10.1.0.127")
    )


def test_lo0_is_linux_lo() -> None:
    host = Host(
        name="h",
        hostname=None,
        source="(test)",
        interfaces=(Interface("lo0", addresses=(Address("inet", IPv4Address("127.0.0.1"), 8),)),),
    )
    lo = Link(1, "lo", up=True)
    have = SystemState(links=(lo,), addrs=(Addr(1, IPv4Interface("127.0.0.1/8")),))
    assert plan_host(host, have) == []


def test_ipv6_vips_make_the_parent_choose_its_own_sources() -> None:
    """A BACKUP keeps its IPv6 VIP on the down macvlan: without use_oif_addrs_only on the
    parent, RFC 6724's rule 1 sourced its connections to the master's VIP from the VIP."""
    sysctls = {**SYSCTLS, "net/ipv6/conf/fxp0/use_oif_addrs_only": "0"}
    have = SystemState(links=(FXP0,), sysctls=sysctls)
    changes = plan_host(handbook_provider(vip6=True), have)
    assert SetSysctl("net/ipv6/conf/fxp0/use_oif_addrs_only", "1") in changes
    assert not any(
        isinstance(c, SetSysctl) and "use_oif" in c.key
        for c in plan_host(handbook_provider(), have)
    )
