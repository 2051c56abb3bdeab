"""The netlink changes a plan is made of: each says what it does (`describe`) and does it (`apply`).

`describe()` reads like the `ip`/`sysctl` command that would do the same, for `start --dry-run`
and for logs. `apply(ctx)` performs it through the pyroute2 IPRoute in `ctx` (opened in the target
namespace by `netlink.apply`); this module itself imports no pyroute2. Changes that remove things
(`Delete*`) treat "already gone" as done, so a teardown can be repeated.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import ipaddress
import os
import socket
import struct
from dataclasses import dataclass
from typing import Any, Protocol

from rcnet.carp.packet import mac_str, virtual_mac
from rcnet.frozen import record
from rcnet.linux import owned
from rcnet.linux.nsenter import call_in_netns, sysctl_name, write_sysctl
from rcnet.model import IPAddress, IPInterface, IPNetwork

IFA_F_NODAD = 0x02
_GONE = {errno.ENODEV, errno.ENOENT, errno.ESRCH, errno.EADDRNOTAVAIL}
#: IFLA_INET6_ADDR_GEN_MODE none: a vhid's macvlan gets no link-local (duplicate virtual MACs
#: on several hosts would make DAD fail)
_ADDRGEN_NONE = {"attrs": [("AF_INET6", {"attrs": [("IFLA_INET6_ADDR_GEN_MODE", 1)]})]}
_TUNSETIFF = 0x400454CA
_TUNSETPERSIST = 0x400454CB
_IFF_TAP = 0x0002
_IFF_NO_PI = 0x1000


@dataclass
class Context:
    """Where changes apply: an open pyroute2 IPRoute and the namespace it lives in."""

    ipr: Any
    netns: str | None = None

    def index(self, ifname: str) -> int:
        found = self.ipr.link_lookup(ifname=ifname)
        if not found:
            raise OSError(errno.ENODEV, f"{ifname}: no such interface")
        return int(found[0])


class Change(Protocol):
    def describe(self) -> str: ...

    def apply(self, ctx: Context) -> None: ...


def _family_flag(address: IPInterface | IPAddress | IPNetwork) -> str:
    return "-6 " if address.version == 6 else ""


@record
class Note:
    """Something planned but not done (left to the system, kept as found); applies nothing."""

    message: str

    def describe(self) -> str:
        return f"# {self.message}"

    def apply(self, ctx: Context) -> None:
        return None


@record
class CreateLink:
    """A cloned interface: bridge, tap, 802.1Q vlan (`parent`, `vlan_id`) or bond."""

    ifname: str
    kind: str
    parent: str | None = None
    vlan_id: int | None = None

    def describe(self) -> str:
        if self.kind == "tap":
            return f"ip tuntap add {self.ifname} mode tap"
        if self.kind == "vlan":
            return f"ip link add link {self.parent} name {self.ifname} type vlan id {self.vlan_id}"
        if self.kind == "bond":
            return f"ip link add {self.ifname} type bond mode active-backup"
        return f"ip link add {self.ifname} type {self.kind}"

    def apply(self, ctx: Context) -> None:
        if self.kind == "tap":
            call_in_netns(ctx.netns, lambda: _create_tap(self.ifname))
        elif self.kind == "vlan":
            if self.parent is None or self.vlan_id is None:
                raise ValueError(f"{self.ifname}: a vlan needs a parent and a tag")
            link = ctx.index(self.parent)
            ctx.ipr.link("add", ifname=self.ifname, kind="vlan", link=link, vlan_id=self.vlan_id)
        elif self.kind == "bond":
            ctx.ipr.link("add", ifname=self.ifname, kind="bond", bond_mode=1)
        else:
            ctx.ipr.link("add", ifname=self.ifname, kind=self.kind)
        alias = owned.link_alias(f"{self.kind} {self.ifname}")
        ctx.ipr.link("set", index=ctx.index(self.ifname), IFLA_IFALIAS=alias)


def _create_tap(ifname: str) -> None:
    # /dev/net/tun makes the tap in the namespace of the thread that opens it
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_CLOEXEC)
    try:
        ifr = struct.pack("16sH22x", ifname.encode(), _IFF_TAP | _IFF_NO_PI)
        fcntl.ioctl(fd, _TUNSETIFF, ifr)
        fcntl.ioctl(fd, _TUNSETPERSIST, 1)
    finally:
        os.close(fd)


@record
class CreateMacvlan:
    """A vhid's macvlan: virtual MAC, mode bridge, no IPv6 link-local, left DOWN.

    `keep_addr_on_down` lets its IPv6 VIPs survive going DOWN (the default flushes them), so
    becoming MASTER stays one `ip link set up`.
    """

    ifname: str
    parent: str
    vhid: int

    @property
    def mac(self) -> str:
        return mac_str(virtual_mac(self.vhid))

    def describe(self) -> str:
        return (
            f"ip link add {self.ifname} link {self.parent} address {self.mac} type macvlan mode"
            f" bridge; ip link set {self.ifname} addrgenmode none alias"
            f" '{owned.macvlan_alias(self.vhid, self.parent)}'"
            f"; sysctl net.ipv6.conf.{self.ifname}.keep_addr_on_down=1  (stays down)"
        )

    def apply(self, ctx: Context) -> None:
        ctx.ipr.link(
            "add",
            ifname=self.ifname,
            kind="macvlan",
            link=ctx.index(self.parent),
            macvlan_mode="bridge",
            address=self.mac,
        )
        ctx.ipr.link(
            "set",
            index=ctx.index(self.ifname),
            IFLA_IFALIAS=owned.macvlan_alias(self.vhid, self.parent),
            IFLA_AF_SPEC=_ADDRGEN_NONE,
        )
        key = f"net/ipv6/conf/{self.ifname}/keep_addr_on_down"
        # without IPv6 in the namespace the sysctl is absent and there is nothing to keep
        with contextlib.suppress(FileNotFoundError):
            write_sysctl(key, "1", ctx.netns)


@record
class SetMtu:
    ifname: str
    mtu: int

    def describe(self) -> str:
        return f"ip link set {self.ifname} mtu {self.mtu}"

    def apply(self, ctx: Context) -> None:
        ctx.ipr.link("set", index=ctx.index(self.ifname), mtu=self.mtu)


@record
class SetMac:
    ifname: str
    mac: str

    def describe(self) -> str:
        return f"ip link set {self.ifname} address {self.mac}"

    def apply(self, ctx: Context) -> None:
        ctx.ipr.link("set", index=ctx.index(self.ifname), address=self.mac)


@record
class SetMaster:
    ifname: str
    master: str

    def describe(self) -> str:
        return f"ip link set {self.ifname} master {self.master}"

    def apply(self, ctx: Context) -> None:
        ctx.ipr.link("set", index=ctx.index(self.ifname), master=ctx.index(self.master))


@record
class SetLink:
    ifname: str
    up: bool

    def describe(self) -> str:
        return f"ip link set {self.ifname} {'up' if self.up else 'down'}"

    def apply(self, ctx: Context) -> None:
        ctx.ipr.link("set", index=ctx.index(self.ifname), state="up" if self.up else "down")


@record
class AddAddress:
    """An address marked as rcnet's (IFA_PROTO), so only rcnet ever removes it."""

    ifname: str
    interface: IPInterface
    peer: IPAddress | None = None
    broadcast: ipaddress.IPv4Address | None = None
    nodad: bool = False

    def describe(self) -> str:
        words = [f"ip {_family_flag(self.interface)}addr add {self.interface}"]
        if self.peer is not None:
            words.append(f"peer {self.peer}")
        if self.broadcast is not None:
            words.append(f"broadcast {self.broadcast}")
        words.append(f"dev {self.ifname}")
        if self.nodad:
            words.append("nodad")
        words.append(f"proto {owned.RCNET_PROTO}")
        return " ".join(words)

    def apply(self, ctx: Context) -> None:
        spec: dict[str, Any] = {
            "index": ctx.index(self.ifname),
            "address": str(self.interface.ip),
            "prefixlen": self.interface.network.prefixlen,
            "IFA_PROTO": owned.RCNET_PROTO,
        }
        if self.peer is not None:
            spec["local"] = str(self.interface.ip)
            spec["address"] = str(self.peer)
        if self.broadcast is not None:
            spec["broadcast"] = str(self.broadcast)
        if self.nodad:
            spec["IFA_FLAGS"] = IFA_F_NODAD
        ctx.ipr.addr("add", **spec)


@record
class AddRoute:
    """A route in the main table marked with rcnet's route protocol."""

    family: int
    destination: IPNetwork | None
    gateway: IPAddress | None = None
    ifname: str | None = None

    def _target(self) -> str:
        return "default" if self.destination is None else str(self.destination)

    def describe(self) -> str:
        six = "-6 " if self.family == socket.AF_INET6 else ""
        words = [f"ip {six}route add {self._target()}"]
        if self.gateway is not None:
            words.append(f"via {self.gateway}")
        if self.ifname is not None:
            words.append(f"dev {self.ifname}")
        words.append(f"proto {owned.RCNET_PROTO}")
        return " ".join(words)

    def apply(self, ctx: Context) -> None:
        spec: dict[str, Any] = {"family": self.family, "proto": owned.RCNET_PROTO}
        if self.destination is not None:
            spec["dst"] = str(self.destination.network_address)
            spec["dst_len"] = self.destination.prefixlen
        if self.gateway is not None:
            spec["gateway"] = str(self.gateway).split("%", 1)[0]
        if self.ifname is not None:
            spec["oif"] = ctx.index(self.ifname)
        ctx.ipr.route("add", **spec)


@record
class SetSysctl:
    key: str
    value: str

    def describe(self) -> str:
        return f"sysctl {sysctl_name(self.key)}={self.value}"

    def apply(self, ctx: Context) -> None:
        write_sysctl(self.key, self.value, ctx.netns)


def _tolerate_gone(exc: BaseException) -> bool:
    code = getattr(exc, "code", None) or getattr(exc, "errno", None)
    return code in _GONE


@record
class DeleteLink:
    ifname: str

    def describe(self) -> str:
        return f"ip link del {self.ifname}"

    def apply(self, ctx: Context) -> None:
        try:
            ctx.ipr.link("del", index=ctx.index(self.ifname))
        except Exception as exc:
            if not _tolerate_gone(exc):
                raise


@record
class DeleteAddress:
    ifname: str
    interface: IPInterface

    def describe(self) -> str:
        return f"ip {_family_flag(self.interface)}addr del {self.interface} dev {self.ifname}"

    def apply(self, ctx: Context) -> None:
        try:
            ctx.ipr.addr(
                "del",
                index=ctx.index(self.ifname),
                address=str(self.interface.ip),
                prefixlen=self.interface.network.prefixlen,
            )
        except Exception as exc:
            if not _tolerate_gone(exc):
                raise


@record
class DeleteRoute:
    family: int
    destination: IPNetwork | None
    gateway: IPAddress | None = None
    ifname: str | None = None
    table: int = 254

    def describe(self) -> str:
        six = "-6 " if self.family == socket.AF_INET6 else ""
        target = "default" if self.destination is None else str(self.destination)
        words = [f"ip {six}route del {target}"]
        if self.gateway is not None:
            words.append(f"via {self.gateway}")
        if self.ifname is not None:
            words.append(f"dev {self.ifname}")
        if self.table != 254:
            words.append(f"table {self.table}")
        return " ".join(words)

    def apply(self, ctx: Context) -> None:
        spec: dict[str, Any] = {"family": self.family, "table": self.table}
        spec["proto"] = owned.RCNET_PROTO
        if self.destination is not None:
            spec["dst"] = str(self.destination.network_address)
            spec["dst_len"] = self.destination.prefixlen
        if self.gateway is not None:
            spec["gateway"] = str(self.gateway)
        try:
            if self.ifname is not None:
                spec["oif"] = ctx.index(self.ifname)
            ctx.ipr.route("del", **spec)
        except Exception as exc:
            if not _tolerate_gone(exc):
                raise
