"""IP and link-layer framing of advertisements: build what the kernels send, parse what arrives.

Build: the IPv4 datagram FreeBSD sends (TTL 255, DF, TOS = DSCP << 2, protocol 112, no
options), the IPv6 packet (hop limit 255), an Ethernet frame from the virtual MAC.
Parse: an Ethernet frame (802.1Q tags skipped), Linux cooked captures (SLL, SLL2), a raw
IPv4/IPv6 packet (what a raw socket returns), and `sniff` that guesses which of these (or a bare
CARP/VRRP header) a byte string is, for `rcnet decode`.
"""

from __future__ import annotations

import functools
import ipaddress
import struct

from rcnet.carp.wire import (
    CARP_HEADER_LEN,
    CARP_TTL,
    IPPROTO_CARP,
    VRRP_HEADER_LEN,
    WireError,
    inet_checksum,
)
from rcnet.frozen import record
from rcnet.model import IPAddress

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
_VLAN_TYPES = (0x8100, 0x88A8, 0x9100)
#: FreeBSD's default net.inet.carp.dscp (CS7) gives TOS 0xE0
DEFAULT_DSCP = 56
IP_DF = 0x4000
_V6_EXT_HEADERS = (0, 43, 60)  # hop-by-hop, routing, destination options


#: the IANA VRRP IPv4 block: a vhid's virtual MAC is this and the vhid
VIRTUAL_MAC_PREFIX = b"\x00\x00\x5e\x00\x01"
#: the shortest Ethernet frame without FCS; shorter frames are padded with zeros
ETH_MIN_FRAME = 60


@functools.lru_cache(maxsize=256)
def virtual_mac(vhid: int) -> bytes:
    """The IANA VRRP MAC a vhid uses: 00:00:5e:00:01:<vhid>."""
    if not 1 <= vhid <= 255:
        raise ValueError(f"vhid {vhid} out of range 1-255")
    return VIRTUAL_MAC_PREFIX + bytes([vhid])


@functools.lru_cache(maxsize=64)
def multicast_mac(group: IPAddress) -> bytes:
    """Ethernet destination of an IPv4 (01:00:5e + 23 bits) or IPv6 (33:33 + 32 bits) group."""
    if not group.is_multicast:
        raise ValueError(f"{group} is not a multicast address")
    raw = group.packed
    if group.version == 4:
        return bytes((0x01, 0x00, 0x5E, raw[1] & 0x7F, raw[2], raw[3]))
    return b"\x33\x33" + raw[12:]


def mac_str(mac: bytes) -> str:
    return ":".join(f"{b:02x}" for b in mac)


def mac_bytes(text: str) -> bytes:
    parts = text.split(":")
    if len(parts) != 6:
        raise ValueError(f"not a MAC address: {text!r}")
    return bytes(int(p, 16) for p in parts)


def build_ipv4(
    src: ipaddress.IPv4Address,
    dst: ipaddress.IPv4Address,
    payload: bytes,
    *,
    ident: int = 0,
    tos: int = DEFAULT_DSCP << 2,
    ttl: int = CARP_TTL,
    proto: int = IPPROTO_CARP,
) -> bytes:
    """An IPv4 datagram as FreeBSD sends adverts: DF set, no options."""
    header = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        tos & 0xFF,
        20 + len(payload),
        ident & 0xFFFF,
        IP_DF,
        ttl,
        proto,
        0,
        src.packed,
        dst.packed,
    )
    csum = inet_checksum(header)
    return header[:10] + struct.pack("!H", csum) + header[12:] + payload


def build_ipv6(
    src: ipaddress.IPv6Address,
    dst: ipaddress.IPv6Address,
    payload: bytes,
    *,
    tclass: int = DEFAULT_DSCP << 2,
    hlim: int = CARP_TTL,
    proto: int = IPPROTO_CARP,
) -> bytes:
    first = (6 << 28) | ((tclass & 0xFF) << 20)
    return (
        struct.pack("!IHBB", first, len(payload), proto, hlim) + src.packed + dst.packed + payload
    )


def build_ethernet(
    dst_mac: bytes,
    src_mac: bytes,
    packet: bytes,
    *,
    ethertype: int | None = None,
    pad: bool = False,
) -> bytes:
    """An Ethernet frame; the type follows the IP version unless given (ARP); `pad` fills it
    to the 60-byte minimum as a NIC does (frames written on a packet socket)."""
    if ethertype is None:
        ethertype = ETH_P_IP if packet[:1] and packet[0] >> 4 == 4 else ETH_P_IPV6
    frame = dst_mac + src_mac + struct.pack("!H", ethertype) + packet
    return frame.ljust(ETH_MIN_FRAME, b"\0") if pad else frame


@record
class IpPacket:
    """What the receive path needs from an IP packet."""

    version: int
    src: IPAddress
    dst: IPAddress
    #: TTL or hop limit
    ttl: int
    proto: int
    payload: bytes
    tos: int = 0


#: the addresses adverts came from and went to: a segment has a handful, so each is built once
_ADDRESSES4: dict[bytes, ipaddress.IPv4Address] = {}
#: the most kept; a flood of forged sources empties the cache instead of growing it
_ADDRESSES4_MAX = 4096
_TOTAL_LENGTH = struct.Struct("!H")


def _address4(packed: bytes) -> ipaddress.IPv4Address:
    address = _ADDRESSES4.get(packed)
    if address is None:
        if len(_ADDRESSES4) >= _ADDRESSES4_MAX:
            _ADDRESSES4.clear()
        address = _ADDRESSES4[packed] = ipaddress.IPv4Address(packed)
    return address


def ipv4_fields(
    data: bytes,
) -> tuple[ipaddress.IPv4Address, ipaddress.IPv4Address, int, bytes] | None:
    """(src, dst, ttl, payload) of a raw IPv4 packet as a raw socket hands it over, or None
    when it is not one: the receive path's form (a tuple, cached addresses; no object per
    packet). `parse_ipv4` is the full form."""
    if len(data) < 20 or data[0] >> 4 != 4:
        return None
    ihl = (data[0] & 0x0F) * 4
    (total,) = _TOTAL_LENGTH.unpack_from(data, 2)
    if ihl < 20 or total < ihl or len(data) < total:
        return None
    src, dst = _ADDRESSES4.get(data[12:16]), _ADDRESSES4.get(data[16:20])
    return (
        _address4(data[12:16]) if src is None else src,
        _address4(data[16:20]) if dst is None else dst,
        data[8],
        data[ihl:total],
    )


def parse_ipv4(data: bytes) -> IpPacket:
    if len(data) < 20:
        raise WireError(f"short IPv4 header: {len(data)} bytes")
    vihl, tos, total, _ident, _frag, ttl, proto = struct.unpack_from("!BBHHHBB", data)
    ihl = (vihl & 0x0F) * 4
    if vihl >> 4 != 4 or ihl < 20:
        raise WireError("not an IPv4 header")
    if len(data) < ihl or total < ihl:
        raise WireError(f"IPv4 header length {ihl} exceeds the packet")
    # Linux raw sockets hand over the datagram as sent; trailing bytes are link padding.
    end = min(total, len(data))
    return IpPacket(
        version=4,
        src=ipaddress.IPv4Address(data[12:16]),
        dst=ipaddress.IPv4Address(data[16:20]),
        ttl=ttl,
        proto=proto,
        payload=bytes(data[ihl:end]),
        tos=tos,
    )


def parse_ipv6(data: bytes) -> IpPacket:
    if len(data) < 40:
        raise WireError(f"short IPv6 header: {len(data)} bytes")
    first, plen, nxt, hlim = struct.unpack_from("!IHBB", data)
    if first >> 28 != 6:
        raise WireError("not an IPv6 header")
    end = min(40 + plen, len(data))
    off = 40
    while nxt in _V6_EXT_HEADERS:
        if off + 8 > end:
            raise WireError("truncated IPv6 extension header")
        nxt, hlen = data[off], (data[off + 1] + 1) * 8
        off += hlen
    if off > end:
        raise WireError("truncated IPv6 extension header")
    return IpPacket(
        version=6,
        src=ipaddress.IPv6Address(data[8:24]),
        dst=ipaddress.IPv6Address(data[24:40]),
        ttl=hlim,
        proto=nxt,
        payload=bytes(data[off:end]),
        tos=(first >> 20) & 0xFF,
    )


def parse_ip(data: bytes) -> IpPacket:
    """An IPv4 or IPv6 packet, chosen by the version nibble."""
    if not data:
        raise WireError("empty packet")
    version = data[0] >> 4
    if version == 4:
        return parse_ipv4(data)
    if version == 6:
        return parse_ipv6(data)
    raise WireError(f"IP version {version} is neither 4 nor 6")


def _by_ethertype(ethertype: int, rest: bytes) -> IpPacket | None:
    if ethertype == ETH_P_IP:
        return parse_ipv4(rest)
    if ethertype == ETH_P_IPV6:
        return parse_ipv6(rest)
    return None


def parse_ethernet(frame: bytes) -> IpPacket | None:
    """The IP packet inside an Ethernet frame; None when it carries something else."""
    if len(frame) < 14:
        raise WireError(f"short Ethernet frame: {len(frame)} bytes")
    off = 12
    (ethertype,) = struct.unpack_from("!H", frame, off)
    while ethertype in _VLAN_TYPES:
        off += 4
        if len(frame) < off + 2:
            raise WireError("truncated 802.1Q tag")
        (ethertype,) = struct.unpack_from("!H", frame, off)
    return _by_ethertype(ethertype, frame[off + 2 :])


def parse_sll(frame: bytes) -> IpPacket | None:
    """Linux cooked capture v1 (16-byte header, protocol at offset 14)."""
    if len(frame) < 16:
        raise WireError(f"short Linux cooked header: {len(frame)} bytes")
    (proto,) = struct.unpack_from("!H", frame, 14)
    return _by_ethertype(proto, frame[16:])


def parse_sll2(frame: bytes) -> IpPacket | None:
    """Linux cooked capture v2 (20-byte header, protocol first)."""
    if len(frame) < 20:
        raise WireError(f"short Linux cooked v2 header: {len(frame)} bytes")
    (proto,) = struct.unpack_from("!H", frame, 0)
    return _by_ethertype(proto, frame[20:])


def _looks_like_ip(data: bytes) -> bool:
    if len(data) >= 20 and data[0] >> 4 == 4 and (data[0] & 0x0F) >= 5:
        return int.from_bytes(data[2:4], "big") == len(data)
    if len(data) >= 40 and data[0] >> 4 == 6:
        return int.from_bytes(data[4:6], "big") + 40 == len(data)
    return False


def _looks_like_header(data: bytes) -> bool:
    if len(data) == CARP_HEADER_LEN:
        return True
    # A bare VRRPv3 advert: 8 bytes plus its address list.
    if len(data) >= VRRP_HEADER_LEN and data[0] >> 4 == 3:
        return len(data) - VRRP_HEADER_LEN in (data[3] * 4, data[3] * 16)
    return False


def sniff(data: bytes) -> tuple[str, IpPacket | None]:
    """Guess what `data` is: ("ip", packet), ("ethernet", packet or None) or ("header", None).

    A raw IP packet is recognised by a total length equal to the data's; a bare header by its
    size (36 bytes, or a VRRPv3 header with its address list); anything else is taken as an
    Ethernet frame.
    """
    if _looks_like_ip(data):
        return "ip", parse_ip(data)
    if _looks_like_header(data):
        return "header", None
    return "ethernet", parse_ethernet(data)
