"""Reading tcpdump's capture files: the frames a failover is measured by, with wire timestamps.

Classic pcap only (what `tcpdump -w` writes), Ethernet link type, either byte order, micro- or
nanosecond timestamps; times come out as integer microseconds. Frames are sorted into what the
benchmarks look at: CARP/VRRP advertisements (IP protocol 112), ARP (gratuitous or not) and ICMP
echo. Anything else, or anything cut short, is skipped: a capture is evidence, not input to trust.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path

ETH_IPV4 = 0x0800
ETH_ARP = 0x0806
PROTO_ICMP = 1
PROTO_CARP = 112
CARP_LEN = 36
CARP_AUTHLEN = 7
BOW_OUT = 255

_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1),
    b"\xa1\xb2\xc3\xd4": (">", 1),
    b"\x4d\x3c\xb2\xa1": ("<", 1000),
    b"\xa1\xb2\x3c\x4d": (">", 1000),
}


class PcapError(ValueError):
    """Not a capture file this reader understands."""


@dataclass(frozen=True)
class Advert:
    """A CARP or VRRPv2 advertisement (same protocol number, same first byte 0x21)."""

    ts: int
    src_mac: str
    src: IPv4Address
    proto: str  # "carp" or "vrrp"
    vhid: int
    advbase: int  # CARP advbase, VRRP advert interval (both seconds)
    skew: int  # CARP advskew; VRRP priority

    @property
    def bow_out(self) -> bool:
        """CARP's 255/255 advert, or VRRP's priority 0: the master is leaving."""
        if self.proto == "carp":
            return self.advbase == BOW_OUT and self.skew == BOW_OUT
        return self.skew == 0


@dataclass(frozen=True)
class Arp:
    ts: int
    src_mac: str
    op: int
    sha: str
    spa: IPv4Address
    tpa: IPv4Address

    @property
    def gratuitous(self) -> bool:
        return self.spa == self.tpa


@dataclass(frozen=True)
class Echo:
    ts: int
    src: IPv4Address
    dst: IPv4Address
    reply: bool
    ident: int
    seq: int


Frame = Advert | Arp | Echo


def mac(raw: bytes) -> str:
    return ":".join(f"{b:02x}" for b in raw)


def records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(timestamp in µs, frame bytes) for each record of a pcap file."""
    for ts, frame, _ in _records(data):
        yield ts, frame


def _records(data: bytes) -> Iterator[tuple[int, bytes, int]]:
    """(timestamp, frame, offset just after the record) for each complete record."""
    if len(data) < 24 or data[:4] not in _MAGICS:
        raise PcapError("not a classic pcap file (tcpdump -w)")
    order, per_us = _MAGICS[data[:4]]
    linktype = struct.unpack_from(order + "I", data, 20)[0]
    if linktype != 1:
        raise PcapError(f"link type {linktype}, expected Ethernet (1)")
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack_from(order + "IIII", data, off)
        if off + 16 + caplen > len(data):
            return  # the last record is cut short (still being written, or capture stopped)
        yield (
            sec * 1_000_000 + frac // per_us,
            data[off + 16 : off + 16 + caplen],
            off + 16 + caplen,
        )
        off += 16 + caplen


def classify(ts: int, frame: bytes) -> Frame | None:
    if len(frame) < 14:
        return None
    ethertype = struct.unpack_from("!H", frame, 12)[0]
    src_mac = mac(frame[6:12])
    if ethertype == ETH_ARP:
        return _arp(ts, src_mac, frame[14:])
    if ethertype == ETH_IPV4:
        return _ipv4(ts, src_mac, frame[14:])
    return None


def _arp(ts: int, src_mac: str, body: bytes) -> Arp | None:
    if len(body) < 28 or body[4] != 6 or body[5] != 4:
        return None
    op = struct.unpack_from("!H", body, 6)[0]
    return Arp(ts, src_mac, op, mac(body[8:14]), IPv4Address(body[14:18]), IPv4Address(body[24:28]))


def _ipv4(ts: int, src_mac: str, pkt: bytes) -> Frame | None:
    if len(pkt) < 20 or pkt[0] >> 4 != 4:
        return None
    ihl = (pkt[0] & 0x0F) * 4
    total = struct.unpack_from("!H", pkt, 2)[0]
    payload = pkt[ihl:total]
    src, dst = IPv4Address(pkt[12:16]), IPv4Address(pkt[16:20])
    if pkt[9] == PROTO_CARP and len(payload) >= 8 and payload[0] == 0x21:
        is_carp = len(payload) == CARP_LEN and payload[3] == CARP_AUTHLEN
        return Advert(
            ts,
            src_mac,
            src,
            "carp" if is_carp else "vrrp",
            payload[1],
            payload[5],
            payload[2],
        )
    if pkt[9] == PROTO_ICMP and len(payload) >= 8 and payload[0] in (0, 8):
        ident, seq = struct.unpack_from("!HH", payload, 4)
        return Echo(ts, src, dst, payload[0] == 0, ident, seq)
    return None


def parse(data: bytes) -> list[Frame]:
    out = []
    for ts, frame in records(data):
        item = classify(ts, frame)
        if item is not None:
            out.append(item)
    return out


def read(path: Path) -> list[Frame]:
    """The frames of interest in a capture file; a missing or empty file has none."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    if not data:
        return []
    return parse(data)


class Tail:
    """Reads a capture file that tcpdump is still writing, returning only the frames added since
    the last call (a record still being written waits for the next call)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.buf = b""
        self.pos = 0  # bytes of the file consumed so far
        self.header: bytes | None = None

    def new_frames(self) -> list[Frame]:
        try:
            with self.path.open("rb") as f:
                f.seek(self.pos)
                chunk = f.read()
        except FileNotFoundError:
            return []
        self.pos += len(chunk)
        self.buf += chunk
        if self.header is None:
            if len(self.buf) < 24:
                return []
            self.header, self.buf = self.buf[:24], self.buf[24:]
        used, out = 0, []
        for ts, frame, end in _records(self.header + self.buf):
            used = end - len(self.header)
            item = classify(ts, frame)
            if item is not None:
                out.append(item)
        self.buf = self.buf[used:]
        return out
