"""Packets to start from: the carp.md §2.5 known-answer vectors and valid adverts, framed.

The decoder target and tests/fuzz mutate these; every packet here is well formed, so what a
mutation breaks is the only thing wrong with it.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

from rcnet.carp import packet, wire
from rcnet.model import IPAddress, carp_key

V4 = ipaddress.IPv4Address
V6 = ipaddress.IPv6Address


@dataclass(frozen=True)
class Vector:
    """One row of carp.md §2.5 with its complete 36-byte header."""

    name: str
    password: str
    vhid: int
    vips: tuple[IPAddress, ...]
    counter: int
    advbase: int
    advskew: int
    header: bytes


def _hex(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


VECTORS: tuple[Vector, ...] = (
    Vector(
        "V1",
        "testpass",
        1,
        (V4("192.168.1.50"),),
        1,
        1,
        0,
        _hex("21 01 00 07 00 01 a4f4 0000000000000001 c081b12350147c5791042a1d4ebae5a4ae5b5e13"),
    ),
    Vector(
        "V2",
        "testpass",
        1,
        (V4("192.168.1.50"),),
        0x0123456789ABCDEF,
        1,
        100,
        _hex("21 01 64 07 00 01 2b45 0123456789abcdef 8a28722b250012cc264dc3ff6044f75668e5d29d"),
    ),
    Vector(
        "V3",
        "mekmitasdigoat",
        2,
        (V4("192.168.2.1"), V4("10.0.0.1")),
        0xFF,
        1,
        0,
        _hex("21 02 00 07 00 01 dfae 00000000000000ff 5d97a462bcb3f9ff4f56c0263cc5bdf267f0d374"),
    ),
    Vector(
        "V4",
        "secret",
        3,
        (V4("192.168.1.50"), V6("2001:db8::50")),
        0x0000000100000002,
        2,
        50,
        _hex("21 03 32 07 00 02 3298 0000000100000002 300b1f287e43406415c604824d3c9950435d284b"),
    ),
)

#: V1 as a FreeBSD-modern IPv4 datagram (src 192.168.1.3, ID 0x1234, TOS 0xE0), from §2.5
V1_DATAGRAM = _hex("45e0 0038 1234 4000 ff70 c683 c0a80103 e0000012") + VECTORS[0].header

#: the Handbook segment's hosts (hosta, hostb, provider) and a neighbour that has no vhid
SOURCES: tuple[V4, ...] = (V4("192.168.1.3"), V4("192.168.1.4"), V4("192.168.1.5"))
SOURCE6 = V6("fe80::3")


def advert(password: str, vhid: int, vips: tuple[IPAddress, ...], advskew: int = 0) -> bytes:
    """A signed, checksummed CARP header as a Handbook host would send it."""
    auth = wire.CarpAuth(carp_key(password), vhid, vips)
    return wire.build_carp(auth, vhid, 1, advskew, 0x1122334455667788)


def ipv4(payload: bytes, src: V4 = SOURCES[0], ttl: int = wire.CARP_TTL) -> bytes:
    return packet.build_ipv4(src, wire.CARP_GROUP4, payload, ident=0x1234, ttl=ttl)


def ipv6(payload: bytes, src: V6 = SOURCE6) -> bytes:
    return packet.build_ipv6(src, wire.CARP_GROUP6, payload)


def ethernet(ip_packet: bytes, vhid: int, vlan: int | None = None) -> bytes:
    """The frame a vhid's MASTER sends, optionally with one 802.1Q tag."""
    version = ip_packet[0] >> 4 if ip_packet else 4
    group = wire.CARP_GROUP4 if version == 4 else wire.CARP_GROUP6
    frame = packet.build_ethernet(packet.multicast_mac(group), packet.virtual_mac(vhid), ip_packet)
    if vlan is None:
        return frame
    return frame[:12] + struct.pack("!HH", 0x8100, vlan & 0x0FFF) + frame[12:]


def sll(ip_packet: bytes) -> bytes:
    """Linux cooked capture v1: packet type, ARPHRD, address length, 8 address bytes, protocol."""
    proto = packet.ETH_P_IP if ip_packet[:1] and ip_packet[0] >> 4 == 4 else packet.ETH_P_IPV6
    return struct.pack("!HHH8sH", 2, 1, 6, packet.virtual_mac(1) + b"\0\0", proto) + ip_packet


def sll2(ip_packet: bytes) -> bytes:
    """Linux cooked capture v2: protocol first, 20-byte header."""
    proto = packet.ETH_P_IP if ip_packet[:1] and ip_packet[0] >> 4 == 4 else packet.ETH_P_IPV6
    mac = packet.virtual_mac(1) + b"\0\0"
    return struct.pack("!HHIHBB8s", proto, 0, 2, 1, 2, 6, mac) + ip_packet


def vrrp(vrid: int, addresses: tuple[IPAddress, ...], src: IPAddress, priority: int = 100) -> bytes:
    dst = wire.CARP_GROUP4 if src.version == 4 else wire.CARP_GROUP6
    return wire.build_vrrp(vrid, priority, 100, addresses, src, dst)


def handbook_adverts() -> list[bytes]:
    """Adverts the Handbook's hosts send: hosta (vhid 1), hostb (vhid 2), provider (both)."""
    vip1, vip2 = (V4("192.168.1.50"),), (V4("192.168.1.51"),)
    return [
        advert("testpass", 1, vip1),
        advert("testpass", 2, vip2),
        advert("testpass", 1, vip1, advskew=100),
        advert("testpass", 2, vip2, advskew=100),
        advert("wrongpass", 1, vip1),
    ]


def ip_packets() -> list[bytes]:
    """Whole IP packets: the §2.5 datagram, every vector and Handbook advert, IPv6, VRRP."""
    out = [V1_DATAGRAM]
    for i, payload in enumerate([v.header for v in VECTORS] + handbook_adverts()):
        out.append(ipv4(payload, SOURCES[i % len(SOURCES)]))
    out.append(ipv4(VECTORS[0].header, ttl=64))
    out.append(ipv6(VECTORS[3].header))
    vips4 = (V4("192.168.1.54"),)
    out.append(ipv4(vrrp(4, vips4, SOURCES[0])))
    out.append(ipv6(vrrp(4, (V6("2001:db8::54"),), SOURCE6)))
    out.append(packet.build_ipv4(SOURCES[0], wire.CARP_GROUP4, b"\x45" * 20, proto=17))
    return out


def frames() -> list[bytes]:
    """Link-layer framings of some of those packets (what a capture or `decode` sees)."""
    ips = ip_packets()
    return [
        ethernet(ips[0], 1),
        ethernet(ips[1], 1, vlan=7),
        ethernet(ips[-3], 4),
        sll(ips[0]),
        sll2(ips[0]),
    ]


def bare_headers() -> list[bytes]:
    """Headers without IP: the four 36-byte vectors and a bare VRRPv3 advert."""
    return [v.header for v in VECTORS] + [vrrp(4, (V4("192.168.1.54"),), SOURCES[0])]
