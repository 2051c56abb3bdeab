"""Issue 12, attacks 2 and 7, against running daemons: a junk flood from a third namespace must not
cost the backup its master's adverts (the kernel filter of rcnet.linux.bpf and the larger receive
buffer), and a long datagram is judged whole, as FreeBSD judges it, never dropped silently."""

from __future__ import annotations

import subprocess
import sys
import time
from ipaddress import IPv4Address

import pytest

from rcnet.carp.wire import CarpAuth, build_carp
from rcnet.model import carp_key

from .rig import ADDRESSES, MASTER_DOWN, Rig

pytestmark = pytest.mark.netns

#: A sender of protocol-112 junk to 224.0.0.18 as fast as one Python loop goes, for argv[1]
#: seconds: CARP-shaped adverts of vhids nobody configured (the Handbook hosts have 1 and 2),
#: wrong versions and short packets.
FLOOD = r"""
import os, random, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
             struct.pack("=4s4si", bytes(4), bytes(4), socket.if_nametoindex("fxp0")))
junk = [bytes([0x21, v]) + os.urandom(34) for v in range(3, 256)]
junk += [bytes([0x11, 1]) + os.urandom(34), bytes([0x21, 1]) + os.urandom(10), os.urandom(36)]
end, sent, group = time.monotonic() + float(sys.argv[1]), 0, ("224.0.0.18", 0)
while time.monotonic() < end:
    for p in random.sample(junk, 64):
        try:
            s.sendto(p, group)
            sent += 1
        except OSError:
            pass
print(sent)
"""

#: The same sender with argv[2] added to the junk: hex adverts (comma-separated) that pass the
#: kernel filter, so each one costs the daemon a read, a checksum and an HMAC.
FLOOD_ADVERTS = FLOOD.replace(
    "end, sent, group",
    "junk += [bytes.fromhex(h) for h in sys.argv[2].split(',')] * 4\nend, sent, group",
)

#: One 3,000-byte datagram, argv[1] in hex, to argv[2] (unicast, TTL 255).
SEND_ONE = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)
s.sendto(bytes.fromhex(sys.argv[1]), (sys.argv[2], 0))
"""


def python_in(rig: Rig, host: str, code: str, *args: str, timeout: float) -> str:
    done = subprocess.run(
        ["ip", "netns", "exec", rig.lab.name(host), sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_junk_flood_costs_the_backup_no_advert(rig: Rig) -> None:
    master, backup = rig.start("hosta"), rig.start("provider")
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    rig.wait_state("provider", 2, "MASTER", MASTER_DOWN[100] + 2)  # hostb, its master, is off
    assert backup.state(1) == "BACKUP"
    transitions = backup.transitions()
    sent0 = master.counters()["sent-inet-packets"]
    got0 = backup.counters()["received-inet-packets"]
    packets = int(python_in(rig, "hostb", FLOOD, "5", timeout=30))
    time.sleep(0.5)  # the last advert sent is in the backup's queue
    sent = master.counters()["sent-inet-packets"] - sent0
    got = backup.counters()["received-inet-packets"] - got0
    counters = backup.counters()
    assert packets > 5000, packets  # the flood was real (some thousands per second)
    assert backup.state(1) == "BACKUP" and master.state(1) == "MASTER"
    assert backup.transitions() == transitions
    # every advert of the master and nothing of the junk reached the engine (±1 in flight)
    assert sent >= 4 and abs(got - sent) <= 1, (sent, got, packets)
    assert counters["dropped-bad-vhid"] == 0 and counters["dropped-bad-version"] == 0
    assert counters["dropped-receive-queue-full"] == 0, counters


def test_a_long_datagram_is_judged_whole_as_freebsd_does(rig: Rig) -> None:
    """FreeBSD's carp_input refuses only lengths too short (carps_badlen); a long datagram goes
    through the usual checks, and over IPv4 the checksum covers all of it (stormshield-acazuc/
    freebsd-src b2e39427, sys/netinet/ip_carp.c carp_input: totlen = ntohs(ip->ip_len);
    in_cksum_skip(m, totlen, iplen) -> carps_badsum). rcnet read 2,048 bytes and counted the rest
    as badlen, a counter FreeBSD never bumps for a long packet."""
    daemon = rig.start("hosta")
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    auth = CarpAuth(carp_key("testpass"), 1, [IPv4Address("192.168.1.50")])
    advert = build_carp(auth, 1, 1, 200, 7)  # a valid advert of a lower-priority peer
    cases = [
        # zeros leave the one's-complement sum as it was: the whole datagram checks out
        (advert + bytes(2964), None),
        # anything else after the header breaks the checksum over the whole datagram
        (advert + b"\x01" * 2964, "dropped-bad-checksum"),
    ]
    for datagram, counter in cases:
        before = daemon.counters()
        python_in(rig, "hostb", SEND_ONE, datagram.hex(), ADDRESSES["hosta"], timeout=10)
        time.sleep(0.3)
        after = daemon.counters()
        moved = {k: after[k] - before[k] for k in after if isinstance(after[k], int)}
        assert moved["received-inet-packets"] == 1, moved
        drops = {k for k, v in moved.items() if v and k.startswith("dropped-")}
        assert drops == ({counter} if counter else set()), moved
        assert daemon.state(1) == "MASTER"


def test_bad_hmac_flood_costs_the_backup_no_advert(rig: Rig) -> None:
    """Adverts of the backup's own vhid 1 with a valid checksum and a wrong key pass the kernel
    filter (it cannot check an HMAC): every one reaches the engine and is counted as badauth,
    and the master's adverts are all accepted with no queue overflow."""
    master, backup = rig.start("hosta"), rig.start("provider")
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    rig.wait_state("provider", 2, "MASTER", MASTER_DOWN[100] + 2)
    assert backup.state(1) == "BACKUP"
    transitions = backup.transitions()
    wrong = CarpAuth(carp_key("not-testpass"), 1, [IPv4Address("192.168.1.50")])
    forged = ",".join(build_carp(wrong, 1, 1, 0, n).hex() for n in range(16))
    sent0 = master.counters()["sent-inet-packets"]
    before = backup.counters()
    packets = int(python_in(rig, "hostb", FLOOD_ADVERTS, "5", forged, timeout=30))
    time.sleep(0.5)  # the last advert sent is in the backup's queue
    sent = master.counters()["sent-inet-packets"] - sent0
    after = backup.counters()
    moved = {k: after[k] - before[k] for k in after if isinstance(after[k], int)}
    accepted = moved["received-inet-packets"] - moved["dropped-bad-authentication"]
    assert packets > 5000, packets
    assert moved["dropped-bad-authentication"] > 1000, moved  # the forgeries reached the engine
    assert backup.state(1) == "BACKUP" and master.state(1) == "MASTER"
    assert backup.transitions() == transitions
    assert sent >= 4 and abs(accepted - sent) <= 1, (sent, moved, packets)
    assert moved["dropped-receive-queue-full"] == 0, moved
    # one named counter per rejection, nothing else moved
    assert {k for k, v in moved.items() if v and k.startswith("dropped-")} == {
        "dropped-bad-authentication"
    }, moved
