"""Frames and pcap files built by hand for the bench tests."""

from __future__ import annotations

import struct
from ipaddress import IPv4Address

MAC_A = bytes.fromhex("020000000001")
VMAC1 = bytes.fromhex("00005e000101")
BCAST = b"\xff" * 6
MCAST = bytes.fromhex("01005e000012")


def eth(src: bytes, dst: bytes, ethertype: int, body: bytes) -> bytes:
    return dst + src + struct.pack("!H", ethertype) + body


def ipv4(src: str, dst: str, proto: int, payload: bytes, ttl: int = 255) -> bytes:
    header = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        20 + len(payload),
        0,
        0,
        ttl,
        proto,
        0,
        IPv4Address(src).packed,
        IPv4Address(dst).packed,
    )
    return header + payload


def carp(src: str, vhid: int, advbase: int = 1, advskew: int = 0, mac: bytes = VMAC1) -> bytes:
    body = bytes([0x21, vhid, advskew, 7, 0, advbase, 0, 0]) + bytes(28)
    return eth(mac, MCAST, 0x0800, ipv4(src, "224.0.0.18", 112, body))


def vrrp(src: str, vrid: int, priority: int, mac: bytes = MAC_A) -> bytes:
    body = bytes([0x21, vrid, priority, 1, 0, 1, 0, 0]) + IPv4Address("192.168.1.50").packed
    body += bytes(8)
    return eth(mac, MCAST, 0x0800, ipv4(src, "224.0.0.18", 112, body))


def garp(vip: str, mac: bytes = VMAC1, op: int = 1) -> bytes:
    ip = IPv4Address(vip).packed
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + mac + ip + bytes(6) + ip
    return eth(mac, BCAST, 0x0806, body)


def arp_request(sender: str, target: str, mac: bytes = MAC_A) -> bytes:
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac
    body += IPv4Address(sender).packed + bytes(6) + IPv4Address(target).packed
    return eth(mac, BCAST, 0x0806, body)


def arp_reply(sender: str, target: str, mac: bytes = VMAC1) -> bytes:
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + mac
    body += IPv4Address(sender).packed + MAC_A + IPv4Address(target).packed
    return eth(mac, MAC_A, 0x0806, body)


def echo(src: str, dst: str, reply: bool, seq: int) -> bytes:
    body = struct.pack("!BBHHH", 0 if reply else 8, 0, 0, 77, seq) + bytes(8)
    return eth(MAC_A, VMAC1, 0x0800, ipv4(src, dst, 1, body, ttl=64))


def pcap_file(
    frames: list[tuple[int, bytes]], nano: bool = False, big: bool = False, linktype: int = 1
) -> bytes:
    """A classic pcap file of (µs timestamp, frame) records."""
    order = ">" if big else "<"
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)
    for ts, frame in frames:
        sec, us = divmod(ts, 1_000_000)
        frac = us * 1000 if nano else us
        out += struct.pack(order + "IIII", sec, frac, len(frame), len(frame)) + frame
    return out
