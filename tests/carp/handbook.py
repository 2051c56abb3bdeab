"""The FreeBSD Handbook's three CARP hosts as model objects, and a builder for variants.

hosta   fxp0 192.168.1.3/24, carp0 vhid 1 pass testpass 192.168.1.50/24
hostb   fxp0 192.168.1.4/24, carp0 vhid 2 pass testpass 192.168.1.51/24
provider fxp0 192.168.1.5/24, carp0 vhid 1 advskew 100 .50/24, carp1 vhid 2 advskew 100 .51/24

All legacy carpN with parent fxp0 on segment 192.168.1.0/24. Built directly (not read from
rc.conf) so the core's tests do not depend on the front end.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from typing import cast

from rcnet.model import Address, CarpState, CarpSysctls, Host, Interface, Vhid, carp_key

SEGMENT = ipaddress.IPv4Network("192.168.1.0/24")


@dataclass(frozen=True)
class VhidSpec:
    interface: str
    vhid: int
    vips: tuple[str, ...]
    advskew: int = 0
    advbase: int = 1
    password: str = "testpass"
    version: int = 2
    vrrp_prio: int = 100
    vrrp_interval: int = 100
    peer: str | None = None
    state: str | None = None


def make_host(
    name: str,
    ip: str,
    specs: list[VhidSpec],
    *,
    parent: str = "fxp0",
    modern: bool = False,
    sysctls: CarpSysctls | None = None,
    extra: tuple[Interface, ...] = (),
) -> Host:
    """A host with `parent` at ip/24 and one vhid per spec (legacy carpN unless `modern`)."""
    phys_addrs = [
        Address("inet", ipaddress.ip_address(ip), SEGMENT.prefixlen),
    ]
    clones: list[Interface] = []
    vhids: list[Vhid] = []
    for s in specs:
        ifaces = tuple(ipaddress.ip_interface(v if "/" in v else f"{v}/24") for v in s.vips)
        addrs = tuple(
            Address(
                "inet" if i.version == 4 else "inet6",
                i.ip,
                i.network.prefixlen,
                vhid=s.vhid,
                alias=modern,
            )
            for i in ifaces
        )
        if modern:
            phys_addrs.extend(addrs)
        else:
            clones.append(Interface(s.interface, cloned=True, kind="carp", addresses=addrs))
        vhids.append(
            Vhid(
                vhid=s.vhid,
                interface=parent if modern else s.interface,
                parent=parent,
                addresses=ifaces,
                advbase=s.advbase,
                advskew=s.advskew,
                key=carp_key(s.password),
                pass_set=bool(s.password),
                legacy=not modern,
                state=cast(CarpState | None, s.state),
                peer=ipaddress.IPv4Address(s.peer) if s.peer else None,
                version=s.version,
                vrrp_prio=s.vrrp_prio,
                vrrp_interval=s.vrrp_interval,
                segment=SEGMENT,
            )
        )
    phys = Interface(parent, addresses=tuple(phys_addrs))
    return Host(
        name=name,
        hostname=name,
        source=f"/fixtures/{name.split('.')[0]}",
        interfaces=(phys, *extra, *clones),
        vhids=tuple(vhids),
        sysctls=sysctls or CarpSysctls(),
    )


def hosta(sysctls: CarpSysctls | None = None) -> Host:
    spec = VhidSpec("carp0", 1, ("192.168.1.50",))
    return make_host("hosta.example.org", "192.168.1.3", [spec], sysctls=sysctls)


def hostb(sysctls: CarpSysctls | None = None) -> Host:
    spec = VhidSpec("carp0", 2, ("192.168.1.51",))
    return make_host("hostb.example.org", "192.168.1.4", [spec], sysctls=sysctls)


def provider(password: str = "testpass", sysctls: CarpSysctls | None = None) -> Host:
    specs = [
        VhidSpec("carp0", 1, ("192.168.1.50",), advskew=100, password=password),
        VhidSpec("carp1", 2, ("192.168.1.51",), advskew=100, password=password),
    ]
    return make_host("provider.example.org", "192.168.1.5", specs, sysctls=sysctls)


def handbook(preempt: int = 0) -> list[Host]:
    sysctls = CarpSysctls(preempt=preempt)
    return [replace(h, sysctls=sysctls) for h in (hosta(), hostb(), provider())]
