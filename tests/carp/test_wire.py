"""Known-answer vectors of carp.md §2.5 and the header/packet codecs, byte for byte."""

from __future__ import annotations

import ipaddress
from typing import NamedTuple

import pytest

from rcnet.carp import packet, wire
from rcnet.model import carp_key

A = ipaddress.ip_address

A4 = ipaddress.IPv4Address


class Vec(NamedTuple):
    pw: str
    vhid: int
    vips: list[str]
    counter: int
    advbase: int
    advskew: int
    md: str
    header: str | None


VECTORS = [
    Vec(
        "testpass",
        1,
        ["192.168.1.50"],
        0x1,
        1,
        0,
        "c081b12350147c5791042a1d4ebae5a4ae5b5e13",
        "210100070001a4f40000000000000001c081b12350147c5791042a1d4ebae5a4ae5b5e13",
    ),
    Vec(
        "testpass",
        1,
        ["192.168.1.50"],
        0x0123456789ABCDEF,
        1,
        100,
        "8a28722b250012cc264dc3ff6044f75668e5d29d",
        "2101640700012b450123456789abcdef8a28722b250012cc264dc3ff6044f75668e5d29d",
    ),
    Vec(
        "mekmitasdigoat",
        2,
        ["192.168.2.1", "10.0.0.1"],
        0xFF,
        1,
        0,
        "5d97a462bcb3f9ff4f56c0263cc5bdf267f0d374",
        "210200070001dfae00000000000000ff5d97a462bcb3f9ff4f56c0263cc5bdf267f0d374",
    ),
    Vec(
        "secret",
        3,
        ["2001:db8::50", "192.168.1.50"],
        0x0000000100000002,
        2,
        50,
        "300b1f287e43406415c604824d3c9950435d284b",
        "21033207000232980000000100000002300b1f287e43406415c604824d3c9950435d284b",
    ),
    Vec("", 1, ["192.168.1.50"], 0x1, 1, 0, "05854428f811db3971491900f35fd9276a34543a", None),
]


V1_HEADER = "210100070001a4f40000000000000001c081b12350147c5791042a1d4ebae5a4ae5b5e13"


@pytest.mark.parametrize("vec", VECTORS, ids=["V1", "V2", "V3", "V4", "V5"])
def test_known_answer_hmac_and_header(vec: Vec) -> None:
    pw, vhid, vips, counter, advbase, advskew, md, header = vec
    auth = wire.CarpAuth(carp_key(pw), vhid, [A(v) for v in vips])
    assert auth.digest(counter).hex() == md
    if header is not None:
        assert wire.build_carp(auth, vhid, advbase, advskew, counter).hex() == header
        assert wire.CarpAdverts(auth, vhid).build(advbase, advskew, counter).hex() == header


def test_v1_message_layout() -> None:
    prefix = wire.hmac_message_prefix(1, [A("192.168.1.50")])
    assert (prefix + (1).to_bytes(8, "big")).hex() == "020101c0a801320000000000000001"


def test_address_order_and_duplicates_do_not_matter() -> None:
    key = carp_key("mekmitasdigoat")
    one = wire.carp_hmac(key, 2, [A("192.168.2.1"), A("10.0.0.1")], 0xFF)
    two = wire.carp_hmac(key, 2, [A("10.0.0.1"), A("192.168.2.1"), A("10.0.0.1")], 0xFF)
    assert one == two
    assert one.hex() == "5d97a462bcb3f9ff4f56c0263cc5bdf267f0d374"


def test_passphrase_truncated_to_19_bytes() -> None:
    vip = [A("192.168.1.50")]
    assert wire.carp_hmac(carp_key("A" * 25), 1, vip, 1) == wire.carp_hmac(
        carp_key("A" * 19), 1, vip, 1
    )
    assert wire.carp_hmac(carp_key("A" * 18), 1, vip, 1) != wire.carp_hmac(
        carp_key("A" * 19), 1, vip, 1
    )


def test_scapy_style_hmac_is_not_ours() -> None:
    # scapy hashes 0x21 and leaves the counter out (carp.md §2.6): must not be what we make.
    assert wire.carp_hmac(carp_key("testpass"), 1, [A("192.168.1.50")], 1).hex() != (
        "313e47543f9a876985b87d76d8419bf05d9634c9"
    )


def test_decode_v1_fields() -> None:
    raw = bytes.fromhex(V1_HEADER)
    h = wire.decode_carp(raw)
    assert (h.version, h.type, h.vhid, h.advskew, h.authlen, h.advbase, h.counter) == (
        2,
        1,
        1,
        0,
        7,
        1,
        1,
    )
    assert h.demote == 0 and h.checksum == 0xA4F4
    assert h.hmac.hex() == "c081b12350147c5791042a1d4ebae5a4ae5b5e13"
    assert wire.carp_checksum_ok(raw)
    assert h.pack(fill_checksum=False) == raw
    assert h.pack() == raw


def test_checksum_detects_a_flipped_byte() -> None:
    raw = bytearray.fromhex(V1_HEADER)
    raw[6] ^= 0xFF
    assert not wire.carp_checksum_ok(bytes(raw))


def test_short_header_is_an_error() -> None:
    with pytest.raises(wire.WireError, match="35 bytes"):
        wire.decode_carp(bytes(35))


def test_inet_checksum_odd_length_and_rfc1071_example() -> None:
    # RFC 1071 §3 example: sum of 0001 f203 f4f5 f6f7 is ddf2 (one's complement 220d).
    assert wire.inet_checksum(bytes.fromhex("0001f203f4f5f6f7")) == 0x220D
    assert wire.inet_checksum(b"\x01") == (~0x0100) & 0xFFFF


def test_v1_ipv4_datagram_and_frame() -> None:
    auth = wire.CarpAuth(carp_key("testpass"), 1, [A("192.168.1.50")])
    header = wire.build_carp(auth, 1, 1, 0, 1)
    dgram = packet.build_ipv4(A4("192.168.1.3"), wire.CARP_GROUP4, header, ident=0x1234)
    assert dgram.hex() == "45e0003812344000ff70c683c0a80103e0000012" + header.hex()
    frame = packet.build_ethernet(
        packet.multicast_mac(wire.CARP_GROUP4), packet.virtual_mac(1), dgram
    )
    assert frame[:14].hex() == "01005e00001200005e0001010800"
    ip = packet.parse_ethernet(frame)
    assert ip is not None
    assert (str(ip.src), str(ip.dst), ip.ttl, ip.proto, ip.tos) == (
        "192.168.1.3",
        "224.0.0.18",
        255,
        112,
        0xE0,
    )
    assert ip.payload == header


def test_ipv6_packet_round_trip_and_multicast_mac() -> None:
    src = ipaddress.IPv6Address("fe80::1")
    pkt = packet.build_ipv6(src, wire.CARP_GROUP6, b"x" * 36)
    ip = packet.parse_ip(pkt)
    assert (ip.version, ip.src, ip.dst, ip.ttl, ip.proto, ip.tos) == (
        6,
        src,
        wire.CARP_GROUP6,
        255,
        112,
        0xE0,
    )
    assert ip.payload == b"x" * 36
    assert packet.multicast_mac(wire.CARP_GROUP6).hex() == "333300000012"


def test_linux_cooked_and_vlan_frames() -> None:
    dgram = packet.build_ipv4(A4("10.0.0.1"), wire.CARP_GROUP4, bytes(36))
    sll = bytes(14) + b"\x08\x00" + dgram
    assert packet.parse_sll(sll) is not None
    sll2 = b"\x08\x00" + bytes(18) + dgram
    ip = packet.parse_sll2(sll2)
    assert ip is not None and ip.src == A("10.0.0.1")
    vlan = bytes(12) + b"\x81\x00\x00\x05\x08\x00" + dgram
    ip = packet.parse_ethernet(vlan)
    assert ip is not None and ip.payload == bytes(36)
    arp = bytes(12) + b"\x08\x06" + bytes(28)
    assert packet.parse_ethernet(arp) is None


def test_ethernet_padding_is_trimmed() -> None:
    dgram = packet.build_ipv4(A4("10.0.0.1"), wire.CARP_GROUP4, bytes(12))
    frame = bytes(12) + b"\x08\x00" + dgram + bytes(14)
    ip = packet.parse_ethernet(frame)
    assert ip is not None and len(ip.payload) == 12


def test_sniff_kinds() -> None:
    header = bytes.fromhex(V1_HEADER)
    dgram = packet.build_ipv4(A4("10.0.0.1"), wire.CARP_GROUP4, header)
    frame = packet.build_ethernet(bytes(6), bytes(6), dgram)
    assert packet.sniff(header) == ("header", None)
    kind, ip = packet.sniff(dgram)
    assert kind == "ip" and ip is not None and ip.payload == header
    kind, ip = packet.sniff(frame)
    assert kind == "ethernet" and ip is not None and ip.payload == header


def test_vrrp_round_trip_with_pseudo_header() -> None:
    src, dst = A("192.168.1.3"), wire.CARP_GROUP4
    vips = [A("192.168.1.50"), A("2001:db8::1"), A("192.168.1.51")]
    raw = wire.build_vrrp(7, 200, 100, vips, src, dst)
    assert raw[:6].hex() == "3107c8020064"
    assert len(raw) == 8 + 2 * 4
    assert wire.vrrp_checksum_ok(raw, src, dst)
    assert not wire.vrrp_checksum_ok(raw, A("192.168.1.4"), dst)
    h = wire.decode_vrrp(raw, 4)
    assert (h.version, h.type, h.vrid, h.priority, h.interval, h.count) == (3, 1, 7, 200, 100, 2)
    assert h.addresses == (A("192.168.1.50"), A("192.168.1.51"))
    raw6 = wire.build_vrrp(7, 100, 100, vips, A("fe80::1"), wire.CARP_GROUP6)
    assert len(raw6) == 8 + 16
    assert wire.vrrp_checksum_ok(raw6, A("fe80::1"), wire.CARP_GROUP6)
    assert wire.decode_vrrp(raw6, 6).addresses == (A("2001:db8::1"),)


def test_vrrp_known_checksum() -> None:
    # Independently summed by hand: pseudo-header c0a8 0103 e000 0012 0070 000c, then the
    # header 3101 6401 0064 and the address c0a8 0132.
    raw = wire.build_vrrp(1, 100, 100, [A("192.168.1.50")], A("192.168.1.3"), wire.CARP_GROUP4)
    words = [0xC0A8, 0x0103, 0xE000, 0x0012, 0x0070, 0x000C, 0x3101, 0x6401, 0x0064]
    words += [0xC0A8, 0x0132]
    total = sum(words)
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    assert int.from_bytes(raw[6:8], "big") == (~total & 0xFFFF)


def test_vrrp_truncated_address_list() -> None:
    raw = wire.build_vrrp(1, 100, 100, [A("192.168.1.50")], A("192.168.1.3"), wire.CARP_GROUP4)
    with pytest.raises(wire.WireError, match="lists 1 addresses"):
        wire.decode_vrrp(raw[:10], 4)
