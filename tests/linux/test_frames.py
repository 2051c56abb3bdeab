"""Frames of rcnet.linux.frames against scapy's dissectors (no root needed)."""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv6Address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scapy.layers.inet import IP
from scapy.layers.inet6 import ICMPv6ND_NA, ICMPv6NDOptDstLLAddr, IPv6
from scapy.layers.l2 import ARP, Ether

from rcnet.carp import packet, wire
from rcnet.linux import frames

PAYLOAD = bytes([0x21, 1, 100, 7, 0, 1]) + bytes(30)  # a 36-byte CARP-shaped payload
PROVIDER = IPv4Address("192.168.1.5")


def test_virtual_mac() -> None:
    assert packet.mac_str(packet.virtual_mac(1)) == "00:00:5e:00:01:01"
    assert packet.mac_str(packet.virtual_mac(255)) == "00:00:5e:00:01:ff"
    with pytest.raises(ValueError):
        packet.virtual_mac(0)
    with pytest.raises(ValueError):
        packet.virtual_mac(256)
    assert packet.mac_bytes("00:00:5e:00:01:0a") == packet.virtual_mac(10)


def test_multicast_macs() -> None:
    assert packet.mac_str(packet.multicast_mac(wire.CARP_GROUP4)) == "01:00:5e:00:00:12"
    assert packet.mac_str(packet.multicast_mac(wire.CARP_GROUP6)) == "33:33:00:00:00:12"
    with pytest.raises(ValueError):
        packet.multicast_mac(PROVIDER)


def test_advert_frame4_fields() -> None:
    raw = frames.advert_frame4(1, PROVIDER, PAYLOAD, ident=0x1234)
    pkt = Ether(raw)
    assert pkt.src == "00:00:5e:00:01:01"
    assert pkt.dst == "01:00:5e:00:00:12"
    ip = pkt[IP]
    assert (ip.src, ip.dst, ip.ttl, ip.proto) == ("192.168.1.5", "224.0.0.18", 255, 112)
    assert ip.tos == 0xE0
    assert ip.flags == "DF"
    assert ip.id == 0x1234
    assert ip.len == 56
    assert bytes(ip.payload) == PAYLOAD
    checked = ip.chksum
    del ip.chksum
    assert IP(bytes(ip)).chksum == checked
    assert len(raw) == 14 + 56


def test_advert_frame4_random_id_and_tos() -> None:
    ids = {Ether(frames.advert_frame4(2, PROVIDER, PAYLOAD))[IP].id for _ in range(8)}
    assert len(ids) > 1
    assert Ether(frames.advert_frame4(2, PROVIDER, PAYLOAD, tos=0x10))[IP].tos == 0x10


@settings(deadline=None)
@given(
    vhid=st.integers(1, 255),
    src=st.integers(0, 2**32 - 1),
    group=st.integers(0xE0000000, 0xEFFFFFFF),
    tos=st.integers(0, 255),
    payload=st.binary(max_size=80),
    ident=st.integers(0, 0xFFFF),
)
def test_the_advert_template_makes_advert_frame4s_bytes(
    vhid: int, src: int, group: int, tos: int, payload: bytes, ident: int
) -> None:
    source, dst = IPv4Address(src), IPv4Address(group)
    template = frames.AdvertFrames4(vhid, source, dst, tos, len(payload))
    want = frames.advert_frame4(vhid, source, payload, dst=dst, ident=ident, tos=tos)
    assert template.frame(payload, ident) == want
    assert template.fits(source, dst, tos, len(payload))
    assert not template.fits(source, dst, tos ^ 1, len(payload))
    assert not template.fits(IPv4Address(src), dst, tos, len(payload))  # the same, not equal


@pytest.mark.parametrize("ident", [0, 1, 0xFFFE, 0xFFFF])
def test_the_advert_template_checksum_at_the_folding_edges(ident: int) -> None:
    template = frames.AdvertFrames4(7, PROVIDER, wire.CARP_GROUP4, frames.TOS_CS7, 36)
    raw = template.frame(PAYLOAD, ident)
    assert wire.inet_checksum(raw[14:34]) == 0
    assert Ether(raw)[IP].id == ident
    assert raw == frames.advert_frame4(7, PROVIDER, PAYLOAD, ident=ident)


def test_advert_frame4_refuses_unicast() -> None:
    with pytest.raises(ValueError, match="multicast"):
        frames.advert_frame4(1, PROVIDER, PAYLOAD, dst=IPv4Address("192.168.1.3"))


def test_advert_frame6_fields() -> None:
    src = IPv6Address("fe80::5")
    pkt = Ether(frames.advert_frame6(3, src, PAYLOAD))
    assert pkt.src == "00:00:5e:00:01:03"
    assert pkt.dst == "33:33:00:00:00:12"
    ip6 = pkt[IPv6]
    assert (ip6.src, ip6.dst, ip6.hlim, ip6.nh, ip6.plen) == ("fe80::5", "ff02::12", 255, 112, 36)
    assert ip6.tc == 0xE0
    assert bytes(ip6.payload) == PAYLOAD


def test_gratuitous_arp() -> None:
    raw = frames.garp_frame(1, IPv4Address("192.168.1.50"))
    assert len(raw) == 60  # padded to the Ethernet minimum
    pkt = Ether(raw)
    assert pkt.dst == "ff:ff:ff:ff:ff:ff"
    assert pkt.src == "00:00:5e:00:01:01"
    arp = pkt[ARP]
    assert arp.op == 1
    assert arp.hwsrc == "00:00:5e:00:01:01"
    assert arp.psrc == arp.pdst == "192.168.1.50"
    assert arp.hwdst == "00:00:00:00:00:00"


def test_unsolicited_na() -> None:
    vip = IPv6Address("2001:db8::50")
    pkt = Ether(frames.unsolicited_na_frame(7, vip))
    assert pkt.src == "00:00:5e:00:01:07"
    assert pkt.dst == "33:33:00:00:00:01"
    ip6 = pkt[IPv6]
    assert (ip6.src, ip6.dst, ip6.hlim) == ("2001:db8::50", "ff02::1", 255)
    na = pkt[ICMPv6ND_NA]
    assert (na.R, na.S, na.O) == (0, 0, 1)
    assert na.tgt == "2001:db8::50"
    assert pkt[ICMPv6NDOptDstLLAddr].lladdr == "00:00:5e:00:01:07"
    checked = na.cksum
    del na.cksum
    assert Ether(bytes(pkt))[ICMPv6ND_NA].cksum == checked
    router = Ether(frames.unsolicited_na_frame(7, vip, src=IPv6Address("fe80::1"), router=True))
    assert router[ICMPv6ND_NA].R == 1
    assert router[IPv6].src == "fe80::1"


def test_announcements_in_order() -> None:
    vips = (IPv4Address("192.168.1.50"), IPv6Address("2001:db8::50"))
    out = frames.announcements(1, vips)
    assert ARP in Ether(out[0])
    assert ICMPv6ND_NA in Ether(out[1])


@settings(deadline=None, max_examples=200)
@given(
    src=st.integers(min_value=1, max_value=2**32 - 2),
    dst=st.integers(min_value=0xE0000000, max_value=0xEFFFFFFF),
    payload=st.binary(min_size=0, max_size=64),
    ident=st.integers(min_value=0, max_value=0xFFFF),
)
def test_ipv4_checksum_matches_scapy(src: int, dst: int, payload: bytes, ident: int) -> None:
    raw = frames.advert_frame4(9, IPv4Address(src), payload, dst=IPv4Address(dst), ident=ident)
    ip = Ether(raw)[IP]
    assert wire.inet_checksum(raw[14:34]) == 0
    assert ip.src == str(ipaddress.IPv4Address(src))
    assert ip.len == 20 + len(payload)


@given(data=st.binary(max_size=100))
@settings(deadline=None)
def test_checksum_verifies_to_zero(data: bytes) -> None:
    padded = data + b"\0" if len(data) % 2 else data
    csum = wire.inet_checksum(padded)
    assert wire.inet_checksum(padded + csum.to_bytes(2, "big")) == 0
