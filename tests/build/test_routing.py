"""Routes (rc.d/routing), forwarding, hostname, CARP sysctls and variable scopes."""

from __future__ import annotations

import ipaddress

import pytest

from rcnet.build import parse_route
from rcnet.netsubr.routing import RouteError

from .helpers import build, codes, only

UPLINK = 'ifconfig_em0="inet 192.0.2.10/24"\n'


@pytest.mark.parametrize(
    ("args", "family", "dest", "gateway", "interface"),
    [
        ("-net 10.0.0.0/8 192.0.2.1", "inet", "10.0.0.0/8", "192.0.2.1", None),
        ("-net 192.168.2.1/24 192.0.2.1", "inet", "192.168.2.0/24", "192.0.2.1", None),
        ("-net 10.0.0.0 -netmask 255.255.0.0 192.0.2.1", "inet", "10.0.0.0/16", "192.0.2.1", None),
        ("-net 169.254.0.0/16 -interface vtnet0", "inet", "169.254.0.0/16", None, "vtnet0"),
        ("-host 198.51.100.7 192.0.2.1", "inet", "198.51.100.7/32", "192.0.2.1", None),
        ("-inet6 fd00:1::/56 fd00:1::1", "inet6", "fd00:1::/56", "fd00:1::1", None),
        ("default 192.0.2.1 -fib 1", "inet", None, "192.0.2.1", None),
    ],
)  # fmt: skip
def test_parse_route(
    args: str, family: str, dest: str | None, gateway: str | None, interface: str | None
) -> None:
    route = parse_route("r", args.split(), "inet")
    assert route.family == family
    assert (str(route.destination) if route.destination else None) == dest
    assert (str(route.gateway) if route.gateway else None) == gateway
    assert route.interface == interface


def test_ipv6_route_with_prefixlen() -> None:
    route = parse_route("r", ["2001:2::", "-prefixlen", "49", "2001:2::201"], "inet6")
    assert route.destination == ipaddress.ip_network("2001:2::/49")


@pytest.mark.parametrize("args", ["-net", "-net 10.0.0.0/8", "-net x.y 192.0.2.1", "-net 10/8 gw"])
def test_unusable_routes(args: str) -> None:
    with pytest.raises(RouteError):
        parse_route("r", args.split(), "inet")


def test_route_order_static_then_default() -> None:
    host, findings = build(
        UPLINK + 'defaultrouter="192.0.2.1"\nstatic_routes="b a:em0"\n'
        'route_a="-net 10.1.0.0/16 192.0.2.3"\nroute_b="-net 10.2.0.0/16 192.0.2.2"\n'
        'ifconfig_em0_ipv6="inet6 2001:db8::10/64"\nipv6_defaultrouter="2001:db8::1"\n'
    )
    assert [(r.name, r.family) for r in host.routes] == [
        ("b", "inet"),
        ("a", "inet"),
        ("default", "inet"),
        ("default", "inet6"),
    ]
    assert findings == []


def test_rt01_missing_route_variable() -> None:
    _, findings = build(UPLINK + 'static_routes="a"\n')
    (rt01,) = findings
    assert rt01.code == "RT01" and rt01.loc is not None and rt01.loc.column == 16


def test_rt02_quiet_with_dhcp_or_a_covering_route() -> None:
    _, loud = build(UPLINK + 'defaultrouter="198.51.100.1"\n')
    assert codes(loud) == ["RT02"]
    _, dhcp = build(UPLINK + 'ifconfig_em1="DHCP"\ndefaultrouter="198.51.100.1"\n')
    assert "RT02" not in codes(dhcp)
    _, routed = build(
        UPLINK + 'defaultrouter="198.51.100.1"\nstatic_routes="gw"\n'
        'route_gw="-host 198.51.100.1 -interface em0"\n'
    )
    assert "RT02" not in codes(routed)
    _, scoped = build(UPLINK + 'ipv6_defaultrouter="fe80::1%em0"\n')
    assert scoped == []


def test_defaultrouter_no_and_empty() -> None:
    for value in ("NO", "no", ""):
        host, findings = build(UPLINK + f'defaultrouter="{value}"\n')
        assert host.routes == () and findings == []


def test_rt03_unusable_route() -> None:
    _, findings = build(UPLINK + 'static_routes="x"\nroute_x="-net 5.xxx.xx.254/32 5.196.1.1"\n')
    assert codes(findings) == ["RT03"]


def test_forwarding_and_booleans() -> None:
    host, findings = build('gateway_enable="yes"\nipv6_gateway_enable="On"\n')
    assert host.gateway_enable and host.ipv6_gateway_enable and findings == []
    host, findings = build('gateway_enable="sure"\n')
    assert not host.gateway_enable and codes(findings) == ["GN01"]


def test_rt04_routing_variable_in_the_netif_file() -> None:
    host, findings = build(
        UPLINK,
        scopes={"netif": 'defaultrouter="192.0.2.1"\n', "routing": 'gateway_enable="YES"\n'},
    )
    assert host.routes == ()  # rc.d/routing never saw it
    assert host.gateway_enable
    (rt04,) = only(findings, "RT04")
    assert rt04.loc is not None and rt04.loc.file == "rc.conf.d/netif"
    assert "rc.conf.d/routing" in rt04.message


def test_rt04_quiet_when_the_consumer_reads_it() -> None:
    host, findings = build(UPLINK, scopes={"routing": 'defaultrouter="192.0.2.1"\n'})
    assert len(host.routes) == 1 and findings == []
    _, findings = build(UPLINK, scopes={"netif": 'ifconfig_em1="up"\n'})
    assert findings == []


def test_hostname_scope_and_name() -> None:
    host, findings = build(UPLINK, path="dir/web.conf", scopes={"hostname": 'hostname="h1"\n'})
    assert host.name == "h1" and findings == []
    host, _ = build(UPLINK + 'hostname=""\n', path="dir/web.conf")
    assert host.name == "web" and host.hostname is None


@pytest.mark.parametrize(
    "name", ["bad host", "a" * 64 + ".example", "x." * 127 + "xy", "a..b", "under$core"]
)
def test_gn04(name: str) -> None:
    _, findings = build(f'hostname="{name}"\n')
    assert codes(findings) == ["GN04"]


def test_carp_sysctls() -> None:
    host, findings = build(
        UPLINK,
        sysctls={"net.inet.carp.preempt": "1", "net.inet.carp.demotion": "-20",
                 "net.inet.carp.log": "lots"},
    )  # fmt: skip
    assert host.sysctls.preempt == 1 and host.sysctls.demotion == -20
    assert host.sysctls.log == 1  # the default stays
    assert codes(findings) == ["SY01"]


def test_rcnet_variables() -> None:
    host, findings = build(
        UPLINK + 'rcnet_ifmap="em0:eth0 fxp0:ens3"\nrcnet_notify="/usr/local/bin/hook"\n'
    )
    assert host.ifmap == (("em0", "eth0"), ("fxp0", "ens3"))
    assert host.notify == "/usr/local/bin/hook"
    assert findings == []
