"""Describe one captured advertisement as a dict, checking checksum and HMAC: `rcnet decode`.

No I/O: bytes in, a JSON-ready dict out. Malformed input gives `{"error": "..."}`; nothing
raises. Keys and types follow cli.md ("decode"): CARP adverts get src, dst, ttl, version, type,
vhid, advskew, authlen, demote, advbase, checksum_ok, counter, hmac, auth; VRRPv3 adverts get
src, dst, ttl, version, type, vrid, priority, count, interval, checksum_ok, addresses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rcnet.carp import packet, wire
from rcnet.model import IPAddress

#: (vhid, source address or None) -> (20-byte key, the vhid's addresses), or None: unknown
Keyring = Callable[[int, IPAddress | None], tuple[bytes, Sequence[IPAddress]] | None]

#: pcap link types rcnet decode reads
LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LOOP = 0, 1, 101, 108
LINKTYPE_SLL, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_SLL2 = 113, 228, 229, 276
_RAW_ALIASES = (12, 14, LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6)
_BSD_AF_INET6 = (24, 28, 30)


class NotCarp(Exception):
    """A frame that carries something other than IP protocol 112 (skipped in captures)."""


def ip_from_link(linktype: int, frame: bytes) -> packet.IpPacket:
    """The IP packet of a captured frame; NotCarp when it is not IP or not protocol 112."""
    ip: packet.IpPacket | None
    if linktype == LINKTYPE_ETHERNET:
        ip = packet.parse_ethernet(frame)
    elif linktype in _RAW_ALIASES:
        ip = packet.parse_ip(frame)
    elif linktype == LINKTYPE_SLL:
        ip = packet.parse_sll(frame)
    elif linktype == LINKTYPE_SLL2:
        ip = packet.parse_sll2(frame)
    elif linktype in (LINKTYPE_NULL, LINKTYPE_LOOP):
        ip = _parse_null(frame)
    else:
        raise wire.WireError(f"link type {linktype} is not supported")
    if ip is None:
        raise NotCarp("not an IP packet")
    if ip.proto != wire.IPPROTO_CARP:
        raise NotCarp(f"IP protocol {ip.proto}, not {wire.IPPROTO_CARP}")
    return ip


def _parse_null(frame: bytes) -> packet.IpPacket | None:
    # BSD loopback: a 4-byte address family in the capturing host's byte order.
    if len(frame) < 4:
        raise wire.WireError("short loopback header")
    af = max(int.from_bytes(frame[:4], "little"), int.from_bytes(frame[:4], "big"))
    if af == 2:
        return packet.parse_ipv4(frame[4:])
    if af in _BSD_AF_INET6:
        return packet.parse_ipv6(frame[4:])
    return None


def describe_bytes(data: bytes, keyring: Keyring | None = None) -> dict[str, Any]:
    """A HEX argument: an Ethernet frame, an IP packet or a bare header (see packet.sniff)."""
    if 0 < len(data) < wire.CARP_HEADER_LEN and data[0] >> 4 in (2, 3):
        # Too short for IP or Ethernet, starts like an advert: judge it as a (short) header.
        return describe_payload(data, None, None, None, keyring)
    try:
        kind, ip = packet.sniff(data)
    except wire.WireError as exc:
        return {"error": str(exc)}
    if kind == "header":
        return describe_payload(data, None, None, None, keyring)
    if ip is None:
        return {"error": "neither an IP packet, an Ethernet frame carrying IP, nor a CARP header"}
    if ip.proto != wire.IPPROTO_CARP:
        return {"error": f"IP protocol {ip.proto}, not {wire.IPPROTO_CARP} (CARP)"}
    return describe_ip(ip, keyring)


def describe_ip(ip: packet.IpPacket, keyring: Keyring | None = None) -> dict[str, Any]:
    return describe_payload(ip.payload, ip.src, ip.dst, ip.ttl, keyring)


def describe_payload(
    payload: bytes,
    src: IPAddress | None,
    dst: IPAddress | None,
    ttl: int | None,
    keyring: Keyring | None = None,
) -> dict[str, Any]:
    """The advert's fields and verdicts; `src`/`dst`/`ttl` None for a bare header."""
    if not payload:
        return {"error": "empty CARP payload"}
    version = payload[0] >> 4
    if version == wire.VRRP_VERSION:
        return _describe_vrrp(payload, src, dst, ttl)
    if version != wire.CARP_VERSION:
        return {"error": f"version {version} is neither CARP (2) nor VRRPv3 (3)"}
    try:
        hdr = wire.decode_carp(payload)
    except wire.WireError as exc:
        return {"error": str(exc)}
    # FreeBSD-modern covers the whole IP payload; a bare header is just the 36 bytes.
    covered = payload if src is not None and src.version == 4 else payload[: wire.CARP_HEADER_LEN]
    return {
        "src": str(src) if src is not None else None,
        "dst": str(dst) if dst is not None else None,
        "ttl": ttl,
        "version": hdr.version,
        "type": hdr.type,
        "vhid": hdr.vhid,
        "advskew": hdr.advskew,
        "authlen": hdr.authlen,
        "demote": hdr.demote,
        "advbase": hdr.advbase,
        "checksum_ok": wire.carp_checksum_ok(covered),
        "counter": hdr.counter,
        "hmac": hdr.hmac.hex(),
        "auth": _auth(hdr, src, keyring),
    }


def _auth(hdr: wire.CarpHeader, src: IPAddress | None, keyring: Keyring | None) -> str:
    if keyring is None:
        return "unchecked"
    found = keyring(hdr.vhid, src)
    if found is None:
        return "unchecked"
    key, addresses = found
    return "ok" if wire.CarpAuth(key, hdr.vhid, addresses).verify(hdr.counter, hdr.hmac) else "bad"


def _vrrp_family(payload: bytes, src: IPAddress | None) -> int:
    if src is not None:
        return src.version
    count = payload[3] if len(payload) > 3 else 0
    return 6 if count and len(payload) - wire.VRRP_HEADER_LEN == count * 16 else 4


def _describe_vrrp(
    payload: bytes, src: IPAddress | None, dst: IPAddress | None, ttl: int | None
) -> dict[str, Any]:
    try:
        hdr = wire.decode_vrrp(payload, _vrrp_family(payload, src))
    except wire.WireError as exc:
        return {"error": str(exc)}
    checksum_ok = None
    if src is not None and dst is not None:
        checksum_ok = wire.vrrp_checksum_ok(payload, src, dst)
    return {
        "src": str(src) if src is not None else None,
        "dst": str(dst) if dst is not None else None,
        "ttl": ttl,
        "version": hdr.version,
        "type": hdr.type,
        "vrid": hdr.vrid,
        "priority": hdr.priority,
        "count": hdr.count,
        "interval": hdr.interval,
        "checksum_ok": checksum_ok,
        "addresses": [str(a) for a in hdr.addresses],
    }


def is_failure(result: dict[str, Any]) -> bool:
    """Exit status 1: an error, a bad checksum or bad authentication."""
    return "error" in result or result.get("checksum_ok") is False or result.get("auth") == "bad"
