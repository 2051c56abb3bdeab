"""rcnet.linux.transport on the Handbook segment: what leaves, what arrives, what fails."""

from __future__ import annotations

import asyncio
import errno
import select
import shutil
import socket
import struct
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path

import pytest
from lab.hosts import handbook_provider
from lab.netns import Capture, Segment, tshark_fields

from rcnet.carp import wire
from rcnet.linux import netlink
from rcnet.linux.rtnl import LinkSwitch
from rcnet.linux.transport import ParentTransport, Received, Receiver, SendError

pytestmark = pytest.mark.netns

PROVIDER = IPv4Address("192.168.1.5")
HOSTA = IPv4Address("192.168.1.3")


def carp_header(vhid: int, advskew: int = 100, advbase: int = 1) -> bytes:
    """A CARP advert with a valid checksum (HMAC left zero: the transport does not look)."""
    head = struct.pack("!BBBBBBH", 0x21, vhid, advskew, 7, 0, advbase, 0) + bytes(28)
    csum = wire.inet_checksum(head)
    return head[:6] + struct.pack("!H", csum) + head[8:]


def wait_packets(receiver: Receiver, timeout: float = 2.0) -> list[Received]:
    ready, _, _ = select.select([receiver], [], [], timeout)
    return receiver.read() if ready else []


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (Debian package: {tool})")


def test_advert_arrives_with_ttl_255_and_virtual_mac(
    handbook_segment: Segment, tmp_path: Path
) -> None:
    need("tcpdump")
    need("tshark")
    lab = handbook_segment.lab
    payload = carp_header(1)
    receiver = Receiver("fxp0", netns=lab.name("hosta"))
    transport = ParentTransport("fxp0", netns=lab.name("provider"))
    pcap = str(tmp_path / "br0.pcap")
    try:
        with Capture(lab, "lan", "br0", pcap, "proto 112 or arp"):
            transport.send_advert(1, PROVIDER, payload)
            got = wait_packets(receiver)
            assert transport.announce(1, [IPv4Address("192.168.1.50")]) == 1
            own = transport.read()
    finally:
        receiver.close()
        transport.close()
    assert got == [Received(PROVIDER, wire.CARP_GROUP4, 255, payload, "fxp0")]
    assert own == []  # the sender never hears its own frames
    rows = tshark_fields(
        pcap,
        ["eth.src", "eth.dst", "ip.src", "ip.dst", "ip.ttl", "carp.vhid", "carp.advskew"],
        "carp",
    )
    assert rows == [
        ["00:00:5e:00:01:01", "01:00:5e:00:00:12", "192.168.1.5", "224.0.0.18", "255", "1", "100"]
    ]
    arp = tshark_fields(
        pcap,
        ["eth.src", "eth.dst", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.proto_ipv4"],
        "arp",
    )
    assert arp == [
        [
            "00:00:5e:00:01:01",
            "ff:ff:ff:ff:ff:ff",
            "00:00:5e:00:01:01",
            "192.168.1.50",
            "192.168.1.50",
        ]
    ]


def test_unicast_advert_leaves_from_the_nic(handbook_segment: Segment, tmp_path: Path) -> None:
    need("tcpdump")
    need("tshark")
    lab = handbook_segment.lab
    payload = carp_header(2, advskew=0)
    nic_mac = lab.ip("provider", "-br", "link", "show", "fxp0").stdout.split()[2]
    receiver = Receiver("fxp0", netns=lab.name("hosta"))
    transport = ParentTransport("fxp0", netns=lab.name("provider"))
    pcap = str(tmp_path / "uni.pcap")
    try:
        with Capture(lab, "lan", "br0", pcap, "proto 112"):
            transport.send_advert(2, PROVIDER, payload, peer=HOSTA)
            got = wait_packets(receiver)
    finally:
        receiver.close()
        transport.close()
    assert got == [Received(PROVIDER, HOSTA, 255, payload, "fxp0")]
    rows = tshark_fields(pcap, ["eth.src", "ip.dst", "ip.ttl", "ip.dsfield", "ip.flags.df"], "carp")
    assert rows == [[nic_mac, "192.168.1.3", "255", "0xe0", "1"]]


def test_ipv6_advert(handbook_segment: Segment) -> None:
    lab = handbook_segment.lab
    payload = carp_header(3)
    receiver = Receiver("fxp0", socket.AF_INET6, netns=lab.name("hosta"))
    transport = ParentTransport("fxp0", inet=False, inet6=True, netns=lab.name("provider"))
    try:
        transport.send_advert(3, IPv6Address("fe80::5"), payload)
        got = wait_packets(receiver)
    finally:
        receiver.close()
        transport.close()
    assert got == [Received(IPv6Address("fe80::5"), wire.CARP_GROUP6, 255, payload, "fxp0")]


def test_other_interfaces_and_groups_stay_out(handbook_segment: Segment) -> None:
    """IP_MULTICAST_ALL 0 and SO_BINDTODEVICE: a socket on lo hears nothing from fxp0."""
    lab = handbook_segment.lab
    on_lo = Receiver("lo", netns=lab.name("hosta"))
    on_fxp0 = Receiver("fxp0", netns=lab.name("hosta"))
    transport = ParentTransport("fxp0", netns=lab.name("provider"))
    try:
        transport.send_advert(1, PROVIDER, carp_header(1))
        assert len(wait_packets(on_fxp0)) == 1
        assert wait_packets(on_lo, timeout=0.2) == []
    finally:
        on_lo.close()
        on_fxp0.close()
        transport.close()


def test_admin_down_parent_is_a_send_error(handbook_segment: Segment) -> None:
    lab = handbook_segment.lab
    transport = ParentTransport("fxp0", netns=lab.name("provider"))
    try:
        lab.ip("provider", "link", "set", "fxp0", "down")
        with pytest.raises(SendError) as multicast:
            transport.send_advert(1, PROVIDER, carp_header(1))
        assert multicast.value.errno == errno.ENETDOWN
        assert multicast.value.ifname == "fxp0"
        with pytest.raises(SendError) as unicast:
            transport.send_advert(1, PROVIDER, carp_header(1), peer=HOSTA)
        assert unicast.value.errno in (errno.ENETUNREACH, errno.ENETDOWN)
        with pytest.raises(SendError):
            transport.announce(1, [IPv4Address("192.168.1.50")])
    finally:
        transport.close()


def test_asyncio_attach(handbook_segment: Segment) -> None:
    lab = handbook_segment.lab
    listener = ParentTransport("fxp0", netns=lab.name("hosta"))
    sender = ParentTransport("fxp0", netns=lab.name("provider"))

    async def main() -> Received:
        loop = asyncio.get_running_loop()
        arrived: asyncio.Future[Received] = loop.create_future()

        def on_packets(packets: list[Received]) -> None:
            assert packets  # a readable event that read nothing calls nobody
            if not arrived.done():
                arrived.set_result(packets[0])

        listener.attach(loop, on_packets)
        sender.send_advert(4, PROVIDER, carp_header(4))
        try:
            return await asyncio.wait_for(arrived, 2)
        finally:
            listener.detach()

    try:
        packet = asyncio.run(main())
    finally:
        listener.close()
        sender.close()
    assert packet.payload[1] == 4
    assert packet.ttl == 255


def test_missing_interface_is_a_clear_error(handbook_segment: Segment) -> None:
    with pytest.raises(OSError, match="em9: no such interface") as failed:
        ParentTransport("em9", netns=handbook_segment.lab.name("hosta"))
    assert failed.value.errno == errno.ENODEV


def test_ipv6_unicast_advert(handbook_segment: Segment) -> None:
    lab = handbook_segment.lab
    lab.ip("hosta", "addr", "add", "fd00::3/64", "dev", "fxp0", "nodad")
    lab.ip("provider", "addr", "add", "fd00::5/64", "dev", "fxp0", "nodad")
    payload = carp_header(5)
    receiver = Receiver("fxp0", socket.AF_INET6, netns=lab.name("hosta"))
    transport = ParentTransport("fxp0", inet=False, inet6=True, netns=lab.name("provider"))
    try:
        transport.send_advert(5, IPv6Address("fd00::5"), payload, peer=IPv6Address("fd00::3"))
        got = wait_packets(receiver)
    finally:
        receiver.close()
        transport.close()
    assert got == [Received(IPv6Address("fd00::5"), IPv6Address("fd00::3"), 255, payload, "fxp0")]


def test_two_masters_hear_each_other(handbook_segment: Segment) -> None:
    """Both carp0 macvlans up with the same virtual MAC (split brain): the adverts, sent from
    that MAC, must still reach the other parent (macvlan mode bridge), or it never ends."""
    lab = handbook_segment.lab
    ends = {"hosta": HOSTA, "provider": PROVIDER}
    transports: dict[str, ParentTransport] = {}
    switches: list[LinkSwitch] = []
    try:
        for name, address in ends.items():
            ns = lab.name(name)
            host = handbook_provider(str(address))
            netlink.apply(netlink.plan(host, netns=ns), netns=ns)
            switches.append(LinkSwitch(netns=ns))
            switches[-1].set_up("carp0", True)
            transports[name] = ParentTransport("fxp0", netns=ns)
        transports["provider"].send_advert(1, PROVIDER, carp_header(1))
        transports["hosta"].send_advert(1, HOSTA, carp_header(1, advskew=0))
        heard = {}
        for name, transport in transports.items():
            ready, _, _ = select.select(transport.receivers, [], [], 2.0)
            heard[name] = [p.src for p in transport.read()] if ready else []
    finally:
        for transport in transports.values():
            transport.close()
        for switch in switches:
            switch.close()
    assert heard == {"hosta": [PROVIDER], "provider": [HOSTA]}
