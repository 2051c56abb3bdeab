"""Link faults: the master killed with its link cut, a graceful stop of the master, and its
parent interface going away (admin down, then carrier loss): INIT, demotion, takeover, and with
preemption the vhid taken back when the link returns."""

from __future__ import annotations

import time

import pytest

from .harness import ADVBASE, MARGIN, MASTER_DOWN, VIP, FaultRig, clock, since_clock, wait_for

pytestmark = pytest.mark.netns

#: provider's advert interval, advbase 1 + advskew 100/256
PROVIDER_ADVERT = 1.390625


def test_master_killed_with_its_link_cut(matrix: FaultRig) -> None:
    matrix.start_all()
    marks = matrix.marks()
    t0, cut = time.monotonic(), clock()
    matrix.kill("hosta")  # its link first, so nothing it does on the way out reaches the wire
    # hosta is off the segment now: whether its daemon took carp0 down before the SIGKILL (it
    # sees the link go) is a race of no consequence; its restart clears what it left
    matrix.offline.add("hosta")
    matrix.wait_converged([1], t0, want={1: "provider"})
    # timed on provider's log, not by the polls (each one runs `ip` and the client thrice)
    took = since_clock(matrix.logged_at("provider", 1, "BACKUP", "MASTER", marks), cut)
    print(f"provider took vhid 1 over {took:.3f} s after the cut and kill")
    # provider's master-down (3 s + 100/256 s) runs from hosta's last advert, <= 1 s before t0
    assert MASTER_DOWN[100] - ADVBASE - 0.1 <= took <= MASTER_DOWN[100] + MARGIN, took
    assert matrix.last("provider") == (1, "BACKUP", "MASTER", "master timed out")
    assert matrix.since("hostb", marks) == []
    assert matrix.states()["provider"][2] == "BACKUP"
    wait_for("hostb's ping to .50 (provider)", lambda: matrix.ping("hostb", VIP[1]), 5)

    # the machine comes back: rcnet starts first (clearing what the crash left up), then the
    # cable; hosta rejoins as BACKUP (no preemption) and provider keeps vhid 1
    restarted = matrix.start("hosta")
    assert "cleared leftover of an earlier run" in restarted.log()
    matrix.lab.ip("hosta", "link", "set", "fxp0", "up")
    matrix.offline.clear()
    matrix.wait_state("hosta", 1, "BACKUP", 2)
    matrix.finish()


def test_graceful_stop_of_the_master(matrix: FaultRig) -> None:
    matrix.start_all()
    marks = matrix.marks()
    t0 = time.monotonic()
    done = matrix.rcnet("hosta", "stop")
    assert done.returncode == 0, done.stderr
    assert matrix.daemons["hosta"].proc.wait(timeout=10) == 0
    matrix.wait_converged([1], t0, want={1: "provider"})
    # the bow-out hands vhid 1 over at once; without it provider would wait >= 2.39 s. Timed
    # from the two logs (hosta logs `rcnet: stopping` just before its bow-out), not the test's
    # clock, which also counts the client starting and the daemon exiting
    took = matrix.logged_at("provider", 1, "BACKUP", "MASTER", marks) - matrix.stopping_at("hosta")
    print(f"provider took vhid 1 over {took:.3f} s after hosta's bow-out")
    assert -0.001 <= took <= 0.5, took  # the stamps are whole milliseconds
    provider = [(t.vhid, t.old, t.new, t.reason) for t in matrix.since("provider", marks)]
    assert provider == [(1, "BACKUP", "MASTER", "master will time out")]
    assert matrix.since("hostb", marks) == []
    matrix.finish()


def _parent_link(matrix: FaultRig, how: str) -> tuple[str, str]:
    """(namespace, link) to take down: hosta's fxp0 itself (`ifconfig fxp0 down`: IFF_UP goes),
    or the bridge's end of its veth (the cable: fxp0 loses its carrier)."""
    return ("hosta", "fxp0") if how == "admin" else (matrix.seg.lan, matrix.seg.port("hosta"))


@pytest.mark.parametrize("how", ["admin", "carrier"])
def test_parent_down_demotes_and_preemption_takes_back(matrix: FaultRig, how: str) -> None:
    if how == "admin":  # preemption from an etc directory's sysctl.conf ...
        etc = matrix.etc("hosta", "net.inet.carp.preempt=1\n")
        matrix.start_all({"hosta": etc})
        assert matrix.sysctl("hosta", "net.inet.carp.preempt") == "net.inet.carp.preempt: 1"
    else:  # ... or set at run time
        matrix.start_all()
        set_it = matrix.sysctl("hosta", "net.inet.carp.preempt=1")
        assert set_it == "net.inet.carp.preempt: 0 -> 1"
    assert matrix.sysctl("hosta", "net.inet.carp.demotion") == "net.inet.carp.demotion: 0"
    ns, link = _parent_link(matrix, how)
    marks = matrix.marks()

    t0, cut = time.monotonic(), clock()
    matrix.lab.ip(ns, "link", "set", link, "down")
    wait_for("hosta INIT", lambda: matrix.states()["hosta"].get(1) == "INIT", 1)
    assert matrix.last("hosta") == (1, "MASTER", "INIT", "hardware interface down")
    assert matrix.sysctl("hosta", "net.inet.carp.demotion") == "net.inet.carp.demotion: 240"
    assert not any(lk.holds(VIP[1]) for lk in matrix.links("hosta"))
    matrix.wait_converged([1], t0, want={1: "provider"})
    took = since_clock(matrix.logged_at("provider", 1, "BACKUP", "MASTER", marks), cut)
    assert MASTER_DOWN[100] - ADVBASE - 0.1 <= took <= MASTER_DOWN[100] + MARGIN, took
    assert matrix.last("provider") == (1, "BACKUP", "MASTER", "master timed out")

    # the link returns: demotion undone, and hosta (preempt=1, skew 0) takes vhid 1 back on
    # provider's next advert (every 1 + 100/256 s)
    t1, restored = time.monotonic(), clock()
    matrix.lab.ip(ns, "link", "set", link, "up")
    matrix.wait_converged([1], t1, want={1: "hosta"})
    back = since_clock(matrix.logged_at("hosta", 1, "BACKUP", "MASTER", marks), restored)
    print(f"{how} down: provider took over after {took:.3f} s; hosta back after {back:.3f} s")
    assert back <= PROVIDER_ADVERT + MARGIN, back
    assert matrix.sysctl("hosta", "net.inet.carp.demotion") == "net.inet.carp.demotion: 0"
    hosta = [(t.vhid, t.old, t.new, t.reason) for t in matrix.since("hosta", marks)]
    assert hosta == [
        (1, "MASTER", "INIT", "hardware interface down"),
        (1, "INIT", "BACKUP", "hardware interface up"),
        (1, "BACKUP", "MASTER", "preempting a slower master"),
    ]
    provider = [(t.vhid, t.old, t.new, t.reason) for t in matrix.since("provider", marks)]
    assert provider == [
        (1, "BACKUP", "MASTER", "master timed out"),
        (1, "MASTER", "BACKUP", "more frequent advertisement received"),
    ]
    assert matrix.since("hostb", marks) == []
    matrix.finish()
