"""A small reader of the pcap files tcpdump writes: CARP adverts and ARP frames with their times.

Enough for timing a failover from one capture clock without tshark (which test 10 needs anyway,
but the failover tests should not depend on it).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path

LINKTYPE_ETHERNET = 1
_MAGIC = {b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\xa1\xb2\xc3\xd4": (">", 1e-6)}
_MAGIC |= {b"\x4d\x3c\xb2\xa1": ("<", 1e-9), b"\xa1\xb2\x3c\x4d": (">", 1e-9)}


def mac(raw: bytes) -> str:
    return ":".join(f"{b:02x}" for b in raw)


@dataclass(frozen=True)
class Advert:
    """A CARP advertisement (IPv4, protocol 112) as seen on the wire."""

    t: float
    eth_src: str
    src: IPv4Address
    ttl: int
    vhid: int
    advskew: int
    advbase: int

    @property
    def bow_out(self) -> bool:
        return self.advbase == 255 and self.advskew == 255


@dataclass(frozen=True)
class Arp:
    t: float
    eth_src: str
    op: int  # 1 request, 2 reply
    sender_mac: str
    sender_ip: IPv4Address
    target_ip: IPv4Address


def read(path: str | Path) -> list[Advert | Arp]:
    """The CARP adverts and ARP frames of an Ethernet pcap, in capture order."""
    data = Path(path).read_bytes()
    if len(data) < 24 or data[:4] not in _MAGIC:
        raise ValueError(f"{path}: not a pcap file")
    order, unit = _MAGIC[data[:4]]
    linktype = struct.unpack(order + "I", data[20:24])[0]
    if linktype != LINKTYPE_ETHERNET:
        raise ValueError(f"{path}: link type {linktype}, not Ethernet")
    out: list[Advert | Arp] = []
    pos = 24
    while pos + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(order + "IIII", data[pos : pos + 16])
        frame = data[pos + 16 : pos + 16 + caplen]
        pos += 16 + caplen
        parsed = _frame(sec + frac * unit, frame)
        if parsed is not None:
            out.append(parsed)
    return out


def _frame(t: float, frame: bytes) -> Advert | Arp | None:
    if len(frame) < 14:
        return None
    src, ethertype = mac(frame[6:12]), struct.unpack("!H", frame[12:14])[0]
    body = frame[14:]
    if ethertype == 0x0806 and len(body) >= 28:
        op = struct.unpack("!H", body[6:8])[0]
        return Arp(t, src, op, mac(body[8:14]), IPv4Address(body[14:18]), IPv4Address(body[24:28]))
    if ethertype != 0x0800 or len(body) < 20 or body[9] != 112:
        return None
    ihl = (body[0] & 0x0F) * 4
    carp = body[ihl:]
    if len(carp) < 36 or carp[0] != 0x21:
        return None
    return Advert(t, src, IPv4Address(body[12:16]), body[8], carp[1], carp[2], carp[5])


def adverts(frames: list[Advert | Arp], vhid: int, src: str) -> list[Advert]:
    return [f for f in frames if isinstance(f, Advert) and f.vhid == vhid and str(f.src) == src]
