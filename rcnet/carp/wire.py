"""CARP v2 and VRRPv3 advertisements on the wire: encode, decode, checksum, HMAC.

Rules this module keeps (carp.md §1-2):
- A CARP header is 36 bytes, big-endian; the checksum is RFC 1071 over the CARP bytes only (no
  pseudo-header). Receivers check only the version; type, authlen and the pad byte are decoded
  but never judged here.
- The MAC is HMAC-SHA1 keyed with the 20-byte key of `model.carp_key` over
  0x02 0x01 vhid, the IPv4 VIPs ascending, the IPv6 VIPs ascending (each once), then the 8
  counter bytes. advbase, advskew and the checksum are not covered, as in every kernel.
- VRRPv3 (RFC 5798) has an 8-byte header, an address list and a checksum that includes the
  IPv4/IPv6 pseudo-header; it has no authentication.

The IP and link-layer framing lives in `rcnet.carp.packet`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import struct
from collections.abc import Iterable

from rcnet.carp.counters import Counter
from rcnet.frozen import record
from rcnet.model import IPAddress

IPPROTO_CARP = 112
CARP_TTL = 255
CARP_VERSION = 2
VRRP_VERSION = 3
CARP_ADVERTISEMENT = 1
CARP_AUTHLEN = 7
CARP_HEADER_LEN = 36
VRRP_HEADER_LEN = 8
VRRP_MAX_INTERVAL = 0xFFF
#: advbase/advskew of the "bow-out" advert a MASTER sends on its way down (carp.md §4.5)
BOW_OUT = 255
CARP_GROUP4 = ipaddress.IPv4Address("224.0.0.18")
CARP_GROUP6 = ipaddress.IPv6Address("ff02::12")

_CARP = struct.Struct("!BBBBBBHQ20s")
_CHECKSUM = struct.Struct("!H")
_CARP_WORDS = struct.Struct(f"!{CARP_HEADER_LEN // 2}H")
_VERSION_TYPE = (CARP_VERSION << 4) | CARP_ADVERTISEMENT
_VRRP = struct.Struct("!BBBBHH")


class WireError(ValueError):
    """Bytes that cannot be decoded as what the caller asked for."""


def inet_checksum(data: bytes) -> int:
    """RFC 1071: one's complement of the one's complement sum of 16-bit words.

    Data that already holds a correct checksum sums to 0.
    """
    if len(data) == CARP_HEADER_LEN:  # every CARP advert, sent or received
        total: int = sum(_CARP_WORDS.unpack(data))
    else:
        if len(data) % 2:
            data += b"\0"
        total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


# --- CARP v2 -------------------------------------------------------------------------------


@record
class CarpHeader:
    """The 36 bytes of a CARP advertisement, field by field."""

    vhid: int
    advbase: int
    advskew: int
    counter: int
    hmac: bytes = bytes(20)
    version: int = CARP_VERSION
    type: int = CARP_ADVERTISEMENT
    authlen: int = CARP_AUTHLEN
    #: pad byte: 0 from FreeBSD and ucarp, OpenBSD's demotion count
    demote: int = 0
    #: as found on the wire (decode) or to be written (pack with fill_checksum=False)
    checksum: int = 0

    def pack(self, fill_checksum: bool = True) -> bytes:
        """The header bytes; with `fill_checksum` the checksum field is computed."""
        raw = _CARP.pack(
            (self.version << 4) | (self.type & 0x0F),
            self.vhid,
            self.advskew,
            self.authlen,
            self.demote,
            self.advbase,
            0 if fill_checksum else self.checksum,
            self.counter,
            self.hmac,
        )
        if not fill_checksum:
            return raw
        return raw[:6] + struct.pack("!H", inet_checksum(raw)) + raw[8:]


def decode_carp(payload: bytes) -> CarpHeader:
    """Decode the first 36 bytes of `payload` as a CARP header (no judgement of the values)."""
    if len(payload) < CARP_HEADER_LEN:
        raise WireError(f"short CARP header: {len(payload)} bytes, need {CARP_HEADER_LEN}")
    vt, vhid, advskew, authlen, demote, advbase, csum, counter, md = _CARP.unpack_from(payload)
    return CarpHeader(
        vhid=vhid,
        advbase=advbase,
        advskew=advskew,
        counter=counter,
        hmac=md,
        version=vt >> 4,
        type=vt & 0x0F,
        authlen=authlen,
        demote=demote,
        checksum=csum,
    )


def carp_checksum_ok(payload: bytes) -> bool:
    """FreeBSD-modern IPv4 covers the whole IP payload; for 36-byte adverts that is the header."""
    return inet_checksum(payload) == 0


def _packed_sorted(addresses: Iterable[IPAddress], version: int) -> bytes:
    # Each address once, ascending memcmp order of the network-byte form (= numeric order).
    return b"".join(sorted({a.packed for a in addresses if a.version == version}))


def hmac_message_prefix(vhid: int, addresses: Iterable[IPAddress]) -> bytes:
    """M without the counter: 0x02 0x01 vhid, IPv4 ascending, IPv6 ascending."""
    addrs = list(addresses)
    return b"\x02\x01" + bytes([vhid]) + _packed_sorted(addrs, 4) + _packed_sorted(addrs, 6)


class CarpAuth:
    """The HMAC of one vhid, precomputed up to the counter as the kernels do.

    `key` is the 20-byte key (`model.carp_key`); `addresses` every VIP of the vhid, both
    families, in any order. Like FreeBSD's carp_hmac_prepare, it keeps RFC 2104's two SHA-1
    states: the inner one after (key ^ ipad) and the message prefix, the outer one after
    (key ^ opad); each advert then hashes only its counter (hashlib's objects directly: a
    third of the time of copying an hmac.HMAC).
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes, vhid: int, addresses: Iterable[IPAddress]) -> None:
        block = hashlib.sha1().block_size
        if len(key) > block:
            key = hashlib.sha1(key).digest()
        key = key.ljust(block, b"\0")
        self._inner = hashlib.sha1(bytes(b ^ 0x36 for b in key))
        self._inner.update(hmac_message_prefix(vhid, addresses))
        self._outer = hashlib.sha1(bytes(b ^ 0x5C for b in key))

    def digest(self, counter: int) -> bytes:
        inner = self._inner.copy()
        inner.update(counter.to_bytes(8, "big"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def verify(self, counter: int, md: bytes) -> bool:
        inner = self._inner.copy()  # digest's steps, inline: this runs for every advert received
        inner.update(counter.to_bytes(8, "big"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return hmac.compare_digest(outer.digest(), md)


def carp_hmac(key: bytes, vhid: int, addresses: Iterable[IPAddress], counter: int) -> bytes:
    """One-off HMAC-SHA1 of an advert (see CarpAuth for the precomputed form)."""
    return CarpAuth(key, vhid, addresses).digest(counter)


def build_carp(
    auth: CarpAuth, vhid: int, advbase: int, advskew: int, counter: int, demote: int = 0
) -> bytes:
    """A complete, signed, checksummed 36-byte advertisement (CarpHeader.pack's bytes, packed
    straight from the fields: this runs for every advert a MASTER sends)."""
    raw = _CARP.pack(
        _VERSION_TYPE,
        vhid,
        advskew,
        CARP_AUTHLEN,
        demote,
        advbase,
        0,
        counter,
        auth.digest(counter),
    )
    return raw[:6] + _CHECKSUM.pack(inet_checksum(raw)) + raw[8:]


_CARP_HEAD = struct.Struct("!BBBBBB")
_CARP_TAIL_WORDS = struct.Struct("!14H")  # the counter and the HMAC: 28 bytes


class CarpAdverts:
    """build_carp's bytes for one vhid, faster: a MASTER sends the same header every second
    but for the counter and the HMAC, so the first six bytes and their part of the checksum
    are kept until advbase, advskew or demote change (tests/carp/test_properties.py compares
    the two over every field)."""

    __slots__ = ("_head", "_key", "_sum", "auth", "vhid")

    def __init__(self, auth: CarpAuth, vhid: int) -> None:
        self.auth, self.vhid = auth, vhid
        self._key: tuple[int, int, int] | None = None
        self._head = b""
        self._sum = 0

    def build(self, advbase: int, advskew: int, counter: int, demote: int = 0) -> bytes:
        if self._key != (advbase, advskew, demote):
            self._key = (advbase, advskew, demote)
            self._head = _CARP_HEAD.pack(
                _VERSION_TYPE, self.vhid, advskew, CARP_AUTHLEN, demote, advbase
            )
            self._sum = sum(struct.unpack("!3H", self._head))
        tail = counter.to_bytes(8, "big") + self.auth.digest(counter)
        total = self._sum + sum(_CARP_TAIL_WORDS.unpack(tail))
        total = (total & 0xFFFF) + (total >> 16)
        total = (total & 0xFFFF) + (total >> 16)
        return self._head + _CHECKSUM.pack(~total & 0xFFFF) + tail


def carp_fields(payload: bytes) -> tuple[int, int, int, bytes]:
    """(advbase, advskew, counter, hmac) of a checked CARP advert: what the input pipeline
    needs of every advert it receives, without decode_carp's object."""
    _, _, advskew, _, _, advbase, _, counter, md = _CARP.unpack_from(payload)
    return advbase, advskew, counter, md


# --- VRRPv3 --------------------------------------------------------------------------------


@record
class VrrpHeader:
    """A VRRPv3 advertisement (FreeBSD's `carpver 3`, keepalived)."""

    vrid: int
    priority: int
    #: max advertisement interval, centiseconds (12 bits)
    interval: int
    addresses: tuple[IPAddress, ...]
    version: int = VRRP_VERSION
    type: int = CARP_ADVERTISEMENT
    #: the count byte as found on the wire (may disagree with the list on bad input)
    count: int = 0
    reserved: int = 0
    checksum: int = 0


def pseudo_header(src: IPAddress, dst: IPAddress, length: int, proto: int = IPPROTO_CARP) -> bytes:
    """The IPv4 or IPv6 pseudo-header upper-layer checksums include."""
    if src.version == 4:
        return src.packed + dst.packed + struct.pack("!BBH", 0, proto, length)
    return src.packed + dst.packed + struct.pack("!I3xB", length, proto)


def build_vrrp(
    vrid: int,
    priority: int,
    interval_cs: int,
    addresses: Iterable[IPAddress],
    src: IPAddress,
    dst: IPAddress,
) -> bytes:
    """A VRRPv3 advert for the addresses of src's family, in configuration order."""
    addrs = [a for a in addresses if a.version == src.version]
    body = _VRRP.pack(
        (VRRP_VERSION << 4) | CARP_ADVERTISEMENT,
        vrid,
        priority,
        len(addrs),
        interval_cs & VRRP_MAX_INTERVAL,
        0,
    ) + b"".join(a.packed for a in addrs)
    csum = inet_checksum(pseudo_header(src, dst, len(body)) + body)
    return body[:6] + struct.pack("!H", csum) + body[8:]


def vrrp_checksum_ok(payload: bytes, src: IPAddress, dst: IPAddress) -> bool:
    return inet_checksum(pseudo_header(src, dst, len(payload)) + payload) == 0


def decode_vrrp(payload: bytes, family: int) -> VrrpHeader:
    """Decode a VRRPv3 advert; `family` (4 or 6) gives the size of the listed addresses."""
    if len(payload) < VRRP_HEADER_LEN:
        raise WireError(f"short VRRP header: {len(payload)} bytes, need {VRRP_HEADER_LEN}")
    vt, vrid, prio, count, rsvd_int, csum = _VRRP.unpack_from(payload)
    size = 4 if family == 4 else 16
    need = VRRP_HEADER_LEN + count * size
    if len(payload) < need:
        raise WireError(f"VRRP lists {count} addresses: need {need} bytes, have {len(payload)}")
    raw = payload[VRRP_HEADER_LEN:need]
    addrs: tuple[IPAddress, ...] = tuple(
        ipaddress.ip_address(raw[i : i + size]) for i in range(0, len(raw), size)
    )
    return VrrpHeader(
        vrid=vrid,
        priority=prio,
        interval=rsvd_int & VRRP_MAX_INTERVAL,
        addresses=addrs,
        version=vt >> 4,
        type=vt & 0x0F,
        count=count,
        reserved=rsvd_int >> 12,
        checksum=csum,
    )


#: the shortest header of either version (CARP and VRRPv3 share the first 8 bytes)
MIN_HEADER_LEN = 8


def check_header(
    payload: bytes, src: IPAddress, dst: IPAddress, family: int
) -> tuple[Counter, str, tuple[object, ...]] | None:
    """Length, version and checksum: (counter, reason, its args) of the first failure (as
    `actions.Dropped` takes them), else None."""
    if len(payload) < MIN_HEADER_LEN:
        return Counter.BADLEN, "{}-byte advert from {}", (len(payload), src)
    version = payload[0] >> 4
    if version not in (CARP_VERSION, VRRP_VERSION):
        return Counter.BADVER, "version {} advert from {}", (version, src)
    if version == CARP_VERSION:
        if len(payload) < CARP_HEADER_LEN:
            return Counter.BADLEN, "{}-byte advert from {}", (len(payload), src)
        # IPv4 covers the whole payload (FreeBSD-modern), IPv6 the 36 header bytes.
        covered = payload if family == 4 else payload[:CARP_HEADER_LEN]
        if not carp_checksum_ok(covered):
            return Counter.BADSUM, "bad checksum from {}", (src,)
        return None
    size = 4 if family == 4 else 16
    if len(payload) < MIN_HEADER_LEN + payload[3] * size:
        return Counter.BADLEN, "VRRP advert from {} shorter than its address list", (src,)
    if not vrrp_checksum_ok(payload, src, dst):
        return Counter.BADSUM, "bad checksum from {}", (src,)
    return None
