"""Failover on the wire: rcnet, ucarp and keepalived on the same kind of segment.

Per implementation: a fresh segment (bridge + hosts m .3, b .4 and a client c .5 probing the VIP
every PROBE_S with bench/prober.py), m with advskew 0 (priority 200), b with advskew 100 (priority
100), preemption off. Each trial kills (or stops) whichever host is MASTER, measures the takeover
from a capture on the bridge, where the headline is the moment the VIP is usable: the survivor's
first answer to the client's probe (from a second capture, of what enters the bridge from the
survivor's port: rcnet's two hosts answer with one virtual MAC); the first gratuitous ARP is the
second figure. The victim is then revived as a clean namespace whose daemon comes back as
BACKUP; so the roles alternate and each trial's bound is that of the host taking over.

Unplanned: the master's link is cut at a random phase of its advert interval, then its processes
are killed. Planned: the master gets SIGTERM (rcnet: bow-out 255/255; keepalived: priority 0;
ucarp: no bow-out).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from ipaddress import IPv4Interface
from pathlib import Path
from typing import Any

from bench import pcap
from bench.analysis import Takeover, analyse, takeover_logged_us
from bench.lab_check import machine_load, rcnet_version, write_results
from bench.netlab import Capture, NetLabError, Segment, sweep, wait_until
from bench.peers import Impl, Keepalived, Rcnet, Role, Setup, Ucarp
from bench.stats import median_index, summary

VHID = 1
VIP = IPv4Interface("192.168.1.50/24")
HOSTS = {"m": "192.168.1.3/24", "b": "192.168.1.4/24", "c": "192.168.1.5/24"}
SKEWS = {"carp": {"m": 0, "b": 100}, "vrrp": {"m": 200, "b": 100}}
PROBE_S = "0.005"  # the client's echo requests: the VIP-usable figure's resolution
PROBER = Path(__file__).resolve().parent / "prober.py"
#: the prober stops by itself after this long (one implementation's trials take a few minutes)
PROBE_MAX_S = 1800.0
SETTLE_S = 1.6  # more than the slowest advert interval (1 + 100/256 s): the backup heard one
AFTER_GARP_S = 0.5  # the client's replies resume
WAIT_STATE_S = 20.0
MAX_TRIAL_RETRIES = 3


class TrialError(RuntimeError):
    """A trial could not be set up (not a measurement: it is retried, then reported)."""


@dataclass(frozen=True)
class Plan:
    trials: int
    kinds: tuple[str, ...] = ("unplanned", "planned")


def make_impl(name: str, workdir: Path) -> Impl:
    setup = Setup({VHID: VIP})
    family = "vrrp" if name == "keepalived" else "carp"
    roles = {h: Role(h, IPv4Interface(HOSTS[h]), SKEWS[family][h]) for h in ("m", "b")}
    cls: dict[str, type[Rcnet] | type[Ucarp] | type[Keepalived]] = {
        "rcnet": Rcnet,
        "ucarp": Ucarp,
        "keepalived": Keepalived,
    }
    impl = cls[name](workdir, setup, roles)
    impl.configure()
    return impl


def segment_hosts(name: str) -> dict[str, str]:
    """rcnet configures fxp0 from its rc.conf; the others need the address there already."""
    if name == "rcnet":
        return {"m": "", "b": "", "c": HOSTS["c"]}
    return dict(HOSTS)


class Bench:
    """One implementation's session: segment, daemons, client probe, trials."""

    def __init__(self, impl: Impl, seg: Segment, capdir: Path, rng: random.Random) -> None:
        self.impl, self.seg, self.capdir, self.rng = impl, seg, capdir, rng
        self.count = 0

    def roles(self) -> tuple[str, str]:
        """(MASTER, BACKUP) now, from what the daemons report; raises if not settled."""
        ok = wait_until(self._settled, WAIT_STATE_S)
        if not ok:
            raise TrialError(
                f"{self.impl.name}: no settled master/backup pair "
                f"(m {self.impl.states('m')}, b {self.impl.states('b')})"
            )
        return ("m", "b") if self.impl.masters("m") else ("b", "m")

    def _settled(self) -> bool:
        m, b = self.impl.masters("m"), self.impl.masters("b")
        mb, bb = self.impl.backups("m"), self.impl.backups("b")
        return (m == 1 and bb == 1 and b == 0) or (b == 1 and mb == 1 and m == 0)

    def trial(self, kind: str) -> dict[str, Any]:
        victim, survivor = self.roles()
        self.count += 1
        path = self.capdir / f"{self.impl.name}-{kind}-{self.count}.pcap"
        sent = self.capdir / f"{self.impl.name}-{kind}-{self.count}-{survivor}.pcap"
        with (
            Capture(self.seg, path, bpf="arp or icmp or ip proto 112") as cap,
            Capture(self.seg, sent, bpf="arp or icmp", port=survivor) as answers,
        ):
            time.sleep(SETTLE_S + self.rng.uniform(0, self.impl.interval_us(victim) / 1e6))
            after = self._event(kind, victim)
            bound_s = self.impl.bound_us(survivor) / 1e6
            quiet = bound_s - 0.5 if kind == "unplanned" else 0.0
            self._await_takeover(path, after, bound_s + 4.0, quiet)
        seen = analyse(
            pcap.read(path),
            victim=self.impl.roles[victim].address.ip,
            survivor=self.impl.roles[survivor].address.ip,
            vip=VIP.ip,
            vhid=VHID,
            after=after,
            answers=pcap.read(sent),
            client=IPv4Interface(HOSTS["c"]).ip,
        )
        self._revive(victim)
        path.unlink(missing_ok=True)
        sent.unlink(missing_ok=True)
        record = self._record(kind, victim, survivor, seen)
        record["capture_dropped"] = cap.dropped
        record["answers_capture_dropped"] = answers.dropped
        if self.impl.name == "rcnet" and seen.garp is not None and seen.last_advert is not None:
            record["rcnet_log"] = self._breakdown(survivor, seen)
        return record

    def _event(self, kind: str, victim: str) -> int:
        """The failover itself; returns its time (µs, the capture's clock: CLOCK_REALTIME)."""
        if kind == "unplanned":
            self.seg.cut(victim)
            after = time.time_ns() // 1000  # the link is down: nothing of the victim follows
            self.seg.kill_all(victim)
            self.impl.forget(victim)
            return after
        after = time.time_ns() // 1000
        self.impl.stop(victim)
        return after

    def _await_takeover(self, path: Path, after: int, timeout: float, quiet: float) -> None:
        """Watch the capture (written frame by frame) for the VIP's gratuitous ARP, then let the
        client's replies resume. Nothing is read for the first `quiet` seconds, when no takeover
        can happen yet: the harness stays off the CPUs while the daemons work."""
        time.sleep(quiet)
        tail = pcap.Tail(path)

        def garp_seen() -> bool:
            try:
                frames = tail.new_frames()
            except pcap.PcapError:
                return False
            return any(
                isinstance(f, pcap.Arp) and f.gratuitous and f.spa == VIP.ip and f.ts > after
                for f in frames
            )

        if wait_until(garp_seen, timeout - quiet, step=0.1):
            time.sleep(AFTER_GARP_S)

    def _breakdown(self, survivor: str, seen: Takeover) -> dict[str, float | None]:
        """Where rcnet's time went (diagnosis only, 1 ms resolution): from the master-down
        deadline to the daemon logging the transition, and from there to the GARP on the wire."""
        assert seen.garp is not None and seen.last_advert is not None
        logged = takeover_logged_us(self.impl.read_log(survivor), VHID, seen.garp)
        if logged is None:
            return {"deadline_to_log_ms": None, "log_to_garp_ms": None}
        deadline = seen.last_advert + self.impl.bound_us(survivor)
        return {
            "deadline_to_log_ms": round((logged - deadline) / 1000, 3),
            "log_to_garp_ms": round((seen.garp - logged) / 1000, 3),
        }

    def _revive(self, victim: str) -> None:
        self.impl.forget(victim)
        self.seg.revive(victim)
        self.impl.start(self.seg, victim)

    def _record(self, kind: str, victim: str, survivor: str, seen: Takeover) -> dict[str, Any]:
        bound = self.impl.bound_us(survivor)
        wait = self.impl.bow_out_wait_us(survivor)
        usable_handover = seen.usable_handover_us()
        return {
            "kind": kind,
            "victim": victim,
            "survivor": survivor,
            "bound_ms": round(bound / 1000, 3),
            "usable_overhead_ms": ms(seen.usable_overhead_us(bound)),
            "usable_handover_ms": ms(usable_handover),
            "bow_out_wait_ms": ms(wait),
            "usable_handover_minus_wait_ms": ms(
                None if usable_handover is None or wait is None else usable_handover - wait
            ),
            "overhead_ms": ms(seen.overhead_us(bound)),
            "handover_ms": ms(seen.handover_us()),
            "bow_out": seen.bow_out,
            "garp_mac": seen.garp_mac,
            "new_advert_minus_garp_ms": (
                None
                if seen.new_advert is None or seen.garp is None
                else round((seen.new_advert - seen.garp) / 1000, 3)
            ),
            "client_gap_ms": None if seen.gap is None else round(seen.gap / 1000, 1),
            "last_advert_us": seen.last_advert,
            "garp_us": seen.garp,
            "timeline": seen.timeline(bound),
        }

    def start(self) -> None:
        self.seg.spawn(
            "c", client_probe(str(VIP.ip)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for host in ("m", "b"):
            self.impl.start(self.seg, host)


def run_impl(name: str, plan: Plan, workdir: Path, rng: random.Random) -> dict[str, Any]:
    """All trials of one implementation on its own segment, torn down whatever happens."""
    impl = make_impl(name, workdir)
    trials: list[dict[str, Any]] = []
    errors: list[str] = []
    with Segment(segment_hosts(name), tag=name[:2]) as seg:
        bench = Bench(impl, seg, workdir, rng)
        bench.start()
        for kind in plan.kinds:
            done = 0
            retries = 0
            while done < plan.trials and retries <= MAX_TRIAL_RETRIES:
                try:
                    trials.append(bench.trial(kind))
                    done += 1
                except (TrialError, NetLabError, OSError, subprocess.SubprocessError) as exc:
                    errors.append(f"{kind} trial {done + 1}: {exc}")
                    retries += 1
                    try:
                        _recover(bench)
                    except (NetLabError, OSError, subprocess.SubprocessError) as again:
                        errors.append(f"giving up on {name}: recovery failed: {again}")
                        break
                print(_progress(name, kind, done, plan.trials, trials), flush=True)
    logs = {p.name: p.read_text(errors="replace")[-4000:] for p in impl.logs.values()}
    return {"trials": trials, "errors": errors, "logs_tail": logs if errors else {}}


def client_probe(address: str, seconds: float = PROBE_MAX_S) -> list[str]:
    """The client's probe of `address`: an echo request every PROBE_S also while nothing answers
    (bench/prober.py says why not ping), for `seconds` at most."""
    return [sys.executable, str(PROBER), address, PROBE_S, str(seconds)]


def ms(us: int | None) -> float | None:
    return None if us is None else round(us / 1000, 3)


def _recover(bench: Bench) -> None:
    """After a failed trial: both hosts revived and restarted from scratch."""
    for host in ("m", "b"):
        bench.impl.forget(host)
        bench.seg.revive(host)
        bench.impl.start(bench.seg, host)


def _progress(name: str, kind: str, done: int, total: int, trials: list[dict[str, Any]]) -> str:
    last = trials[-1] if trials else {}
    key = "usable_overhead_ms" if kind == "unplanned" else "usable_handover_ms"
    garp = "overhead_ms" if kind == "unplanned" else "handover_ms"
    return (
        f"  {name:<10} {kind:<9} {done}/{total}  {key} {last.get(key)}  GARP {last.get(garp)}"
        f"  client gap {last.get('client_gap_ms')} ms"
    )


def summarise(trials: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, key in (("unplanned", "overhead_ms"), ("planned", "handover_ms")):
        rows = [t for t in trials if t["kind"] == kind]
        usable = f"usable_{key}"
        figures = [t[usable] for t in rows]
        pick = median_index(figures)
        out[kind] = {
            usable: summary(figures),
            key: summary([t[key] for t in rows]),
            "client_gap_ms": summary([t["client_gap_ms"] for t in rows]),
            "bound_ms": sorted({t["bound_ms"] for t in rows}),
            "bow_out_seen": sum(1 for t in rows if t["bow_out"]),
            "median_trial": rows[pick]["timeline"] if pick is not None else {},
        }
        if kind == "planned":
            minus = [t["usable_handover_minus_wait_ms"] for t in rows]
            out[kind]["usable_handover_minus_wait_ms"] = summary(minus)
    return out


def available(name: str) -> str | None:
    """Why an implementation cannot run here, or None."""
    exe = {"rcnet": None, "ucarp": "ucarp", "keepalived": "keepalived"}[name]
    if exe is not None and shutil.which(exe) is None:
        return f"{exe} is not installed (make bench installs it through tools/install-deps)"
    return None


def main(quick: bool) -> dict[str, Any]:
    plan = Plan(trials=3 if quick else 10)
    rng = random.Random(int.from_bytes(os.urandom(4), "big"))
    sweep()
    result: dict[str, Any] = {
        "quick": quick,
        "trials_per_kind": plan.trials,
        "segment": "veth pairs on a Linux bridge, one namespace per host; capture on the bridge",
        "probe_interval_s": float(PROBE_S),
        "rcnet_syntax": "modern (vhid on an alias of fxp0; one macvlan per vhid)",
        "implementations": {},
    }
    result["machine_before"] = machine_load()
    result["rcnet_before"] = rcnet_version()
    for name in ("rcnet", "ucarp", "keepalived"):
        why = available(name)
        if why is not None:
            result["implementations"][name] = {"skipped": why}
            print(f"  {name}: skipped: {why}", flush=True)
            continue
        with tempfile.TemporaryDirectory(prefix=f"rcbench-{name}-") as tmp:
            started = time.monotonic()
            run = run_impl(name, plan, Path(tmp), rng)
            run["summary"] = summarise(run["trials"])
            run["seconds"] = round(time.monotonic() - started, 1)
            for t in run["trials"]:
                t.pop("timeline", None)
            result["implementations"][name] = run
    write_results("failover.json", result)
    return result
