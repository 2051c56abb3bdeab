"""Mutated valid adverts through the decoders and the engine; adverts round-trip every framing.

tests/carp/test_properties.py gives handle_packet arbitrary payloads; here the inputs are whole
IP packets that start valid (the §2.5 vectors, the Handbook's adverts, VRRPv3) and are damaged
one field at a time, so each check of the input pipeline is reached, on both engines of
`oracle_packet` (the Handbook provider read from its rc.conf, and a modern IPv4+IPv6/VRRP host)
in BACKUP and in MASTER. The verdict must always be one counter. The round trips add what the
existing ones lack: IPv6, Ethernet with and without 802.1Q, Linux cooked captures, `sniff`, and
rcnet decode's describe.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rcnet.carp import packet, wire
from rcnet.model import carp_key
from tools.fuzz import vectors
from tools.fuzz.oracle_packet import IFACES, PacketInput, check_packet_input

PACKETS = vectors.ip_packets()
SETTINGS = settings(deadline=None, max_examples=150)


@st.composite
def damaged_packet(draw: st.DrawFn) -> bytes:
    """A valid packet with one to three fields or bytes damaged."""
    data = bytearray(draw(st.sampled_from(PACKETS)))
    v4 = data[0] >> 4 == 4
    ip_len = 20 if v4 else 40
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(["bit", "cut", "extend", "ttl", "version", "checksum", "payload"])
        )
        if kind == "bit" and data:
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "cut":
            del data[draw(st.integers(0, len(data))) :]
        elif kind == "extend":
            data += draw(st.binary(min_size=1, max_size=40))
        elif kind == "ttl" and len(data) > 8:
            data[8 if v4 else 7] = draw(st.sampled_from([0, 1, 64, 254, 255]))
        elif kind == "version" and len(data) > ip_len:
            # the CARP/VRRP version nibble, keeping the type
            data[ip_len] = (draw(st.integers(0, 15)) << 4) | (data[ip_len] & 0x0F)
        elif kind == "checksum" and len(data) > ip_len + 7:
            at = ip_len + 6 if draw(st.booleans()) else (10 if v4 else ip_len + 6)
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "payload" and len(data) > ip_len:
            i = draw(st.integers(ip_len, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
    return bytes(data)


@SETTINGS
@given(
    data=damaged_packet(),
    engine=st.integers(0, 1),
    master=st.booleans(),
    iface=st.integers(0, len(IFACES) - 1),
)
def test_damaged_adverts_get_one_verdict(
    data: bytes, engine: int, master: bool, iface: int
) -> None:
    check_packet_input(PacketInput(engine, master, iface, data))


@settings(deadline=None, max_examples=40)
@given(data=damaged_packet(), how=st.integers(0, 2))
def test_damaged_adverts_through_rcnet_decode(
    data: bytes, how: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    check_packet_input(PacketInput(0, False, 0, data, how), tmp_path_factory.mktemp("decode"))


@pytest.mark.parametrize("index", range(len(PACKETS)))
@pytest.mark.parametrize("engine", [0, 1])
def test_undamaged_packets_hold_too(index: int, engine: int, tmp_path: Path) -> None:
    verdict = check_packet_input(PacketInput(engine, False, 0, PACKETS[index]), tmp_path)
    assert verdict.startswith(("accepted", "dropped:"))


def test_the_handbook_adverts_are_accepted() -> None:
    """The oracle's engines are the real thing: hosta's and hostb's adverts pass the provider."""
    for data in PACKETS[5:7]:
        assert check_packet_input(PacketInput(0, False, 0, data)) == "accepted"
        assert check_packet_input(PacketInput(0, True, 0, data)) == "accepted"


FRAMINGS = ["ip", "ethernet", "vlan", "sll", "sll2"]
ipv4s = st.builds(ipaddress.IPv4Address, st.integers(1, 2**32 - 2))
ipv6s = st.builds(ipaddress.IPv6Address, st.integers(1, 2**128 - 1))


@settings(deadline=None, max_examples=150)
@given(
    vhid=st.integers(1, 255),
    advbase=st.integers(0, 255),
    advskew=st.integers(0, 255),
    counter=st.integers(0, 2**64 - 1),
    password=st.text(max_size=25),
    vips=st.lists(st.one_of(ipv4s, ipv6s), min_size=1, max_size=4),
    src=st.one_of(ipv4s, ipv6s),
    framing=st.sampled_from(FRAMINGS),
)
def test_advert_round_trips_through_every_framing(
    vhid: int,
    advbase: int,
    advskew: int,
    counter: int,
    password: str,
    vips: list[ipaddress.IPv4Address | ipaddress.IPv6Address],
    src: ipaddress.IPv4Address | ipaddress.IPv6Address,
    framing: str,
) -> None:
    key = carp_key(password)
    auth = wire.CarpAuth(key, vhid, vips)
    payload = wire.build_carp(auth, vhid, advbase, advskew, counter)
    ip = vectors.ipv4(payload, src) if src.version == 4 else vectors.ipv6(payload, src)
    frame = {
        "ip": ip,
        "ethernet": vectors.ethernet(ip, vhid),
        "vlan": vectors.ethernet(ip, vhid, vlan=vhid),
        "sll": vectors.sll(ip),
        "sll2": vectors.sll2(ip),
    }[framing]
    parse = {
        "ip": packet.parse_ip,
        "ethernet": packet.parse_ethernet,
        "vlan": packet.parse_ethernet,
        "sll": packet.parse_sll,
        "sll2": packet.parse_sll2,
    }[framing]
    got = parse(frame)
    assert got is not None
    assert (got.src, got.ttl, got.proto, got.payload) == (src, 255, 112, payload)
    if framing in ("ip", "ethernet", "vlan"):
        kind, sniffed = packet.sniff(frame)
        assert kind == ("ip" if framing == "ip" else "ethernet") and sniffed == got
    hdr = wire.decode_carp(got.payload)
    assert (hdr.vhid, hdr.advbase, hdr.advskew, hdr.counter) == (vhid, advbase, advskew, counter)
    assert wire.carp_checksum_ok(got.payload) and auth.verify(hdr.counter, hdr.hmac)
    if framing in ("ip", "ethernet", "vlan"):
        from rcnet.carp import describe

        shown = describe.describe_bytes(frame, lambda _v, _s: (key, vips))
        assert (shown["vhid"], shown["advbase"], shown["advskew"]) == (vhid, advbase, advskew)
        assert (shown["counter"], shown["auth"], shown["checksum_ok"]) == (counter, "ok", True)
        assert shown["hmac"] == hdr.hmac.hex() and shown["src"] == str(src)
