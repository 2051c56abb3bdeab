"""Model objects built by hand for the kernel tests (no rc.conf reader involved)."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface, IPv4Network, IPv6Interface

from rcnet.model import Address, Host, Interface, Route, Vhid, carp_key

SEGMENT = IPv4Network("192.168.1.0/24")


def handbook_provider(address: str = "192.168.1.5", *, vip6: bool = False) -> Host:
    """The Handbook's provider: fxp0 .5/24; legacy carp0 vhid 1 advskew 100 .50/24 and carp1
    vhid 2 .51/24 on parent fxp0 (optionally carp1 also holds fd00::51/64)."""
    key = carp_key("testpass")
    vips2: tuple[IPv4Interface | IPv6Interface, ...] = (IPv4Interface("192.168.1.51/24"),)
    if vip6:
        vips2 += (IPv6Interface("fd00::51/64"),)
    return Host(
        name="provider.example.org",
        hostname="provider.example.org",
        source="(built by hand)",
        interfaces=(
            Interface("fxp0", addresses=(Address("inet", IPv4Address(address), 24),)),
            Interface(
                "carp0",
                cloned=True,
                kind="carp",
                addresses=(Address("inet", IPv4Address("192.168.1.50"), 24, vhid=1),),
            ),
            Interface(
                "carp1",
                cloned=True,
                kind="carp",
                addresses=(Address("inet", IPv4Address("192.168.1.51"), 24, vhid=2),),
            ),
        ),
        vhids=(
            Vhid(
                1,
                "carp0",
                "fxp0",
                (IPv4Interface("192.168.1.50/24"),),
                advskew=100,
                key=key,
                pass_set=True,
                legacy=True,
                segment=SEGMENT,
            ),
            Vhid(2, "carp1", "fxp0", vips2, key=key, pass_set=True, legacy=True, segment=SEGMENT),
        ),
    )


def with_routes(host: Host, *routes: Route, gateway: bool = False) -> Host:
    from dataclasses import replace

    return replace(host, routes=tuple(routes), gateway_enable=gateway)
