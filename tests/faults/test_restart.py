"""Faults of the daemon itself: the master's daemon restarted (after SIGTERM, after SIGKILL),
SIGHUP with a broken configuration (refused, state kept) and then a fixed one, and a second
`rcnet start` for a host that already runs."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from .harness import (
    MARGIN,
    MASTER_DOWN,
    VIP,
    FaultRig,
    elapsed,
    handbook_conf,
)

pytestmark = pytest.mark.netns


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_master_daemon_restarted(matrix: FaultRig, how: str) -> None:
    matrix.start_all()
    marks = matrix.marks()
    hosta = matrix.daemons["hosta"]
    before = len(hosta.log())
    t0 = time.monotonic()
    if how == "SIGTERM":  # graceful: bow-out, vhid link and VIP removed, exit 0
        matrix.terminate("hosta")
        assert not [lk for lk in matrix.links("hosta") if lk.kind == "macvlan"]
        matrix.wait_converged([1], t0, want={1: "provider"})
        # timed from the logs, as in test_graceful_stop_of_the_master
        handed = elapsed(
            matrix.stopping_at("hosta"), matrix.logged_at("provider", 1, "BACKUP", "MASTER", marks)
        )
        assert -0.001 <= handed <= 0.5, handed  # the stamps are whole milliseconds
    else:  # a crash: the macvlan stays up with the VIP, on the wire
        matrix.kill("hosta", cut=False)
        assert matrix.holds_vip("hosta", VIP[1])

    rejoin = matrix.marks()
    restarted = matrix.start("hosta")
    again = restarted.log()[before:]
    assert ("cleared leftover of an earlier run" in again) == (how == "SIGKILL"), again
    t1 = time.monotonic()
    # one master per vhid again: after SIGTERM provider, with hosta BACKUP past its own
    # master-down interval (no preemption); after SIGKILL whichever timed out first. The poll
    # only waits; the time is taken from the daemons' log stamps below.
    want = {1: "provider"} if how == "SIGTERM" else {}
    matrix.wait_converged([1, 2], t1, want=want, hold=MASTER_DOWN[100] + 1)
    back = matrix.logged_at("hosta", 1, "INIT", "BACKUP", rejoin)
    moves = {h: matrix.stamped(h, rejoin) for h in ("hosta", "provider")}
    if how == "SIGTERM":
        assert [m[1:] for m in moves["hosta"]] == [(1, "INIT", "BACKUP")], moves
        assert moves["provider"] == [], moves
    else:  # the last move of vhid 1 on either host: within a master-down interval of the rejoin
        took = max(elapsed(back, m[0]) for ms in moves.values() for m in ms if m[1] == 1)
        print(f"{how}: vhid 1 settled {took:.3f} s after hosta rejoined (its INIT -> BACKUP)")
        assert took <= MASTER_DOWN[100] + MARGIN, (took, moves)
    assert not [t for t in matrix.since("hostb", marks)]
    matrix.finish()


def _reload(matrix: FaultRig, what: str, count: int) -> None:
    """SIGHUP hosta and wait until its log says `what` for the `count`-th time."""
    daemon = matrix.daemons["hosta"]
    daemon.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while daemon.log().count(what) < count:
        if time.monotonic() > deadline:
            pytest.fail(f"no {what!r} ({count}) after SIGHUP:\n{daemon.log()}")
        time.sleep(0.02)


def _hosta_with_vhid_3(matrix: FaultRig) -> Path:
    """Start the three hosts, hosta also running vhid 3 alone (so that a reload has a vhid it
    leaves unchanged); returns hosta's rc.conf, to edit."""
    conf = matrix.conf(
        "hosta",
        cloned_interfaces="carp0 carp1",
        ifconfig_carp1="vhid 3 pass other 192.168.1.53/24",
    )
    matrix.vips[3] = "192.168.1.53"
    matrix.expected["hosta"]["carp1"] = 3
    matrix.start_all({"hosta": conf})
    matrix.wait_state("hosta", 3, "MASTER", 2)
    return conf


def test_sighup_with_a_broken_configuration(matrix: FaultRig) -> None:
    conf = _hosta_with_vhid_3(matrix)
    daemon = matrix.daemons["hosta"]
    links = {lk.name: lk.index for lk in matrix.links("hosta")}
    marks = matrix.marks()
    good = conf.read_text()
    broken = {
        "advskew beyond 254": good.replace("vhid 1 pass", "vhid 1 advskew 300 pass"),
        "a vhid without parent": good.replace("192.168.1.53/24", "172.16.0.53/24"),
        "an unterminated quote": good.replace('"vhid 3 pass', "'vhid 3 pass"),
    }
    for n, (what, text) in enumerate(broken.items(), 1):
        conf.write_text(text)
        _reload(matrix, "rcnet: reload refused", n)
        refused = [ln for ln in daemon.log().splitlines() if "reload refused" in ln]
        assert len(refused) == n, (what, refused)
        assert "keeping the running configuration" in refused[-1], (what, refused[-1])
        assert daemon.alive(), what
        assert matrix.states()["hosta"] == {1: "MASTER", 3: "MASTER"}, what
    status = {v["vhid"]: v for v in daemon.status()["vhids"]}
    assert (status[1]["advskew"], status[3]["addresses"]) == (0, ["192.168.1.53/24"])
    assert {lk.name: lk.index for lk in matrix.links("hosta")} == links
    matrix.assert_invariants()  # for 1.5 s, more than an advert interval: nothing moved
    assert all(matrix.since(h, marks) == [] for h in matrix.daemons)
    matrix.stop_everything()


def test_sighup_with_a_fixed_configuration_keeps_states(matrix: FaultRig) -> None:
    conf = _hosta_with_vhid_3(matrix)
    daemon = matrix.daemons["hosta"]
    links = {lk.name: lk.index for lk in matrix.links("hosta")}
    marks = matrix.marks()
    # a good edit of vhid 1 (a new advskew): applied in place; vhid 3, unchanged, is kept
    conf.write_text(conf.read_text().replace("vhid 1 pass", "vhid 1 advskew 20 pass"))
    _reload(matrix, "rcnet: reloaded", 1)
    status = {v["vhid"]: v for v in daemon.status()["vhids"]}
    assert {v: (s["state"], s["advskew"]) for v, s in status.items()} == {
        1: ("MASTER", 20),
        3: ("MASTER", 0),
    }
    # the links were kept, not made again, and the MASTER still answers for its VIPs
    assert {lk.name: lk.index for lk in matrix.links("hosta")} == links
    matrix.assert_invariants()
    assert all(matrix.since(h, marks) == [] for h in matrix.daemons)
    matrix.stop_everything()


def test_two_starts_for_one_host(matrix: FaultRig) -> None:
    matrix.start_all()
    marks = matrix.marks()
    first = matrix.daemons["hosta"]
    links = {lk.name: lk.index for lk in matrix.links("hosta")}
    attempts = {
        "another control socket": (handbook_conf("hosta"), str(matrix.tmp / "second.sock")),
        "an etc directory": (matrix.etc("hosta"), str(matrix.tmp / "third.sock")),
        "the same control socket": (handbook_conf("hosta"), first.control),
    }
    for what, (conf, control) in attempts.items():
        done = matrix.second_start("hosta", conf, control)
        lines = done.stderr.strip().splitlines()
        assert done.returncode != 0, (what, done.stderr)
        assert len(lines) == 1 and lines[0].startswith("rcnet start: "), (what, done.stderr)
        assert done.stdout == "", what
        # the first is unaffected: alive, MASTER, its link not swept as a leftover
        assert first.alive() and first.state(1) == "MASTER", what
        assert {lk.name: lk.index for lk in matrix.links("hosta")} == links, what
        assert matrix.holds_vip("hosta", VIP[1]), what
    assert all(matrix.since(h, marks) == [] for h in matrix.daemons)
    matrix.finish()
