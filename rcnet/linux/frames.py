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

Pure functions of struct and ipaddress; the payload (CARP header or VRRPv3) comes from the core.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import random
import struct
from ipaddress import IPv4Address, IPv6Address

IPPROTO_CARP = 112
IPPROTO_ICMPV6 = 58
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_IPV6 = 0x86DD
#: DSCP CS7 (56 << 2): FreeBSD 14's default `net.inet.carp.dscp`
TOS_CS7 = 0xE0
CARP_TTL = 255
CARP_GROUP4 = IPv4Address("224.0.0.18")
CARP_GROUP6 = IPv6Address("ff02::12")
ALL_NODES6 = IPv6Address("ff02::1")
BROADCAST_MAC = b"\xff" * 6
VIRTUAL_MAC_PREFIX = b"\x00\x00\x5e\x00\x01"
#: shortest Ethernet frame without FCS; shorter frames are padded with zeros
ETH_MIN_FRAME = 60

_ND_NEIGHBOR_ADVERT = 136
_ND_OPT_TARGET_LLADDR = 2
_NA_FLAG_ROUTER = 0x80000000
_NA_FLAG_OVERRIDE = 0x20000000


@functools.lru_cache(maxsize=256)
def virtual_mac(vhid: int) -> bytes:
    """The CARP virtual MAC of a vhid: 00:00:5e:00:01:<vhid> (IANA's VRRP IPv4 block)."""
    if not 1 <= vhid <= 255:
        raise ValueError(f"vhid {vhid} out of range 1-255")
    return VIRTUAL_MAC_PREFIX + bytes([vhid])


def mac_text(mac: bytes) -> str:
    return ":".join(f"{b:02x}" for b in mac)


def mac_bytes(text: str) -> bytes:
    parts = text.split(":")
    if len(parts) != 6:
        raise ValueError(f"not a MAC address: {text!r}")
    return bytes(int(p, 16) for p in parts)


@functools.lru_cache(maxsize=64)
def multicast_mac(group: IPv4Address | IPv6Address) -> bytes:
    """The Ethernet address of an IP multicast group (RFC 1112 / RFC 2464)."""
    if not group.is_multicast:
        raise ValueError(f"{group} is not a multicast address")
    if isinstance(group, IPv4Address):
        low = int(group) & 0x7FFFFF
        return b"\x01\x00\x5e" + low.to_bytes(3, "big")
    return b"\x33\x33" + group.packed[-4:]


def internet_checksum(data: bytes) -> int:
    """RFC 1071: one's complement of the one's-complement sum of 16-bit words."""
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


@functools.lru_cache(maxsize=1024)
def _packed(address: IPv4Address) -> bytes:
    # ipaddress computes .packed anew on every access; adverts reuse a handful of addresses
    return address.packed


#: seeded from os.urandom once; a system call per advert bought nothing for a 16-bit IP ID
_ID_RNG = random.Random(os.urandom(16))


def random_ip_id() -> int:
    # FreeBSD randomises the IP ID of adverts (ip_randomid)
    return _ID_RNG.getrandbits(16)


def ipv4_header(
    src: IPv4Address,
    dst: IPv4Address,
    proto: int,
    payload_len: int,
    *,
    ident: int,
    ttl: int = CARP_TTL,
    tos: int = TOS_CS7,
    dont_fragment: bool = True,
) -> bytes:
    """A 20-byte IPv4 header without options, with its checksum."""
    flags_frag = 0x4000 if dont_fragment else 0
    head = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        tos,
        20 + payload_len,
        ident & 0xFFFF,
        flags_frag,
        ttl,
        proto,
        0,
        _packed(src),
        _packed(dst),
    )
    return head[:10] + struct.pack("!H", internet_checksum(head)) + head[12:]


def ipv6_header(
    src: IPv6Address,
    dst: IPv6Address,
    next_header: int,
    payload_len: int,
    *,
    hop_limit: int = CARP_TTL,
    traffic_class: int = TOS_CS7,
) -> bytes:
    """A 40-byte IPv6 header (flow label 0)."""
    first = (6 << 28) | (traffic_class << 20)
    return struct.pack(
        "!IHBB16s16s", first, payload_len, next_header, hop_limit, src.packed, dst.packed
    )


def ethernet(dst: bytes, src: bytes, ethertype: int, payload: bytes) -> bytes:
    frame = dst + src + struct.pack("!H", ethertype) + payload
    return frame.ljust(ETH_MIN_FRAME, b"\0")


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
    ip = ipv4_header(src, dst, IPPROTO_CARP, len(payload), ident=ident, tos=tos)
    return ethernet(multicast_mac(dst), virtual_mac(vhid), ETH_P_IP, ip + payload)


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
        ip = ipv4_header(src, dst, IPPROTO_CARP, length, ident=0, tos=tos)
        eth = multicast_mac(dst) + virtual_mac(vhid) + struct.pack("!H", ETH_P_IP)
        self._head, self._mid, self._addrs = eth + ip[:4], ip[6:10], ip[12:20]
        self._base = sum(struct.unpack("!10H", ip[:10] + bytes(2) + ip[12:20]))
        self._pad = bytes(max(0, ETH_MIN_FRAME - len(eth) - 20 - length))

    def fits(self, src: IPv4Address, dst: IPv4Address, tos: int, length: int) -> bool:
        return src is self.src and dst is self.dst and tos == self.tos and length == self.length

    def frame(self, payload: bytes, ident: int | None = None) -> bytes:
        ident = random_ip_id() if ident is None else ident & 0xFFFF
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
    ip = ipv6_header(src, dst, IPPROTO_CARP, len(payload), traffic_class=traffic_class)
    return ethernet(multicast_mac(dst), virtual_mac(vhid), ETH_P_IPV6, ip + payload)


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
    return ethernet(BROADCAST_MAC, mac, ETH_P_ARP, arp)


def icmpv6_checksum(src: IPv6Address, dst: IPv6Address, message: bytes) -> int:
    """ICMPv6 checksum over the RFC 8200 pseudo-header and the message."""
    pseudo = src.packed + dst.packed + struct.pack("!I3xB", len(message), IPPROTO_ICMPV6)
    return internet_checksum(pseudo + message)


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
    ip = ipv6_header(source, ALL_NODES6, IPPROTO_ICMPV6, len(body), traffic_class=0)
    return ethernet(multicast_mac(ALL_NODES6), mac, ETH_P_IPV6, ip + body)


def announcements(vhid: int, vips: tuple[ipaddress.IPv4Address | IPv6Address, ...]) -> list[bytes]:
    """The frames announcing a vhid's VIPs on becoming MASTER, in configuration order."""
    return [
        garp_frame(vhid, a) if isinstance(a, IPv4Address) else unsolicited_na_frame(vhid, a)
        for a in vips
    ]
