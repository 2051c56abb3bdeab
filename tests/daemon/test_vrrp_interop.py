"""rcnet's VRRPv3 mode (FreeBSD's `carpver 3`, carp.md §1.5) against a real keepalived speaking
VRRPv3 on the same segment: each takes over from the other when it dies, and each preempts the
other when it has the higher priority (rcnet with net.inet.carp.preempt=1; keepalived preempts by
default). Every takeover is timed on the capture of the bridge, where tshark's VRRP dissector
also checks both sides' checksums (RFC 5798 §5.2.8, pseudo-header included).

Master-down intervals (RFC 5798 §6.1): 3 x Master_Adver_Interval + Skew_Time, Skew_Time =
(256 - Priority) x Master_Adver_Interval / 256. rcnet works in centiseconds like FreeBSD's
ip_carp.c (vrrp_skew_cs), keepalived in microseconds.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
from lab.netns import Capture

from rcnet.carp import timing

from .rig import ADDRESSES, VIP, Rig, elapsed, need, wait_for

pytestmark = pytest.mark.netns

#: how late a takeover may come after its master-down interval (scheduling, one timer tick)
MARGIN = 0.3
#: how long a test waits for what the capture or the daemon's stamps then time (not a bound)
WAIT = 10.0
#: keepalived's state lines (logged with -l -D)
KA_STATE = re.compile(r"\(VI_1\) Entering (MASTER|BACKUP|FAULT) STATE")
#: keepalived's complaints about an advert it received (vrrp.c's log lines; "received lower
#: priority ... discarding" is no complaint: a BACKUP that preempts ignores such adverts)
KA_COMPLAINTS = ("invalid", "mismatch", "bad", "not present", "wrong", "error")


def rcnet_master_down(priority: int) -> float:
    return timing.vrrp_master_down_interval(100, priority) / timing.US_PER_S


def keepalived_master_down(priority: int) -> float:
    return 3 + (256 - priority) / 256


class Keepalived:
    """keepalived, VRRPv3 only, on provider's fxp0 for VRID 1 (VIP .50), priority `priority`,
    advert_int 1 s, preempting (its default); its log in a file under the test's tmp_path."""

    def __init__(self, rig: Rig, priority: int, name: str = "ka") -> None:
        tmp = rig.tmp
        conf = tmp / f"{name}.conf"
        conf.write_text(
            "global_defs {\n    router_id provider\n    vrrp_version 3\n}\n"
            "vrrp_instance VI_1 {\n    state BACKUP\n    interface fxp0\n"
            f"    virtual_router_id 1\n    priority {priority}\n    advert_int 1\n"
            f"    virtual_ipaddress {{\n        {VIP[1]}/24 dev fxp0\n    }}\n}}\n"
        )
        self.rig, self.log_path = rig, tmp / f"{name}.log"
        argv = ["keepalived", "-n", "-l", "-D", "-G", "-P", "-f", str(conf)]
        for flag, pid in (("-p", "main"), ("-r", "vrrp"), ("-c", "checkers"), ("-b", "bfd")):
            argv += [flag, str(tmp / f"{name}-{pid}.pid")]
        with self.log_path.open("ab") as out:
            self.proc = rig.lab.spawn("provider", argv, stdout=out, stderr=out)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def states(self) -> list[str]:
        return KA_STATE.findall(self.log())

    def state(self) -> str | None:
        states = self.states()
        return states[-1] if states else None

    def complaints(self) -> list[str]:
        return [ln for ln in self.log().splitlines() if any(w in ln.lower() for w in KA_COMPLAINTS)]

    def stop(self) -> None:
        """A graceful stop (keepalived sends a priority-0 advert on the way out)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def die(self) -> None:
        """provider's link cut (nothing more leaves it), then keepalived stopped."""
        self.rig.cut("provider")
        self.stop()


def vrrp_host(rig: Rig, host: str, priority: int, preempt: bool = False) -> Path:
    """An etc directory: `host` with VRID 1 in VRRPv3 mode at `priority` (FreeBSD's modern
    syntax: the vhid on an alias of fxp0), net.inet.carp.preempt in its sysctl.conf."""
    etc = rig.tmp / host / "etc"
    etc.mkdir(parents=True)
    (etc / "rc.conf").write_text(
        f'hostname="{host}"\n'
        f'ifconfig_fxp0="inet {ADDRESSES[host]}/24"\n'
        f'ifconfig_fxp0_alias0="inet vhid 1 carpver 3 vrrpprio {priority} vrrpinterval 100'
        f' alias {VIP[1]}/32"\n'
    )
    (etc / "sysctl.conf").write_text(f"net.inet.carp.preempt={int(preempt)}\n")
    return etc


def adverts(path: str) -> list[tuple[float, str, int]]:
    """(time, source, priority) of every VRRPv3 advert of VRID 1 in a capture; every one
    well-formed with a good checksum by tshark's VRRP dissector."""
    fields = ["frame.time_epoch", "ip.src", "vrrp.version", "vrrp.virt_rtr_id", "vrrp.prio"]
    fields += ["vrrp.checksum.status", "_ws.expert.severity"]
    argv = ["tshark", "-r", path, "-Y", "vrrp", "-T", "fields", "-E", "occurrence=f"]
    for f in fields:
        argv += ["-e", f]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    out = []
    for line in done.stdout.splitlines():
        t, src, version, vrid, prio, checksum, expert = line.split("\t")
        assert (version, vrid, checksum, expert) == ("3", "1", "1", ""), line  # 1: Good
        out.append((float(t), src, int(prio)))
    return out


def takeover_gap(path: str, dead: str, heir: str) -> float:
    """From the dead master's last advert to the heir's first one after it, on the capture."""
    seen = adverts(path)
    last = max(t for t, src, prio in seen if src == ADDRESSES[dead] and prio > 0)
    return min(t for t, src, _ in seen if src == ADDRESSES[heir] and t > last) - last


@pytest.fixture(autouse=True)
def _tools() -> None:
    for tool in ("keepalived", "tcpdump", "tshark"):
        need(tool)


def test_keepalived_backup_then_keepalived_takes_over_from_rcnet(rig: Rig, tmp_path: Path) -> None:
    pcap = str(tmp_path / "br0.pcap")
    with Capture(rig.lab, "lan", "br0", pcap, "proto 112"):
        hosta = rig.start("hosta", vrrp_host(rig, "hosta", 200))
        rig.wait_state("hosta", 1, "MASTER", rcnet_master_down(200) + 2)
        ka = Keepalived(rig, priority=100)
        wait_for("keepalived BACKUP", lambda: ka.states() == ["BACKUP"], 5)
        # past keepalived's master-down (3.61 s): it heard and accepted every advert of rcnet
        time.sleep(keepalived_master_down(100) + 0.5)
        assert ka.states() == ["BACKUP"] and ka.complaints() == [], ka.log()
        assert hosta.state(1) == "MASTER"

        rig.kill("hosta")  # link cut first: rcnet's last advert is on the capture already
        wait_for(
            f"keepalived MASTER (log:\n{ka.log()})",
            lambda: ka.state() == "MASTER",
            keepalived_master_down(100) + 2,
        )
        time.sleep(0.5)  # keepalived's first adverts as MASTER reach the capture
    gap = takeover_gap(pcap, "hosta", "provider")
    print(f"keepalived took over {gap:.6f} s after rcnet's last advert (master-down 3.609375 s)")
    assert keepalived_master_down(100) - 0.01 <= gap <= keepalived_master_down(100) + MARGIN


def test_rcnet_backup_then_rcnet_takes_over_from_keepalived(rig: Rig, tmp_path: Path) -> None:
    pcap = str(tmp_path / "br0.pcap")
    with Capture(rig.lab, "lan", "br0", pcap, "proto 112"):
        ka = Keepalived(rig, priority=200)
        wait_for("keepalived MASTER", lambda: ka.state() == "MASTER", 3.22 + 3)
        hosta = rig.start("hosta", vrrp_host(rig, "hosta", 100))
        rig.wait_state("hosta", 1, "BACKUP", 2)
        before = hosta.counters()
        time.sleep(rcnet_master_down(100) + 0.5)  # past rcnet's master-down: still BACKUP
        after = hosta.counters()
        assert [t.new for t in hosta.transitions()] == ["BACKUP"]
        assert after["received-inet-packets"] - before["received-inet-packets"] >= 3
        assert {k: v for k, v in after.items() if k.startswith("dropped-") and v} == {}

        ka.die()
        rig.wait_state("hosta", 1, "MASTER", rcnet_master_down(100) + 1 + MARGIN)
        assert hosta.transitions()[-1].reason == "master timed out"
        time.sleep(0.5)
    gap = takeover_gap(pcap, "provider", "hosta")
    print(f"rcnet took over {gap:.6f} s after keepalived's last advert (master-down 3.60 s)")
    assert rcnet_master_down(100) - 0.01 <= gap <= rcnet_master_down(100) + MARGIN


def test_rcnet_preempts_a_lower_priority_keepalived(rig: Rig, tmp_path: Path) -> None:
    pcap = str(tmp_path / "br0.pcap")
    with Capture(rig.lab, "lan", "br0", pcap, "proto 112"):
        ka = Keepalived(rig, priority=100)
        wait_for("keepalived MASTER", lambda: ka.state() == "MASTER", 3.61 + 3)
        hosta = rig.start("hosta", vrrp_host(rig, "hosta", 200, preempt=True))
        # keepalived's next advert (at most 1 s away) carries the lower priority: rcnet preempts
        rig.wait_state("hosta", 1, "MASTER", WAIT)
        assert [(t.old, t.new, t.reason) for t in hosta.transitions()] == [
            ("INIT", "BACKUP", "initialization complete"),
            ("BACKUP", "MASTER", "preempting a slower master"),
        ]
        (joined,), (preempted,) = (
            hosta.moved_at(1, "INIT", "BACKUP"),
            hosta.moved_at(1, "BACKUP", "MASTER"),
        )
        assert 0 <= elapsed(joined, preempted) <= 1 + MARGIN  # keepalived's next advert
        # rcnet's higher-priority advert sends keepalived back to BACKUP (RFC 5798 §6.4.3)
        wait_for("keepalived BACKUP", lambda: ka.state() == "BACKUP", 2)
        time.sleep(keepalived_master_down(100) + 0.5)  # and it stays there
        assert ka.states() == ["BACKUP", "MASTER", "BACKUP"] and ka.complaints() == [], ka.log()
        assert hosta.state(1) == "MASTER"
    seen = adverts(pcap)
    preempted = min(t for t, src, prio in seen if src == ADDRESSES["hosta"] and prio == 200)
    last_ka = max(t for t, src, _ in seen if src == ADDRESSES["provider"])
    # keepalived stopped advertising within one interval of rcnet's first advert
    assert last_ka - preempted < 1 + MARGIN


def test_keepalived_preempts_a_lower_priority_rcnet(rig: Rig, tmp_path: Path) -> None:
    pcap = str(tmp_path / "br0.pcap")
    with Capture(rig.lab, "lan", "br0", pcap, "proto 112"):
        hosta = rig.start("hosta", vrrp_host(rig, "hosta", 100))
        rig.wait_state("hosta", 1, "MASTER", rcnet_master_down(100) + 2)
        ka = Keepalived(rig, priority=200)
        # keepalived starts BACKUP and discards rcnet's lower-priority adverts (RFC 5798
        # §6.4.2: no timer reset), so it takes over when its master-down (3.22 s) runs out
        wait_for(
            "keepalived MASTER", lambda: ka.state() == "MASTER", keepalived_master_down(200) + 2
        )
        assert "received lower priority (100) advert from 192.168.1.3" in ka.log()
        # keepalived's higher-priority advert sends rcnet back to BACKUP at once
        rig.wait_state("hosta", 1, "BACKUP", WAIT)
        assert [(t.old, t.new, t.reason) for t in hosta.transitions()][-1] == (
            "MASTER",
            "BACKUP",
            "more frequent advertisement received",
        )
        time.sleep(rcnet_master_down(100) + 0.5)  # and it stays there: keepalived's adverts count
        assert hosta.state(1) == "BACKUP" and ka.state() == "MASTER"
        assert ka.complaints() == [], ka.log()
    seen = adverts(pcap)
    first_ka = min(t for t, src, prio in seen if src == ADDRESSES["provider"])
    last_rcnet = max(t for t, src, _ in seen if src == ADDRESSES["hosta"])
    # rcnet stopped advertising as soon as it heard keepalived (its next advert would be 1 s on)
    assert last_rcnet - first_ka < 1 - MARGIN
