"""Ethernet frames the adapter writes itself: CARP/VRRP adverts and address announcements.

Adverts leave as FreeBSD sends them: Ethernet source the virtual MAC `00:00:5e:00:01:<vhid>`, IP
source the parent's own address (never the VIP: receivers drop packets from their own addresses,
so two masters holding the VIP would never hear each other), TTL/hop limit 255, DF, a random ID,
TOS 0xE0 (DSCP CS7, FreeBSD 14's default). A plain raw IP socket would use the NIC's MAC, hence
frames written on an AF_PACKET socket (see transport).

Only multicast adverts are framed here. Adverts to a unicast `peer`/`peer6` go through a raw IP
socket instead: the kernel then resolves the peer's MAC and sends from the NIC's MAC, which is
what FreeBSD >= 14 does for unicast adverts (it rewrites the source MAC only for multicast).

Announcements on becoming MASTER, as FreeBSD's `arp_announce_ifaddr` and `carp_send_na`: one
gratuitous ARP request per IPv4 VIP (sender = target = VIP, sender MAC = virtual MAC, Ethernet
broadcast) and one unsolicited Neighbor Advertisement per IPv6 VIP to ff02::1 with the Override
flag and a target link-layer address option.

Pure functions; the MACs, the IP headers, the checksum and the Ethernet framing are the core's
(`rcnet.carp.packet`, `rcnet.carp.wire`): one definition, shared with the decoder and the tests.
The payload (CARP header or VRRPv3) comes from the core too.
"""

from __future__ import annotations

import ipaddress
import os
import random
import struct
from ipaddress import IPv4Address, IPv6Address

from rcnet.carp.packet import (
    DEFAULT_DSCP,
    ETH_MIN_FRAME,
    ETH_P_IP,
    ETH_P_IPV6,
    build_ethernet,
    build_ipv4,
    build_ipv6,
    multicast_mac,
    virtual_mac,
)
from rcnet.carp.wire import CARP_GROUP4, CARP_GROUP6, inet_checksum

IPPROTO_ICMPV6 = 58
ETH_P_ARP = 0x0806
#: DSCP CS7 (56 << 2): FreeBSD 14's default `net.inet.carp.dscp`
TOS_CS7 = DEFAULT_DSCP << 2
ALL_NODES6 = IPv6Address("ff02::1")
BROADCAST_MAC = b"\xff" * 6

_ND_NEIGHBOR_ADVERT = 136
_ND_OPT_TARGET_LLADDR = 2
_NA_FLAG_ROUTER = 0x80000000
_NA_FLAG_OVERRIDE = 0x20000000

#: seeded from os.urandom once; a system call per advert bought nothing for a 16-bit IP ID
_ID_RNG = random.Random(os.urandom(16))


def random_ip_id() -> int:
    # FreeBSD randomises the IP ID of adverts (ip_randomid)
    return _ID_RNG.getrandbits(16)


def advert_frame4(
    vhid: int,
    src: IPv4Address,
    payload: bytes,
    *,
    dst: IPv4Address = CARP_GROUP4,
    ident: int | None = None,
    tos: int = TOS_CS7,
) -> bytes:
    """An IPv4 advert (CARP header or VRRPv3 packet as `payload`) to a multicast group."""
    ident = random_ip_id() if ident is None else ident
    ip = build_ipv4(src, dst, payload, ident=ident, tos=tos)
    return build_ethernet(multicast_mac(dst), virtual_mac(vhid), ip, pad=True)


_ADVERT4 = struct.Struct("!18sH4sH8s")


class AdvertFrames4:
    """advert_frame4's frames for one vhid, source, group, TOS and payload length, with the
    Ethernet and IPv4 headers computed once: per advert only the IP ID and the header checksum
    change (the checksum from the sum of the other words, RFC 1624 style)."""

    __slots__ = ("_addrs", "_base", "_head", "_mid", "_pad", "dst", "length", "src", "tos")

    def __init__(
        self, vhid: int, src: IPv4Address, dst: IPv4Address, tos: int, length: int
    ) -> None:
        self.src, self.dst, self.tos, self.length = src, dst, tos, length
        ip = build_ipv4(src, dst, bytes(length), ident=0, tos=tos)[:20]
        eth = multicast_mac(dst) + virtual_mac(vhid) + struct.pack("!H", ETH_P_IP)
        self._head, self._mid, self._addrs = eth + ip[:4], ip[6:10], ip[12:20]
        self._base = sum(struct.unpack("!10H", ip[:10] + bytes(2) + ip[12:20]))
        self._pad = bytes(max(0, ETH_MIN_FRAME - len(eth) - 20 - length))

    def fits(self, src: IPv4Address, dst: IPv4Address, tos: int, length: int) -> bool:
        return src is self.src and dst is self.dst and tos == self.tos and length == self.length

    def frame(self, payload: bytes, ident: int | None = None) -> bytes:
        ident = _ID_RNG.getrandbits(16) if ident is None else ident & 0xFFFF
        total = self._base + ident
        total = (total & 0xFFFF) + (total >> 16)
        total = (total & 0xFFFF) + (total >> 16)
        head = _ADVERT4.pack(self._head, ident, self._mid, ~total & 0xFFFF, self._addrs)
        return head + payload + self._pad


def advert_frame6(
    vhid: int,
    src: IPv6Address,
    payload: bytes,
    *,
    dst: IPv6Address = CARP_GROUP6,
    traffic_class: int = TOS_CS7,
) -> bytes:
    """An IPv6 advert to a multicast group (ff02::12 by default), hop limit 255."""
    ip = build_ipv6(src, dst, payload, tclass=traffic_class)
    return build_ethernet(multicast_mac(dst), virtual_mac(vhid), ip, pad=True)


def garp_frame(vhid: int, vip: IPv4Address) -> bytes:
    """FreeBSD's gratuitous ARP request for a VIP: sender = target = VIP, from the virtual MAC."""
    mac = virtual_mac(vhid)
    arp = struct.pack(
        "!HHBBH6s4s6s4s",
        1,  # hardware type Ethernet
        ETH_P_IP,
        6,
        4,
        1,  # request
        mac,
        vip.packed,
        b"\0" * 6,  # target hardware address: unknown, as arp_announce_ifaddr leaves it
        vip.packed,
    )
    return build_ethernet(BROADCAST_MAC, mac, arp, ethertype=ETH_P_ARP, pad=True)


def icmpv6_checksum(src: IPv6Address, dst: IPv6Address, message: bytes) -> int:
    """ICMPv6 checksum over the RFC 8200 pseudo-header and the message."""
    pseudo = src.packed + dst.packed + struct.pack("!I3xB", len(message), IPPROTO_ICMPV6)
    return inet_checksum(pseudo + message)


def unsolicited_na_frame(
    vhid: int, vip: IPv6Address, *, src: IPv6Address | None = None, router: bool = False
) -> bytes:
    """An unsolicited Neighbor Advertisement for a VIP to ff02::1: Override set, Solicited clear.

    The IP source defaults to the VIP itself (an address of the sending interface, as Linux's own
    unsolicited NAs use); the target link-layer option carries the virtual MAC.
    """
    mac = virtual_mac(vhid)
    source = vip if src is None else src
    flags = _NA_FLAG_OVERRIDE | (_NA_FLAG_ROUTER if router else 0)
    option = struct.pack("!BB6s", _ND_OPT_TARGET_LLADDR, 1, mac)
    body = struct.pack("!BBHI16s", _ND_NEIGHBOR_ADVERT, 0, 0, flags, vip.packed) + option
    csum = icmpv6_checksum(source, ALL_NODES6, body)
    body = body[:2] + struct.pack("!H", csum) + body[4:]
    ip = build_ipv6(source, ALL_NODES6, body, tclass=0, proto=IPPROTO_ICMPV6)
    return build_ethernet(multicast_mac(ALL_NODES6), mac, ip, ethertype=ETH_P_IPV6, pad=True)


def announcements(vhid: int, vips: tuple[ipaddress.IPv4Address | IPv6Address, ...]) -> list[bytes]:
    """The frames announcing a vhid's VIPs on becoming MASTER, in configuration order."""
    return [
        garp_frame(vhid, a) if isinstance(a, IPv4Address) else unsolicited_na_frame(vhid, a)
        for a in vips
    ]
