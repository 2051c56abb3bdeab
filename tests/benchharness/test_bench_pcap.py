"""bench.pcap: timestamps in µs whatever the file's byte order and precision; frame kinds."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

import pytest

from bench import pcap
from tests.benchharness import pcapbuild as pb

T0 = 1_700_000_000_123_456


@pytest.mark.parametrize(("nano", "big"), [(False, False), (True, False), (False, True)])
def test_timestamps_are_microseconds_in_every_flavour(nano: bool, big: bool) -> None:
    data = pb.pcap_file(
        [(T0, pb.garp("192.168.1.50")), (T0 + 7, pb.garp("192.168.1.50"))], nano, big
    )
    frames = pcap.parse(data)
    assert [f.ts for f in frames] == [T0, T0 + 7]


def test_carp_advert_fields_and_bow_out() -> None:
    frames = pcap.parse(
        pb.pcap_file(
            [(T0, pb.carp("192.168.1.3", 7, 1, 100)), (T0 + 1, pb.carp("192.168.1.3", 7, 255, 255))]
        )
    )
    first, bow = frames
    assert isinstance(first, pcap.Advert) and isinstance(bow, pcap.Advert)
    assert (first.proto, first.vhid, first.advbase, first.skew) == ("carp", 7, 1, 100)
    assert first.src == IPv4Address("192.168.1.3") and first.src_mac == "00:00:5e:00:01:01"
    assert not first.bow_out and bow.bow_out


def test_vrrp_advert_is_told_apart_and_priority_zero_is_a_bow_out() -> None:
    frames = pcap.parse(
        pb.pcap_file([(T0, pb.vrrp("192.168.1.4", 1, 100)), (T0 + 1, pb.vrrp("192.168.1.4", 1, 0))])
    )
    assert [(f.proto, f.skew, f.bow_out) for f in frames if isinstance(f, pcap.Advert)] == [
        ("vrrp", 100, False),
        ("vrrp", 0, True),
    ]


def test_arp_gratuitous_or_not_and_echo() -> None:
    frames = pcap.parse(
        pb.pcap_file(
            [
                (T0, pb.garp("192.168.1.50", op=2)),
                (T0 + 1, pb.arp_request("192.168.1.5", "192.168.1.50")),
                (T0 + 2, pb.echo("192.168.1.50", "192.168.1.5", True, 9)),
                (T0 + 3, pb.echo("192.168.1.5", "192.168.1.50", False, 10)),
            ]
        )
    )
    g, req, rep, ask = frames
    assert isinstance(g, pcap.Arp) and g.gratuitous and g.op == 2 and g.sha == "00:00:5e:00:01:01"
    assert isinstance(req, pcap.Arp) and not req.gratuitous
    assert isinstance(rep, pcap.Echo) and rep.reply and rep.seq == 9
    assert isinstance(ask, pcap.Echo) and not ask.reply


def test_a_record_cut_short_ends_the_file_quietly() -> None:
    data = pb.pcap_file([(T0, pb.garp("192.168.1.50")), (T0 + 1, pb.garp("192.168.1.50"))])
    assert len(pcap.parse(data[:-5])) == 1


def test_other_frames_are_skipped() -> None:
    ipv6 = pb.eth(pb.MAC_A, pb.BCAST, 0x86DD, bytes(40))
    udp = pb.eth(pb.MAC_A, pb.BCAST, 0x0800, pb.ipv4("10.0.0.1", "10.0.0.2", 17, bytes(8)))
    assert pcap.parse(pb.pcap_file([(T0, ipv6), (T0, udp), (T0, b"\x00" * 5)])) == []


def test_not_a_pcap_file_is_an_error() -> None:
    with pytest.raises(pcap.PcapError, match="classic pcap"):
        pcap.parse(b"\x0a\x0d\x0d\x0a" + bytes(40))  # pcapng
    with pytest.raises(pcap.PcapError, match="link type 113"):
        pcap.parse(pb.pcap_file([], linktype=113))  # Linux cooked capture (-i any)


def test_missing_or_empty_file_has_no_frames(tmp_path: Path) -> None:
    (tmp_path / "empty.pcap").write_bytes(b"")
    assert pcap.read(tmp_path / "nothing.pcap") == []
    assert pcap.read(tmp_path / "empty.pcap") == []


def test_tail_returns_only_new_complete_frames(tmp_path: Path) -> None:
    data = pb.pcap_file([(T0 + i, pb.garp("192.168.1.50")) for i in range(3)])
    path = tmp_path / "live.pcap"
    tail = pcap.Tail(path)
    assert tail.new_frames() == []  # not created yet
    path.write_bytes(data[:10])  # not even the file header
    assert tail.new_frames() == []
    first_record_end = 24 + 16 + len(pb.garp("192.168.1.50"))
    path.write_bytes(data[: first_record_end + 7])  # one record and a bit of the next
    assert [f.ts for f in tail.new_frames()] == [T0]
    path.write_bytes(data)
    assert [f.ts for f in tail.new_frames()] == [T0 + 1, T0 + 2]
    assert tail.new_frames() == []
