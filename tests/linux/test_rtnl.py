"""rtnetlink message parsing (no kernel needed)."""

from __future__ import annotations

import socket
import struct
from ipaddress import IPv4Address

from rcnet.linux import rtnl


def message(kind: int, body: bytes, *attrs: tuple[int, bytes]) -> bytes:
    payload = body
    for code, value in attrs:
        item = struct.pack("=HH", 4 + len(value), code) + value
        payload += item.ljust((len(item) + 3) & ~3, b"\0")
    return struct.pack("=IHHII", 16 + len(payload), kind, 0, 1, 0) + payload


def test_link_and_address_messages() -> None:
    link = message(
        rtnl.RTM_NEWLINK,
        struct.pack("=BxHiII", 0, 1, 7, rtnl.IFF_UP, 0),
        (rtnl.IFLA_IFNAME, b"carp0\0"),
    )
    gone = message(
        rtnl.RTM_DELADDR,
        struct.pack("=BBBBi", socket.AF_INET, 24, 0, 0, 7),
        (rtnl.IFA_ADDRESS, IPv4Address("192.168.1.50").packed),
        (rtnl.IFA_PROTO, b"\x72"),
    )
    assert rtnl.parse(link + gone) == [
        rtnl.LinkMsg(7, "carp0", rtnl.IFF_UP),
        rtnl.AddrMsg(7, IPv4Address("192.168.1.50"), 24, 114, deleted=True),
    ]
    up = rtnl.parse(link)[0]
    assert isinstance(up, rtnl.LinkMsg)
    assert (up.admin_up, up.carrier) == (True, False)


def test_garbage_is_ignored() -> None:
    assert rtnl.parse(b"") == []
    assert rtnl.parse(b"\x01\x02\x03") == []
    assert rtnl.parse(bytes(16)) == []  # a header claiming length 0 ends the walk
    truncated = message(rtnl.RTM_NEWLINK, b"\0" * 4)
    assert rtnl.parse(truncated) == []
