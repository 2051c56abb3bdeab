"""Issue 12, attack 7 (the part done): `status` prints netstat's plural forms."""

from __future__ import annotations

from rcnet.commands.control import render_status


def test_status_uses_freebsds_plural_forms() -> None:
    counters = {"received-inet-packets": 1, "sent-inet-packets": 2, "dropped-bad-checksum": 1}
    lines = render_status({"vhids": [], "counters": counters}).splitlines()
    # usr.bin/netstat/inet.c carp_stats: p(carps_ipackets, "\t%ju packet%s received (IPv4)\n")
    assert "\t1 packet received (IPv4)" in lines
    assert "\t2 packets sent (IPv4)" in lines
    assert "\t\t1 discarded for bad checksum" in lines
    assert "\t0 packets received (IPv6)" in lines
