"""Issue 12, attack 2 (junk floods): the kernel socket filter of rcnet.linux.bpf on real raw
sockets. A namespace sends hand-made protocol-112 packets to another whose receive socket (the
daemon's own `transport.Receiver`) carries the filter; the test asserts which arrive."""

from __future__ import annotations

import socket
import time
from ipaddress import IPv4Address, IPv6Address, ip_address

import pytest
from lab.netns import Lab, segment

from rcnet.carp.packet import build_ipv4, build_ipv6
from rcnet.linux import bpf, transport

pytestmark = pytest.mark.netns

A4, B4 = IPv4Address("192.0.2.1"), IPv4Address("192.0.2.2")
A6, B6 = IPv6Address("fd00:12::1"), IPv6Address("fd00:12::2")
VHIDS = (1, 7, 200)


def carp(vhid: int, first: int = bpf.CARP_ADVERT, length: int = bpf.CARP_HEADER_LEN) -> bytes:
    """A CARP-shaped payload (the filter looks at bytes 0, 1 and the length only)."""
    body = bytes([first, vhid, 0, 1]) + bytes(max(0, length - 4))
    return body[:length]


def vrrp(vhid: int, count: int, size: int, extra: int = 0) -> bytes:
    return bytes([bpf.VRRP3_ADVERT, vhid, 100, count, 0, 100, 0, 0]) + bytes(count * size + extra)


class Pair:
    """Sender `a` and receiver `b` on one segment, both families, the receiver filtered."""

    def __init__(self, lab: Lab, vhids: tuple[int, ...]) -> None:
        self.lab = lab
        segment(lab, (("a", f"{A4}/24"), ("b", f"{B4}/24")))
        for host, address in (("a", A6), ("b", B6)):
            lab.ip(host, "addr", "add", f"{address}/64", "dev", "fxp0", "nodad")
        self.rx = {
            fam: lab.call("b", lambda fam=fam: transport.Receiver("fxp0", fam))
            for fam in (socket.AF_INET, socket.AF_INET6)
        }
        for r in self.rx.values():
            bpf.attach(r.sock, vhids)
        self.tx4 = lab.call("a", lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, 255))
        self.tx6 = lab.call("a", lambda: socket.socket(socket.AF_INET6, socket.SOCK_RAW, 255))
        self.tx6.setsockopt(socket.IPPROTO_IPV6, transport.IPV6_HDRINCL, 1)

    def send(self, payload: bytes, *, v6: bool = False, proto: int = 112, ttl: int = 255) -> None:
        if v6:
            self.tx6.sendto(build_ipv6(A6, B6, payload, proto=proto), (str(B6), 0))
        else:
            self.tx4.sendto(build_ipv4(A4, B4, payload, ttl=ttl, proto=proto), (str(B4), 0))

    def received(self, v6: bool = False, wait: float = 0.3) -> list[bytes]:
        r = self.rx[socket.AF_INET6 if v6 else socket.AF_INET]
        time.sleep(wait)
        return [p.payload for p in r.read(1000)]

    def close(self) -> None:
        for s in (*self.rx.values(), self.tx4, self.tx6):
            s.close()


@pytest.fixture
def pair(lab: Lab) -> Pair:
    p = Pair(lab, VHIDS)
    yield p  # type: ignore[misc]
    p.close()


@pytest.mark.parametrize("v6", [False, True], ids=["inet", "inet6"])
def test_filter_passes_adverts_of_configured_vhids(pair: Pair, v6: bool) -> None:
    size = 16 if v6 else 4
    good = [carp(1), carp(7, length=60), carp(200), vrrp(7, 1, size), vrrp(200, 3, size, extra=2)]
    for payload in good:
        pair.send(payload, v6=v6)
    assert pair.received(v6) == good


@pytest.mark.parametrize("v6", [False, True], ids=["inet", "inet6"])
def test_filter_drops_what_cannot_be_an_advert(pair: Pair, v6: bool) -> None:
    size = 16 if v6 else 4
    bad = {
        "unconfigured vhid": carp(8),
        "vhid 0": carp(0),
        "CARP version 1": carp(1, first=0x11),
        "CARP type 2": carp(1, first=0x22),
        "VRRP version 2 type 1 is CARP's byte, but short": carp(1, length=35),
        "VRRPv3 short of its address list": vrrp(7, 2, size)[:-1],
        "VRRPv3 type 2": bytes([0x32]) + vrrp(7, 1, size)[1:],
        "a VRRPv3 header cut short": vrrp(7, 0, size)[:7],
        "empty": b"",
        "one byte": b"\x21",
    }
    for payload in bad.values():
        pair.send(payload, v6=v6)
    marker = carp(7)
    pair.send(marker, v6=v6)  # proves the socket works and that the bad ones were sent first
    assert pair.received(v6) == [marker], [k for k, v in bad.items() if v in pair.received(v6, 0)]


def test_filter_does_not_check_the_ttl(pair: Pair) -> None:
    """The engine counts wrong TTLs (FreeBSD's carps_badttl), so the filter lets them through."""
    pair.send(carp(7), ttl=64)
    assert pair.received() == [carp(7)]


def test_reattach_replaces_the_vhid_set(pair: Pair) -> None:
    """A reload that changes the vhids attaches a new filter over the old one."""
    for r in pair.rx.values():
        bpf.attach(r.sock, [8])
    pair.send(carp(7))
    pair.send(carp(8))
    pair.send(carp(8), v6=True)
    assert pair.received() == [carp(8)]
    assert pair.received(True, 0) == [carp(8)]


def test_filter_with_every_vhid_and_none(lab: Lab) -> None:
    """255 vhids need jumps beyond a conditional jump's 255-instruction reach; no vhid passes
    nothing."""
    pair = Pair(lab, tuple(range(1, 256)))
    try:
        for vhid in (1, 128, 255):
            pair.send(carp(vhid))
        pair.send(carp(0))
        assert [p[1] for p in pair.received()] == [1, 128, 255]
        bpf.attach(pair.rx[socket.AF_INET].sock, ())
        pair.send(carp(1))
        assert pair.received() == []
    finally:
        pair.close()


def test_addresses_are_what_they_say() -> None:
    assert ip_address(str(A4)) == A4  # the test's own constants: a typo would test nothing
