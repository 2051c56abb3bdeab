"""Plan/apply/teardown and the vhid link switch on the Handbook segment (root, namespaces)."""

from __future__ import annotations

import time
from dataclasses import replace
from ipaddress import IPv4Address, IPv4Interface, IPv4Network, IPv6Address, IPv6Network

import pytest
from lab.hosts import handbook_provider, with_routes
from lab.netns import Lab, Segment

from rcnet.linux import netlink, owned, system
from rcnet.linux.changes import CreateMacvlan, DeleteAddress, DeleteLink, Note
from rcnet.linux.rtnl import LinkSwitch
from rcnet.linux.system import SystemState, kernel_supports
from rcnet.model import Interface, Route

pytestmark = pytest.mark.netns


def fingerprint(state: SystemState) -> tuple[object, ...]:
    """What a dry run must leave exactly as it was."""
    links = sorted((lk.name, lk.kind, lk.mac, lk.mtu, lk.up, lk.master) for lk in state.links)
    addrs = sorted((a.index, str(a.interface), a.proto) for a in state.addrs)
    routes = sorted(
        (r.family, str(r.destination), str(r.gateway), r.table, r.proto) for r in state.routes
    )
    return (links, addrs, routes, sorted(state.sysctls.items()))


def addresses(lab: Lab, ns: str, dev: str) -> list[str]:
    out = lab.ip(ns, "-o", "addr", "show", "dev", dev).stdout
    return [line.split()[3] for line in out.splitlines()]


def neighbour(lab: Lab, ns: str, address: str) -> str:
    return lab.ip(ns, "neigh", "show", address, "dev", "fxp0").stdout.strip()


def ping(lab: Lab, ns: str, address: str) -> bool:
    return lab.run(ns, ["ping", "-c1", "-W1", address], check=False).returncode == 0


def test_dry_run_describes_every_change_and_applies_none(handbook_segment: Segment) -> None:
    ns = handbook_segment.lab.name("provider")
    host = with_routes(
        handbook_provider(),
        Route("net10", "inet", IPv4Network("10.0.0.0/8"), IPv4Address("192.168.1.4")),
        gateway=True,
    )
    before = netlink.snapshot(ns)
    changes = netlink.plan(host, netns=ns)
    after = netlink.snapshot(ns)
    assert fingerprint(before) == fingerprint(after)
    text = [c.describe() for c in changes]
    assert all(line and "\n" not in line for line in text)
    assert any(
        line.startswith("ip link add carp0 link fxp0 address 00:00:5e:00:01:01") for line in text
    )
    assert "ip addr add 192.168.1.50/24 dev carp0 proto 114" in text
    assert "ip route add 10.0.0.0/8 via 192.168.1.4 proto 114" in text
    assert "sysctl net.ipv4.ip_forward=1" in text
    # the .5 the lab configured is the user's: not planned again
    assert not any("192.168.1.5/24" in line for line in text)


def test_apply_adds_what_is_missing_and_teardown_keeps_the_users(
    handbook_segment: Segment,
) -> None:
    lab = handbook_segment.lab
    ns = lab.name("provider")
    lab.ip("provider", "addr", "del", "192.168.1.5/24", "dev", "fxp0")
    lab.ip("provider", "addr", "add", "10.9.9.9/24", "dev", "fxp0")
    netlink.apply(netlink.plan(handbook_provider(), netns=ns), netns=ns)
    assert addresses(lab, "provider", "fxp0")[:2] == ["10.9.9.9/24", "192.168.1.5/24"]
    state = netlink.snapshot(ns)
    marks = {str(a.interface): a.proto for a in state.addrs}
    assert marks["192.168.1.5/24"] == owned.RCNET_PROTO
    assert marks["10.9.9.9/24"] == 0
    assert addresses(lab, "provider", "carp0") == ["192.168.1.50/24"]
    assert netlink.plan(handbook_provider(), netns=ns) == []  # applied: nothing left to do
    assert netlink.teardown(ns) == []
    assert addresses(lab, "provider", "fxp0")[:1] == ["10.9.9.9/24"]
    assert "192.168.1.5/24" not in addresses(lab, "provider", "fxp0")
    assert lab.ip("provider", "link", "show", "carp0", check=False).returncode != 0


def test_a_users_address_is_never_removed(handbook_segment: Segment) -> None:
    lab = handbook_segment.lab
    ns = lab.name("provider")
    netlink.apply(netlink.plan(handbook_provider(), netns=ns), netns=ns)
    assert netlink.teardown(ns) == []
    assert "192.168.1.5/24" in addresses(lab, "provider", "fxp0")


def test_vip_answers_with_the_virtual_mac_only_while_up(handbook_segment: Segment) -> None:
    lab = handbook_segment.lab
    ns = lab.name("provider")
    netlink.apply(netlink.plan(handbook_provider(), netns=ns), netns=ns)
    switch = LinkSwitch(netns=ns)
    try:
        # DOWN (BACKUP): nobody answers for the VIP, the parent included (arp_ignore)
        assert not ping(lab, "hostb", "192.168.1.50")
        assert "00:00:5e:00:01:01" not in neighbour(lab, "hostb", "192.168.1.50")
        started = time.monotonic()
        switch.set_up("carp0", True)
        assert time.monotonic() - started < 0.1
        lab.ip("hostb", "neigh", "flush", "dev", "fxp0")
        assert ping(lab, "hostb", "192.168.1.50")
        assert "lladdr 00:00:5e:00:01:01" in neighbour(lab, "hostb", "192.168.1.50")
        # vhid 2 stays DOWN: its VIP is not answered
        assert not ping(lab, "hostb", "192.168.1.51")
        # no link-local on the macvlan (addrgenmode none)
        assert not any(a.startswith("fe80") for a in addresses(lab, "provider", "carp0"))
        switch.set_up("carp0", False)
        lab.ip("hostb", "neigh", "flush", "dev", "fxp0")
        assert not ping(lab, "hostb", "192.168.1.50")
        assert "00:00:5e:00:01:01" not in neighbour(lab, "hostb", "192.168.1.50")
        with pytest.raises(OSError, match="carp7"):
            switch.set_up("carp7", True)
    finally:
        switch.close()


def test_ipv6_vip_survives_down_and_up(handbook_segment: Segment) -> None:
    lab = handbook_segment.lab
    ns = lab.name("provider")
    netlink.apply(netlink.plan(handbook_provider(vip6=True), netns=ns), netns=ns)
    switch = LinkSwitch(netns=ns)
    try:
        for up in (True, False, True):
            switch.set_up("carp1", up)
            assert "fd00::51/64" in addresses(lab, "provider", "carp1")
        assert not any(a.startswith("fe80") for a in addresses(lab, "provider", "carp1"))
    finally:
        switch.close()


def test_leftovers_of_a_crashed_run(handbook_segment: Segment) -> None:
    lab = handbook_segment.lab
    ns = lab.name("provider")
    lab.ip("provider", "addr", "del", "192.168.1.5/24", "dev", "fxp0")
    netlink.apply(netlink.plan(handbook_provider(), netns=ns), netns=ns)
    lab.ip("provider", "link", "set", "carp0", "up")  # it died as MASTER
    # a macvlan with a virtual MAC that rcnet did not make, named otherwise: not touched
    lab.ip(
        "provider",
        "link",
        "add",
        "kv1",
        "link",
        "fxp0",
        "address",
        "00:00:5e:00:01:09",
        "type",
        "macvlan",
        "mode",
        "bridge",
    )
    found = netlink.leftovers(ns)
    assert set(found) == {
        DeleteLink("carp0"),
        DeleteLink("carp1"),
        DeleteAddress("fxp0", IPv4Interface("192.168.1.5/24")),
    }
    # a restart plans the leftover master DOWN again rather than failing
    replan = netlink.plan(handbook_provider(), netns=ns)
    assert [c.describe() for c in replan] == ["ip link set carp0 down"]
    netlink.apply(found, netns=ns)
    assert netlink.leftovers(ns) == []
    assert lab.ip("provider", "link", "show", "kv1", check=False).returncode == 0
    again = netlink.plan(handbook_provider(), netns=ns)
    assert CreateMacvlan("carp0", "fxp0", 1) in again


def test_apply_errors_are_one_line(handbook_segment: Segment) -> None:
    ns = handbook_segment.lab.name("provider")
    host = with_routes(
        handbook_provider(),
        Route("far", "inet", IPv4Network("10.0.0.0/8"), IPv4Address("172.16.0.1")),
    )
    changes = netlink.plan(host, netns=ns)
    with pytest.raises(netlink.ApplyError) as failed:
        netlink.apply(changes, netns=ns)
    message = str(failed.value)
    assert message.startswith("ip route add 10.0.0.0/8 via 172.16.0.1 proto 114: ")
    assert "unreachable" in message.lower()
    assert "\n" not in message
    assert len(failed.value.done) == len(changes) - 1
    assert netlink.teardown(ns) == []


def test_kinds_this_kernel_lacks(
    handbook_segment: Segment, monkeypatch: pytest.MonkeyPatch
) -> None:
    if kernel_supports("vlan"):
        # a kernel without 8021q cannot be had here: the snapshot is told this one has none
        monkeypatch.setattr(system, "kernel_supports", lambda kind: kind != "vlan")
    ns = handbook_segment.lab.name("provider")
    host = replace(
        handbook_provider(),
        interfaces=(*handbook_provider().interfaces, Interface("fxp0.5", cloned=True, kind="vlan")),
    )
    with pytest.raises(netlink.PlanError, match=r"^fxp0\.5: this kernel has no 802\.1Q vlan"):
        netlink.plan(host, netns=ns)


def test_missing_namespace_is_refused_not_created() -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        netlink.snapshot("rcnt0x0000-no-such-namespace")


def test_bridge_and_tap_are_created_and_removed(lab: Lab) -> None:
    ns = lab.add_ns("gw")
    lab.ip("gw", "link", "add", "fxp0", "type", "veth", "peer", "name", "fxp1")
    host = replace(
        handbook_provider(),
        vhids=(),
        interfaces=(
            Interface("bridge0", cloned=True, kind="bridge", members=("fxp1", "tap0")),
            Interface("tap0", cloned=True, kind="tap"),
            Interface("fxp1", mtu=1400),
        ),
    )
    changes = netlink.plan(host, netns=ns)
    assert not any(isinstance(c, Note) for c in changes)
    netlink.apply(changes, netns=ns)
    shown = lab.ip("gw", "-o", "link", "show", "master", "bridge0").stdout
    assert ": tap0:" in shown and ": fxp1@fxp0:" in shown and "mtu 1400" in shown
    assert netlink.teardown(ns) == []
    assert lab.ip("gw", "link", "show", "bridge0", check=False).returncode != 0
    assert lab.ip("gw", "link", "show", "fxp1", check=False).returncode == 0


def test_ipv6_routes_and_forwarding(handbook_segment: Segment) -> None:
    lab = handbook_segment.lab
    ns = lab.name("provider")
    host = replace(
        with_routes(
            handbook_provider(),
            Route("default", "inet6", None, IPv6Address("fe80::1%fxp0")),
            Route("r6", "inet6", IPv6Network("2001:db8:1::/48"), IPv6Address("fe80::4"), "fxp0"),
        ),
        ipv6_gateway_enable=True,
    )
    netlink.apply(netlink.plan(host, netns=ns), netns=ns)
    shown = lab.ip("provider", "-6", "route", "show", "proto", "114").stdout
    assert "default via fe80::1 dev fxp0" in shown
    assert "2001:db8:1::/48 via fe80::4 dev fxp0" in shown
    forwarding = lab.run("provider", ["sysctl", "-n", "net.ipv6.conf.all.forwarding"]).stdout
    assert forwarding.strip() == "1"
    assert netlink.teardown(ns) == []
    assert lab.ip("provider", "-6", "route", "show", "proto", "114").stdout.strip() == ""
