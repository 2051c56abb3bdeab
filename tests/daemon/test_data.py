"""rcnet never loses what it did not make: a user's address survives start, failover and stop;
`--dry-run` prints the plan and changes nothing."""

from __future__ import annotations

import pytest
from lab.netns import Lab, handbook
from lab.state import configuration

from .rig import HANDBOOK, MASTER_DOWN, Rig, run_rcnet

pytestmark = pytest.mark.netns

USER_ADDRESS = "10.9.9.9/24"


def test_user_address_survives_start_failover_and_stop(rig: Rig) -> None:
    rig.lab.ip("hosta", "addr", "add", USER_ADDRESS, "dev", "fxp0")
    hosta = rig.start("hosta")
    rig.start("provider")
    assert rig.has_address("hosta", USER_ADDRESS)
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    assert rig.has_address("hosta", USER_ADDRESS)

    # failover: hosta loses its carrier (the switch port goes down; sends would fail silently,
    # only netlink tells): INIT, and provider takes over; then the carrier returns
    rig.lab.ip("lan", "link", "set", rig.seg.port("hosta"), "down")
    rig.wait_state("hosta", 1, "INIT", 1)
    assert "fxp0: link down (admin up, carrier off)" in hosta.log()
    rig.wait_state("provider", 1, "MASTER", MASTER_DOWN[100] + 1.5)
    assert rig.has_address("hosta", USER_ADDRESS)
    rig.lab.ip("lan", "link", "set", rig.seg.port("hosta"), "up")
    rig.wait_state("hosta", 1, "BACKUP", 2)
    assert rig.has_address("hosta", USER_ADDRESS)

    stopped = rig.rcnet("hosta", "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert hosta.proc.wait(timeout=10) == 0
    # the user's address and the one that was there before rcnet (192.168.1.3) both stay
    assert rig.has_address("hosta", USER_ADDRESS)
    assert rig.has_address("hosta", "192.168.1.3/24")
    # what rcnet made for the vhid is gone
    assert rig.lab.ip("hosta", "link", "show", "carp0", check=False).returncode != 0


ARP_SYSCTLS = [
    f"net.ipv4.conf.{i}.arp_{w}" for i in ("all", "fxp0") for w in ("ignore", "announce")
]


def snapshot(lab: Lab, ns: str) -> list[object]:
    """Links, addresses, rcnet's routes, rules and the ARP sysctls the plan would set (never the
    kernel's own IPv6 DAD flags or lifetimes)."""
    return [configuration(lab, ns), lab.run(ns, ["sysctl", *ARP_SYSCTLS]).stdout]


def test_dry_run_prints_the_plan_and_changes_nothing(lab: Lab) -> None:
    handbook(lab, addresses=False)  # bare NICs: the plan has addresses and the vhid to make
    lab.ip("provider", "addr", "add", USER_ADDRESS, "dev", "fxp0")
    before = snapshot(lab, "provider")
    done = run_rcnet(lab, "provider", ["start", "--dry-run", str(HANDBOOK / "provider.conf")])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any("192.168.1.5/24" in ln and "fxp0" in ln for ln in lines), done.stdout
    assert any("carp0" in ln for ln in lines) and any("carp1" in ln for ln in lines)
    assert any("arp_ignore=1" in ln for ln in lines)
    assert not any("10.9.9.9" in ln for ln in lines)  # nothing to do with the user's address
    assert lines[-1].endswith("--dry-run made none")
    assert snapshot(lab, "provider") == before
