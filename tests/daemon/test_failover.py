"""The Handbook's three hosts under `rcnet start`: election, failover, bow-out, ARP, leftovers.

Failover times are measured on the bridge (one capture clock for every host), not from the
test's own clock, so the start-up time of processes and of `rcnet` clients does not blur them.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from lab.netns import Capture

from . import pcap
from .rig import ADDRESSES, MASTER_DOWN, VIP, VMAC, Rig, need, need_habets_arping, wait_for

pytestmark = pytest.mark.netns

#: how late a takeover may be beyond the protocol's own interval (asyncio, a loaded 2-core box)
MARGIN = 0.3


def start_handbook(rig: Rig) -> None:
    for host in ("hosta", "hostb", "provider"):
        rig.start(host)
    # hosta and hostb take their vhid after one master-down interval (3 s)
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    rig.wait_state("hostb", 2, "MASTER", MASTER_DOWN[0] + 2)


def test_handbook_failover_and_bow_out(rig: Rig, tmp_path: Path) -> None:
    need("tcpdump")
    machine_hostname = socket.gethostname()
    capture = Capture(rig.lab, "lan", "br0", str(tmp_path / "br0.pcap"), "proto 112 or arp")
    with capture:
        start_handbook(rig)
        for host in ("hosta", "hostb", "provider"):
            done = rig.rcnet(host, "status", "--json")
            assert done.returncode == 0, done.stderr
        states = {
            host: {v["vhid"]: v["state"] for v in rig.daemons[host].status()["vhids"]}
            for host in ("hosta", "hostb", "provider")
        }
        assert {h: rig.daemons[h].hostname() for h in states} == {
            h: f"{h}.example.org" for h in states
        }
        assert states == {
            "hosta": {1: "MASTER"},
            "hostb": {2: "MASTER"},
            "provider": {1: "BACKUP", 2: "BACKUP"},
        }
        assert rig.ping("hostb", VIP[1])
        neigh = rig.lab.ip("hostb", "neigh", "show", VIP[1]).stdout
        assert f"lladdr {VMAC[1]}" in neigh

        # hosta dies: its link first, so nothing it does on the way out reaches the wire
        rig.kill("hosta")
        # timed below from the capture (the poll's own delays are no part of the takeover)
        rig.wait_state("provider", 1, "MASTER", MASTER_DOWN[100] + 1 + MARGIN)
        wait_for("hostb's ping to .50 through provider", lambda: rig.ping("hostb", VIP[1]), 3)
        assert rig.lab.ip("hostb", "neigh", "show", VIP[1]).stdout.count(VMAC[1]) == 1

        # hostb stops gracefully: its bow-out hands vhid 2 to provider at once
        stopped = rig.rcnet("hostb", "stop")
        assert stopped.returncode == 0, stopped.stderr
        rig.wait_state("provider", 2, "MASTER", 2)
        assert rig.daemons["hostb"].proc.wait(timeout=5) == 0
    frames = pcap.read(capture.path)

    provider_log = rig.daemons["provider"].transitions()
    assert [(t.vhid, t.old, t.new, t.reason) for t in provider_log if t.new == "MASTER"] == [
        (1, "BACKUP", "MASTER", "master timed out"),
        (2, "BACKUP", "MASTER", "master will time out"),
    ]
    # Takeover of vhid 1: from hosta's last advert to provider's first, on the bridge's clock.
    # provider's master-down timer was last re-armed by that advert, so the gap is the interval
    # (3 s + 100/256 s) plus the daemon's lateness.
    last_a = pcap.adverts(frames, 1, ADDRESSES["hosta"])[-1]
    first_p = pcap.adverts(frames, 1, ADDRESSES["provider"])[0]
    takeover = first_p.t - last_a.t
    late = takeover - MASTER_DOWN[100]
    print(f"vhid 1 takeover: {takeover:.6f} s after hosta's last advert (late by {late:.6f} s)")
    assert MASTER_DOWN[100] - 0.01 <= takeover <= MASTER_DOWN[100] + MARGIN, takeover
    # provider announced .50 with the virtual MAC (gratuitous ARP) when it took over
    garps = [
        f
        for f in frames
        if isinstance(f, pcap.Arp) and f.t >= first_p.t and str(f.sender_ip) == VIP[1]
    ]
    assert garps and garps[0].sender_mac == VMAC[1] and garps[0].t - first_p.t < 0.05

    # Takeover of vhid 2 after the graceful stop: from hostb's bow-out (advbase 255, advskew 255,
    # the first thing the stop puts on the wire) to provider's first advert as MASTER. Both are
    # frames on one clock; the stop command's own start-up and exit are not part of it.
    bow_outs = [a for a in pcap.adverts(frames, 2, ADDRESSES["hostb"]) if a.bow_out]
    assert len(bow_outs) == 1
    first_p2 = pcap.adverts(frames, 2, ADDRESSES["provider"])[0]
    gap = first_p2.t - bow_outs[0].t
    print(f"vhid 2 takeover: {gap:.6f} s after hostb's bow-out")
    assert 0 <= first_p2.t - bow_outs[0].t < 0.3, first_p2.t - bow_outs[0].t
    # graceful stop removed hostb's vhid link; the machine's hostname was never touched
    assert rig.lab.ip("hostb", "link", "show", "carp0", check=False).returncode != 0
    assert socket.gethostname() == machine_hostname


def test_arp_only_the_master_answers(rig: Rig, tmp_path: Path) -> None:
    need("tcpdump")
    need_habets_arping()
    rig.start("hosta")
    rig.start("provider")
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    assert rig.daemons["provider"].state(1) == "BACKUP"

    # provider BACKUP: every answer is hosta's (one per request), none leaves provider's port
    from_provider = Capture(rig.lab, "lan", "v-provider", str(tmp_path / "p1.pcap"), "arp")
    with from_provider:
        answers = rig.arping("hostb", VIP[1], count=3)
    assert answers == [VMAC[1]] * 3
    assert [f for f in pcap.read(from_provider.path) if isinstance(f, pcap.Arp) and f.op == 2] == []

    # hosta gone, provider still BACKUP (its master-down has >= 2.39 s to run): nobody answers.
    # provider BACKUP after the arping ended means BACKUP all through it (with hosta gone it
    # can only move to MASTER), so the window was open: no clock of the test's is needed.
    rig.kill("hosta")
    assert rig.arping("hostb", VIP[1], count=1) == []
    assert rig.daemons["provider"].state(1) == "BACKUP"

    # provider MASTER: it answers, with the virtual MAC, from its own port
    rig.wait_state("provider", 1, "MASTER", MASTER_DOWN[100] + MARGIN)
    from_provider = Capture(rig.lab, "lan", "v-provider", str(tmp_path / "p2.pcap"), "arp")
    with from_provider:
        answers = rig.arping("hostb", VIP[1], count=2)
    assert answers == [VMAC[1]] * 2
    replies = [f for f in pcap.read(from_provider.path) if isinstance(f, pcap.Arp) and f.op == 2]
    assert replies and {(r.eth_src, r.sender_mac, str(r.sender_ip)) for r in replies} == {
        (VMAC[1], VMAC[1], VIP[1])
    }


def count_vmac_links(rig: Rig, host: str, vmac: str) -> int:
    out = rig.lab.ip(host, "-o", "link", "show").stdout
    return sum(1 for line in out.splitlines() if f"link/ether {vmac} " in line)


def test_crash_leftovers_are_cleared_on_restart(rig: Rig) -> None:
    rig.start("hosta")
    rig.start("provider")
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    # a crash: SIGKILL with the link up, so its macvlan stays up holding the VIP
    rig.kill("hosta", cut=False)
    assert rig.holds_vip("hosta", VIP[1])
    restarted = rig.start("hosta")
    cleared = [ln for ln in restarted.log().splitlines() if "cleared leftover" in ln]
    assert len(cleared) == 1 and "carp0" in cleared[0], restarted.log()
    assert count_vmac_links(rig, "hosta", VMAC[1]) == 1

    def one_master() -> bool:
        states = [rig.daemons[h].state(1) for h in ("hosta", "provider")]
        return sorted(map(str, states)) == ["BACKUP", "MASTER"]

    wait_for("exactly one MASTER of vhid 1", one_master, MASTER_DOWN[100] + 2)
    time.sleep(1.5)  # one more advert each way: the roles hold
    assert one_master()
    holders = [h for h in ("hosta", "provider") if rig.holds_vip(h, VIP[1])]
    master = next(h for h in ("hosta", "provider") if rig.daemons[h].state(1) == "MASTER")
    assert holders == [master]
    assert count_vmac_links(rig, "hosta", VMAC[1]) == 1


def test_master_restores_its_vhid_link_when_someone_deletes_it(rig: Rig) -> None:
    need_habets_arping()
    daemon = rig.start("hosta")
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    rig.lab.ip("hosta", "link", "del", "carp0")
    # re-created under a new ifindex, with its VIP, and up again since hosta is still MASTER
    wait_for("carp0 back, up, with .50", lambda: rig.holds_vip("hosta", VIP[1]), 2)
    assert "carp0 was deleted by someone else; restoring it" in daemon.log()
    assert daemon.state(1) == "MASTER"
    assert rig.arping("hostb", VIP[1], count=1) == [VMAC[1]]
    # an address removed by hand comes back too
    rig.lab.ip("hosta", "addr", "del", f"{VIP[1]}/24", "dev", "carp0")
    wait_for(".50 back on carp0", lambda: rig.holds_vip("hosta", VIP[1]), 2)
