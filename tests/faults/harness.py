"""The fault matrix's rig: the Handbook's three daemons, the faults, and the invariants.

Built on tests/daemon's `Rig` (daemons started as a user does, in lab namespaces). On top:

- every host gets a user's own address on fxp0 (10.9.9.N/24) before rcnet starts, which rcnet
  must never touch;
- faults made with nftables (this kernel has no netem): random loss at each host's input hook,
  and a partition as a filter in the bridge's namespace, so it cuts the segment between the
  groups both ways whatever socket a daemon sends with (AF_PACKET frames skip a host's own
  inet output hook);
- a `View` of who is MASTER (the daemons' status) and who holds each VIP, where *holding* a VIP
  means having it on a link that is administratively UP. A vhid macvlan that is down with the VIP
  configured is a BACKUP's normal state: it answers nothing;
- `assert_invariants`: one holder per VIP (the MASTER), no links but lo, fxp0 and rcnet's vhid
  macvlans, the user's addresses in place; `stop_everything`: graceful stops leave no macvlan.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from daemon.rig import (
    HANDBOOK,
    MASTER_DOWN,
    ROOT,
    VIP,
    VMAC,
    Daemon,
    Rig,
    Transition,
    elapsed,
    need,
    seconds,
    wait_for,
)
from lab.netns import Segment

__all__ = [
    "ADVBASE",
    "HOSTS",
    "MARGIN",
    "MASTER_DOWN",
    "PRIMARY",
    "VIP",
    "FaultRig",
    "Link",
    "View",
    "elapsed",
    "handbook_conf",
    "need",
    "wait_for",
]

HOSTS = ("hosta", "hostb", "provider")
OWN_ADDRESS = {"hosta": "192.168.1.3/24", "hostb": "192.168.1.4/24", "provider": "192.168.1.5/24"}
USER_ADDRESS = {"hosta": "10.9.9.3/24", "hostb": "10.9.9.4/24", "provider": "10.9.9.5/24"}
#: the vhid macvlans each Handbook host runs while its daemon does: link name -> vhid
MACVLANS = {"hosta": {"carp0": 1}, "hostb": {"carp0": 2}, "provider": {"carp0": 1, "carp1": 2}}
#: who is MASTER of each vhid when everyone is up (advskew 0 beats provider's 100)
PRIMARY = {1: "hosta", 2: "hostb"}
ADVBASE = 1.0
#: lateness allowed beyond a protocol interval: asyncio, clients and `ip` polls on 2 busy cores
MARGIN = 0.5
FAULT_TABLE = "carpfault"
_RCNET_LINK = re.compile(r"^(carp\d+|vh\d{1,3}-.+)$")


@dataclass(frozen=True)
class Link:
    """One link of a host namespace as `ip -j -d addr` shows it."""

    name: str
    index: int
    kind: str | None
    mac: str
    up: bool  # IFF_UP, the administrative flag
    parent: str | None
    addresses: frozenset[str]  # "a.b.c.d/len"

    def holds(self, ip: str) -> bool:
        return self.up and any(a.split("/")[0] == ip for a in self.addresses)


@dataclass(frozen=True)
class View:
    """One poll of the segment: per vhid, the hosts saying MASTER and the hosts holding its VIP."""

    masters: dict[int, list[str]]
    holders: dict[int, list[str]]

    def single(self, vhid: int) -> str | None:
        """The one host that is MASTER and alone holds the VIP, or None."""
        m, h = self.masters.get(vhid, []), self.holders.get(vhid, [])
        return m[0] if len(m) == 1 and h == m else None


class FaultRig(Rig):
    """The Handbook's segment with a user's address on every host and the fault helpers."""

    def __init__(self, segment: Segment, tmp: Path) -> None:
        super().__init__(segment, tmp)
        self.vips: dict[int, str] = dict(VIP)
        self.expected: dict[str, dict[str, int]] = {h: dict(m) for h, m in MACVLANS.items()}
        #: hosts off the segment (link cut, daemon killed): what they hold reaches nobody
        self.offline: set[str] = set()
        self._nft_files = 0
        for host in HOSTS:
            self.lab.ip(host, "addr", "add", USER_ADDRESS[host], "dev", self.seg.nic)
        self.hostname = socket.gethostname()

    # -- hosts and daemons --------------------------------------------------------------------

    def etc(self, host: str, sysctl: str = "", **settings: str) -> Path:
        """An etc directory HOST for `host`: the Handbook's rc.conf (plus `settings`) and a
        sysctl.conf with `sysctl`'s lines."""
        etc = self.tmp / host / "etc"
        etc.mkdir(parents=True, exist_ok=True)
        self.conf(host, name=f"{host}/etc/rc.conf", **settings)
        (etc / "sysctl.conf").write_text(sysctl)
        return etc

    def start_all(self, confs: dict[str, Path] | None = None) -> None:
        """Start the three daemons together and wait for the Handbook's roles: hosta MASTER of
        vhid 1, hostb of vhid 2, provider BACKUP of both."""
        confs = confs or {}
        # provider last, once the others run: on a busy machine a provider started first could
        # time out before a late hosta, and then keep the vhid (no preemption), as CARP would
        for group in (("hosta", "hostb"), ("provider",)):
            for host in group:
                self.start(host, confs.get(host), wait=False)
            for host in group:
                self.wait_answers(self.daemons[host])
        # one master-down interval from the start, plus the daemons' own start-up
        wait_for("the Handbook's roles", self.handbook_roles, MASTER_DOWN[0] + 3)

    def wait_answers(self, daemon: Daemon) -> None:
        wait_for(f"{daemon.host}'s control socket", lambda: self._answers(daemon), 15)

    def handbook_roles(self) -> bool:
        view = self.view()
        return all(view.single(v) == PRIMARY[v] for v in PRIMARY) and all(
            self.states().get("provider", {}).get(v) == "BACKUP" for v in PRIMARY
        )

    def running(self) -> list[str]:
        return [h for h in HOSTS if h in self.daemons and self.daemons[h].alive()]

    def states(self) -> dict[str, dict[int, str]]:
        """Each running daemon's vhid states (a daemon that does not answer has none)."""
        out: dict[str, dict[int, str]] = {}
        for host in self.running():
            try:
                vhids = self.daemons[host].status()["vhids"]
            except (OSError, ValueError, KeyError):
                continue
            out[host] = {int(v["vhid"]): str(v["state"]) for v in vhids}
        return out

    def marks(self) -> dict[str, int]:
        """How many transitions each daemon has logged so far (to read only later ones)."""
        return {h: len(d.transitions()) for h, d in self.daemons.items()}

    def since(self, host: str, marks: dict[str, int]) -> list[Transition]:
        return self.daemons[host].transitions()[marks.get(host, 0) :]

    def stamped(self, host: str, marks: dict[str, int]) -> list[tuple[float, int, str, str]]:
        """(seconds of the day, vhid, old, new) of each transition `host` logged since `marks`."""
        return [
            (seconds(m[1]), int(m[2]), m[3], m[4])
            for m in _STAMPED.finditer(self.daemons[host].log())
        ][marks.get(host, 0) :]

    def master_episodes(self, host: str, vhid: int, marks: dict[str, int]) -> list[float]:
        """How long each of `host`'s MASTER spells of `vhid` since `marks` lasted (seconds, from
        the log's timestamps); a spell still running is left out."""
        stamped = self.stamped(host, marks)
        spells: list[float] = []
        began: float | None = None
        for t, v, _old, new in stamped:
            if v != vhid:
                continue
            if new == "MASTER":
                began = t
            elif began is not None:
                spells.append((t - began) % 86400)
                began = None
        return spells

    def logged_at(self, host: str, vhid: int, old: str, new: str, marks: dict[str, int]) -> float:
        """When (seconds of the day, from the log's timestamps) `host` first logged `vhid`'s
        `old -> new` since `marks`. Every daemon logs on this machine's one clock, so two hosts'
        stamps compare to the millisecond without the test's own delays (clients starting,
        polls) in between."""
        stamped = self.stamped(host, marks)
        for t, v, was, now in stamped:
            if (v, was, now) == (vhid, old, new):
                return t
        pytest.fail(f"{host} logged no {old} -> {new} of vhid {vhid}: {stamped}")

    def stopping_at(self, host: str) -> float:
        """When `host`'s daemon last logged `rcnet: stopping` (just before its bow-out)."""
        found = self.daemons[host].stamps(r"^rcnet: stopping$")
        if not found:
            pytest.fail(f"{host} logged no 'rcnet: stopping'")
        return found[-1]

    def last(self, host: str) -> tuple[int, str, str, str]:
        t = self.daemons[host].transitions()[-1]
        return (t.vhid, t.old, t.new, t.reason)

    def sysctl(self, host: str, setting: str) -> str:
        """`rcnet sysctl SETTING` in `host`'s namespace, as a user types it."""
        done = self.rcnet(host, "sysctl", setting)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    # -- links and VIPs -----------------------------------------------------------------------

    def links(self, host: str) -> list[Link]:
        raw: list[dict[str, Any]] = json.loads(self.lab.ip(host, "-j", "-d", "addr", "show").stdout)
        return [
            Link(
                name=str(e["ifname"]),
                index=int(e["ifindex"]),
                kind=e.get("linkinfo", {}).get("info_kind"),
                mac=str(e.get("address", "")),
                up="UP" in e.get("flags", []),
                parent=e.get("link"),
                addresses=frozenset(f"{a['local']}/{a['prefixlen']}" for a in e["addr_info"]),
            )
            for e in raw
        ]

    def view(self) -> View:
        links = {h: self.links(h) for h in HOSTS}
        states = self.states()
        return View(
            masters={
                v: [h for h in HOSTS if states.get(h, {}).get(v) == "MASTER"] for v in self.vips
            },
            holders={
                v: [
                    h
                    for h in HOSTS
                    if h not in self.offline and any(lk.holds(ip) for lk in links[h])
                ]
                for v, ip in self.vips.items()
            },
        )

    def wait_converged(
        self,
        vhids: Iterable[int],
        t0: float,
        timeout: float = 15,
        want: dict[int, str] | None = None,
        hold: float = 0.0,
    ) -> dict[int, float]:
        """Poll until every vhid has a single master (the host in `want`, when given) holding its
        VIP alone, and at least `hold` seconds have passed since `t0` (a timer armed during a
        fault can still expire that long after it ended); per vhid, the seconds from `t0` to the
        end of the poll from which on it stayed so. Fails after `timeout` seconds."""
        settled: dict[int, float | None] = dict.fromkeys(vhids)
        want = want or {}
        while True:
            view = self.view()
            now = time.monotonic()
            for v in settled:
                single = view.single(v)
                if single is None or want.get(v, single) != single:
                    settled[v] = None
                elif settled[v] is None:
                    settled[v] = now - t0
            if now - t0 >= hold and all(s is not None for s in settled.values()):
                return {v: s for v, s in settled.items() if s is not None}
            if now - t0 > timeout:
                pytest.fail(f"no single master ({want or 'any'}) {timeout:.0f} s after t0: {view}")
            time.sleep(0.02)

    # -- faults -------------------------------------------------------------------------------

    def nft(self, ns: str, ruleset: str) -> None:
        self._nft_files += 1
        path = self.tmp / f"fault-{self._nft_files}.nft"
        path.write_text(ruleset)
        self.lab.run(ns, ["nft", "-f", str(path)])

    def loss_on(self, percent: int) -> None:
        """Drop `percent` % of the CARP packets each host receives (its input hook); a first
        rule counts all of them so the loss really applied can be measured."""
        for host in HOSTS:
            self.nft(
                host,
                f"table inet {FAULT_TABLE} {{\n  chain carpin {{\n"
                "    type filter hook input priority -10; policy accept;\n"
                "    ip protocol 112 counter\n"
                f"    ip protocol 112 numgen random mod 100 < {percent} counter drop\n"
                "  }\n}\n",
            )

    def loss_counts(self) -> tuple[int, int]:
        """(CARP packets seen, dropped) at the hosts' input hooks, summed."""
        seen = dropped = 0
        for host in HOSTS:
            out = self.lab.run(host, ["nft", "-j", "list", "table", "inet", FAULT_TABLE]).stdout
            rules = [i["rule"] for i in json.loads(out)["nftables"] if "rule" in i]
            counts = [
                next(e["counter"]["packets"] for e in r["expr"] if "counter" in e) for r in rules
            ]
            seen, dropped = seen + counts[0], dropped + counts[1]
        return seen, dropped

    def loss_off(self) -> None:
        for host in HOSTS:
            self.lab.run(host, ["nft", "delete", "table", "inet", FAULT_TABLE])

    def partition(self, isolated: str) -> None:
        """Cut the segment between `isolated` and the others for CARP, both ways, in the
        bridge: neither side hears the other."""
        port = self.seg.port(isolated)
        self.nft(
            self.seg.lan,
            f"table bridge {FAULT_TABLE} {{\n  chain cut {{\n"
            "    type filter hook forward priority -10; policy accept;\n"
            f'    iifname "{port}" ip protocol 112 counter drop\n'
            f'    oifname "{port}" ip protocol 112 counter drop\n'
            "  }\n}\n",
        )

    def heal(self) -> None:
        self.lab.run(self.seg.lan, ["nft", "delete", "table", "bridge", FAULT_TABLE])

    # -- invariants ---------------------------------------------------------------------------

    def assert_links(self, host: str) -> None:
        """Only lo, fxp0 and, while its daemon runs, exactly its vhid macvlans (one per virtual
        MAC, on fxp0); the user's address and the host's own one on fxp0."""
        links = {lk.name: lk for lk in self.links(host)}
        assert {"lo", self.seg.nic} <= set(links), links
        extra = {n: lk for n, lk in links.items() if n not in ("lo", self.seg.nic)}
        wanted = self.expected[host] if host in self.running() else {}
        assert set(extra) == set(wanted), f"{host}: links {sorted(extra)}, expected {wanted}"
        for name, vhid in wanted.items():
            lk = extra[name]
            assert _RCNET_LINK.match(name), name
            assert (lk.kind, lk.mac, lk.parent) == ("macvlan", vmac(vhid), self.seg.nic), lk
        nic = links[self.seg.nic].addresses
        assert {USER_ADDRESS[host], OWN_ADDRESS[host]} <= nic, f"{host}: fxp0 has {sorted(nic)}"

    def assert_invariants(self, window: float = 1.5) -> None:
        """After a scenario: for `window` (longer than an advert interval, so a role that is
        about to change shows it) every VIP is held by exactly one host, the one whose daemon
        says MASTER; no stray links; the user's addresses in place; no traceback in any log."""
        end = time.monotonic() + window
        while True:
            view = self.view()
            for v in self.vips:
                assert view.single(v) is not None, f"vhid {v}: {view}"
            if time.monotonic() >= end:
                break
            time.sleep(0.1)
        for host in HOSTS:
            self.assert_links(host)
        for daemon in self.daemons.values():
            assert "Traceback" not in daemon.log(), daemon.log()
        assert socket.gethostname() == self.hostname

    def stop_everything(self) -> None:
        """`rcnet stop` on every running daemon: each exits 0, and no macvlan is left."""
        for host in self.running():
            done = self.rcnet(host, "stop")
            assert done.returncode == 0, done.stderr
            assert self.daemons[host].proc.wait(timeout=10) == 0
        for host in HOSTS:
            self.assert_links(host)
            assert not [lk for lk in self.links(host) if lk.kind == "macvlan"]

    def finish(self) -> None:
        self.assert_invariants()
        self.stop_everything()

    # -- the daemons' lives ---------------------------------------------------------------------

    def terminate(self, host: str) -> Daemon:
        """SIGTERM (what systemd sends) and wait for the exit; the daemon must exit 0."""
        daemon = self.daemons[host]
        daemon.proc.send_signal(signal.SIGTERM)
        assert daemon.proc.wait(timeout=10) == 0, daemon.log()
        return daemon

    def second_start(self, host: str, conf: Path, control: str) -> subprocess.CompletedProcess[str]:
        """Another `rcnet start` in `host`'s namespace, as a user would type it (it should
        refuse). In its own UTS namespace and with --no-hostname, so that even a start that
        wrongly went ahead could not rename the machine; it is ended after 30 s at the latest."""
        argv = ["ip", "netns", "exec", self.lab.name(host), "unshare", "--uts", sys.executable]
        argv += ["-m", "rcnet", "start", "--no-hostname", str(conf), "--control", control]
        try:
            return subprocess.run(
                argv, capture_output=True, text=True, timeout=30, env=self.env, cwd=ROOT
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"a second rcnet start for {host} kept running ({conf}, {control})")


_STAMPED = re.compile(
    r"^(\d\d:\d\d:\d\d\.\d{3}) carp: (\d+)@\S+: (INIT|BACKUP|MASTER) -> (INIT|BACKUP|MASTER) ",
    re.MULTILINE,
)


def clock() -> float:
    """Seconds of the day now, on the daemons' log clock (local time, as logging's asctime)."""
    now = time.time()
    t = time.localtime(now)
    return t.tm_hour * 3600 + t.tm_min * 60 + t.tm_sec + now % 1


def since_clock(stamp: float, start: float) -> float:
    """Seconds from `start` to a log `stamp` (both from `clock`/the logs), across midnight."""
    return (stamp - start) % 86400


def vmac(vhid: int) -> str:
    return VMAC.get(vhid, f"00:00:5e:00:01:{vhid:02x}")


def handbook_conf(host: str) -> Path:
    return HANDBOOK / f"{host}.conf"
