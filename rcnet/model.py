"""The host model: what an rc.conf means, as frozen typed data.

This is the contract between the two halves of rcnet. The front end
(`rcnet.rcconf`, `rcnet.build`, `rcnet.lint`) produces it; the protocol core
(`rcnet.carp`), the simulator and the Linux adapter consume it. It imports
nothing from either side.

Interface names are FreeBSD names as written in the configuration (after
`ifconfig_<if>_name` renames); mapping onto Linux names happens only in the
Linux adapter.
"""

from __future__ import annotations

import ipaddress
from dataclasses import field, fields
from typing import Any, Literal

from rcnet.frozen import cached, record

Family = Literal["inet", "inet6"]
CarpState = Literal["init", "backup", "master"]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface

#: cloners whose interfaces `start` creates on Linux (the Linux adapter's table must match:
#: tests/build/test_corpus_model.py); the addresses of other cloned kinds are left to the system
APPLIED_CLONERS = frozenset({"bridge", "tap", "vlan", "lagg", "carp"})

#: carp(4): only the first 19 bytes of a passphrase are used (strlcpy into 20).
CARP_KEY_LEN = 20
CARP_PASS_MAX = CARP_KEY_LEN - 1


def carp_key(passphrase: str | bytes) -> bytes:
    """The 20-byte CARP key for a passphrase, exactly as ifconfig builds it."""
    raw = passphrase.encode() if isinstance(passphrase, str) else passphrase
    raw = raw.split(b"\0", 1)[0][:CARP_PASS_MAX]
    return raw.ljust(CARP_KEY_LEN, b"\0")


@record
class Address:
    """One address as rc applies it to an interface."""

    family: Family
    address: IPAddress
    prefixlen: int
    vhid: int | None = None
    #: point-to-point destination (`inet A B`), if any
    dest: IPAddress | None = None
    broadcast: ipaddress.IPv4Address | None = None
    #: True when it came from an alias variable rather than the primary value
    alias: bool = False

    @cached
    def interface(self) -> IPInterface:
        if isinstance(self.address, ipaddress.IPv4Address):  # no text round trip (DU02 per address)
            return ipaddress.IPv4Interface((int(self.address), self.prefixlen))
        return ipaddress.ip_interface(f"{self.address}/{self.prefixlen}")

    @cached
    def network(self) -> IPNetwork:
        return self.interface.network

    def to_json(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "address": str(self.address),
            "prefixlen": self.prefixlen,
            "vhid": self.vhid,
        }


@record
class Interface:
    """An interface rc configures, named as in the configuration."""

    name: str
    cloned: bool = False
    #: cloner of a cloned interface ("carp", "bridge", "tap", "lo", ...), else None
    kind: str | None = None
    up: bool = True
    mtu: int | None = None
    addresses: tuple[Address, ...] = ()
    description: str | None = None
    #: bridge members (`addm`), lagg ports (`laggport`)
    members: tuple[str, ...] = ()
    dhcp: bool = False
    #: settings rcnet leaves to the Linux system (WPA, accept_rtadv, ...), for logging
    left_to_system: tuple[str, ...] = ()
    #: link-layer address set with `ether`/`lladdr`/`link`
    lladdr: str | None = None
    #: the name this interface had before `ifconfig_<old>_name` renamed it
    renamed_from: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "cloned": self.cloned,
            "kind": self.kind,
            "up": self.up,
            "mtu": self.mtu,
            "description": self.description,
            "members": list(self.members),
            "dhcp": self.dhcp,
            "addresses": [a.to_json() for a in self.addresses],
        }


@record
class Vhid:
    """One CARP virtual host (legacy carpN or modern vhid-on-alias)."""

    vhid: int
    #: carpN for the legacy syntax, the physical interface for the modern one
    interface: str
    #: the physical interface the vhid runs on; None when no subnet holds it
    parent: str | None
    addresses: tuple[IPInterface, ...]
    advbase: int = 1
    advskew: int = 0
    #: the 20-byte key (see carp_key); never printed
    key: bytes = field(default=bytes(CARP_KEY_LEN), repr=False)
    pass_set: bool = False
    legacy: bool = False
    #: initial state forced with `state`, if any
    state: CarpState | None = None
    #: unicast peers (FreeBSD 14 `peer`/`peer6`); None = multicast
    peer: ipaddress.IPv4Address | None = None
    peer6: ipaddress.IPv6Address | None = None
    #: 2 = CARP, 3 = VRRPv3 (`carpver 3`)
    version: int = 2
    vrrp_prio: int = 100
    #: VRRPv3 advertisement interval in centiseconds
    vrrp_interval: int = 100
    #: the IPv4 network that identifies the segment across hosts
    segment: ipaddress.IPv4Network | None = None

    @property
    def key_id(self) -> str:
        """Where this vhid lives across hosts: `<vhid>@<segment>`."""
        return f"{self.vhid}@{self.segment}" if self.segment else f"{self.vhid}@?"

    @property
    def addrs4(self) -> tuple[ipaddress.IPv4Address, ...]:
        return tuple(a.ip for a in self.addresses if isinstance(a, ipaddress.IPv4Interface))

    @property
    def addrs6(self) -> tuple[ipaddress.IPv6Address, ...]:
        return tuple(a.ip for a in self.addresses if isinstance(a, ipaddress.IPv6Interface))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "vhid": self.vhid,
            "interface": self.interface,
            "parent": self.parent,
            "advbase": self.advbase,
            "advskew": self.advskew,
            "addresses": [str(a) for a in self.addresses],
            "pass_set": self.pass_set,
            "legacy": self.legacy,
            "state": self.state,
            "peer": str(self.peer) if self.peer else None,
            "peer6": str(self.peer6) if self.peer6 else None,
            "version": self.version,
            "segment": str(self.segment) if self.segment else None,
        }
        if self.version == 3:
            out["vrrpprio"] = self.vrrp_prio
            out["vrrpinterval"] = self.vrrp_interval
        return out


@record
class Route:
    """A route rc's routing script would add."""

    #: static_routes entry name, or "default"
    name: str
    family: Family
    #: destination network, or None for the default route
    destination: IPNetwork | None
    gateway: IPAddress | None = None
    #: `-interface IF` / `%if` routes
    interface: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "family": self.family,
            "destination": str(self.destination) if self.destination else "default",
            "gateway": str(self.gateway) if self.gateway else None,
            "interface": self.interface,
        }


@record
class CarpSysctls:
    """net.inet.carp.* with FreeBSD's defaults: the one list of them (sysctl.conf's reader,
    the engine, `rcnet sysctl` and the daemon's answers all take their names from here)."""

    allow: int = 1
    preempt: int = 0
    log: int = 1
    demotion: int = 0
    ifdown_demotion_factor: int = 240
    senderr_demotion_factor: int = 240
    #: DSCP of adverts (FreeBSD 14: CS7, TOS 0xE0)
    dscp: int = 56

    def to_json(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in CARP_SYSCTLS}


#: the short names under net.inet.carp., in CarpSysctls' order
CARP_SYSCTLS: tuple[str, ...] = tuple(f.name for f in fields(CarpSysctls))


@record
class Host:
    """Everything `rcnet start` would apply for one host."""

    #: hostname when known and non-empty, else derived from the path
    name: str
    hostname: str | None
    #: the HOST argument as given (file or etc directory)
    source: str
    interfaces: tuple[Interface, ...] = ()
    vhids: tuple[Vhid, ...] = ()
    routes: tuple[Route, ...] = ()
    gateway_enable: bool = False
    ipv6_gateway_enable: bool = False
    sysctls: CarpSysctls = CarpSysctls()
    #: FreeBSD name -> Linux name, from rcnet_ifmap
    ifmap: tuple[tuple[str, str], ...] = ()
    #: rcnet_notify
    notify: str | None = None

    def interface(self, name: str) -> Interface | None:
        return next((i for i in self.interfaces if i.name == name), None)

    def matches(self, name: str) -> bool:
        """A NAME argument names this host by its full name or its first label."""
        return name in (self.name, self.name.split(".", 1)[0])

    def to_json(self) -> dict[str, Any]:
        return {
            # null without a `hostname=`: rc sets none, and neither does start
            "hostname": self.hostname or None,
            "name": self.name,
            "source": self.source,
            "interfaces": [i.to_json() for i in self.interfaces],
            "vhids": [v.to_json() for v in self.vhids],
            "routes": [r.to_json() for r in self.routes],
            "gateway_enable": self.gateway_enable,
            "ipv6_gateway_enable": self.ipv6_gateway_enable,
            "sysctls": self.sysctls.to_json(),
            "ifmap": dict(self.ifmap),
        }
