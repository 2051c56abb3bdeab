"""One owner of state: start, reload, repair and stop run one at a time; once the stop began
nothing is created, and the stop waits for what runs. Tests: a reload during a transition, and
a SIGHUP storm around SIGTERM, end with no stray link, address, socket or process."""

from __future__ import annotations

import os
import signal
import time

from .rig import MASTER_DOWN, Rig, wait_for

EXTRA = 'cloned_interfaces="carp0 carp1"\nifconfig_carp1="vhid 3 pass other 192.168.1.53/24"\n'


def leftovers(rig: Rig, host: str) -> list[str]:
    """rcnet's links and VIPs still in the namespace, and processes still in it."""
    links = rig.lab.ip(host, "-o", "link", "show").stdout
    addrs = rig.lab.ip(host, "-o", "addr", "show").stdout
    out = [ln for ln in links.splitlines() if "carp" in ln or " vh" in ln]
    out += [ln for ln in addrs.splitlines() if "192.168.1.5" in ln and "192.168.1.5/" not in ln]
    listed = os.popen(f"ip netns pids {rig.lab.name(host)}").read().split()
    return out + [f"process {pid}" for pid in listed]


def test_sighup_storm_during_sigterm(rig: Rig) -> None:
    conf = rig.conf("hosta")
    daemon = rig.start("hosta", conf)
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    base = conf.read_text()
    for i in range(30):
        # every other reload adds vhid 3 (a link and an address to create), the others remove
        # it: whichever is under way when SIGTERM arrives, the stop must find and remove it
        conf.write_text(base + EXTRA if i % 2 == 0 else base)
        daemon.proc.send_signal(signal.SIGHUP)
        if i == 15:
            daemon.proc.send_signal(signal.SIGTERM)
        time.sleep(0.005)
    assert daemon.proc.wait(timeout=15) == 0, daemon.log()
    assert leftovers(rig, "hosta") == [], daemon.log()
    assert not os.path.exists(rig.control("hosta"))  # the control socket closed with the stop
    assert "Traceback" not in daemon.log()
    assert "rcnet: reloaded" in daemon.log()  # the storm did reload before the stop


def test_reload_during_a_transition(rig: Rig) -> None:
    """provider takes vhid 1 over (hosta bows out) while a reload adds a vhid: the takeover
    and the reload both complete, each vhid has one link, and the stop leaves nothing."""
    rig.start("hosta")
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    conf = rig.conf("provider")
    provider = rig.start("provider", conf)
    rig.wait_state("provider", 1, "BACKUP", 3)
    conf.write_text(conf.read_text() + 'ifconfig_carp2="vhid 3 pass other 192.168.1.53/24"\n'
                    + 'cloned_interfaces="carp0 carp1 carp2"\n')  # fmt: skip
    rig.send_signal("hosta", signal.SIGTERM)  # bow-out: provider becomes MASTER at once
    provider.proc.send_signal(signal.SIGHUP)
    rig.wait_state("provider", 1, "MASTER", 3)
    wait_for("the reload", lambda: "rcnet: reloaded" in provider.log(), 5)
    rig.wait_state("provider", 3, "MASTER", MASTER_DOWN[0] + 2)
    assert rig.holds_vip("provider", "192.168.1.50")
    assert rig.holds_vip("provider", "192.168.1.53")
    links = rig.lab.ip("provider", "-o", "link", "show").stdout
    assert [
        ln.split(":")[1].strip().split("@")[0] for ln in links.splitlines() if "carp" in ln
    ] == [
        "carp0",
        "carp1",
        "carp2",
    ]
    assert "Traceback" not in provider.log()
    assert rig.rcnet("provider", "stop").returncode == 0
    assert provider.proc.wait(timeout=10) == 0
    assert leftovers(rig, "provider") == []
