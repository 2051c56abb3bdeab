"""Diagnosis (not part of `make bench`): where rcnet's time and CPU go.

    python bench/diagnose_rcnet.py            # writes bench/results/rcnet-diagnosis.json

1. Takeover path: rcnet failover trials as in bench_failover, the daemons started through
   bench/probe_rcnet.py. Each trial's time from the wire's last advert to the wire's first
   gratuitous ARP is split into: the survivor reading that advert (receive latency, which also
   moves its master-down deadline), from the deadline (or the bow-out) to the advert sent, the
   advert to the gratuitous ARP sent, that GARP to the wire, the netlink call bringing the vhid
   link up, and when that call ended against the
   gratuitous ARP reaching the wire, and when the vhid link came up (the VIP usable) against
   the GARP. "start" is the armed master-down deadline (unplanned) or the bow-out being read.
2. CPU: both daemons (MASTER and BACKUP of every vhid) with 64 and 255 vhids under cProfile
   for a window; the functions with the most time of their own.
3. asyncio's own timer lateness for the delays rcnet's timers use (no namespace): a plain
   `call_at` against one re-armed a few ms before the deadline.
"""

from __future__ import annotations

import asyncio
import json
import pstats
import random
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from ipaddress import IPv4Interface
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import failover, resources
from bench.lab_check import machine_load, rcnet_version, unavailable, write_results
from bench.netlab import Segment, wait_until
from bench.peers import Rcnet, Role, Setup

ROOT = Path(__file__).resolve().parents[1]
PROBE = ROOT / "bench" / "probe_rcnet.py"


class ProbedRcnet(Rcnet):
    """rcnet started through the probe launcher: one probe file per (host, start)."""

    def __init__(self, workdir: Path, setup: Setup, roles: dict[str, Role]) -> None:
        super().__init__(workdir, setup, roles)
        self.probes: dict[str, Path] = {}
        self.profile: dict[str, Path] = {}

    def start(self, seg: Segment, host: str) -> None:
        log = self._log(host)
        probe = log.with_suffix(".probe")
        self.probes[host] = probe
        argv = ["unshare", "--uts", sys.executable, str(PROBE), str(probe)]
        if host in self.profile:
            argv += ["--profile", str(self.profile[host])]
        argv += ["start", str(self.conf_path(host))]
        argv += ["--control", str(self.workdir / f"rcnet-{host}.sock")]
        self.procs[host] = [seg.spawn(host, argv, log=log, cwd=ROOT)]


@dataclass(frozen=True)
class Mark:
    event: str
    wall: int  # ns
    mono: int  # ns
    detail: str


def read_marks(path: Path) -> list[Mark]:
    out = []
    for line in path.read_text(errors="replace").splitlines():
        parts = line.split(" ", 3)
        if len(parts) >= 3 and parts[1].isdigit() and parts[2].isdigit():
            out.append(
                Mark(parts[0], int(parts[1]), int(parts[2]), parts[3] if len(parts) > 3 else "")
            )
    return out


def _first(marks: list[Mark], event: str, since: int, until: int | None = None) -> Mark | None:
    for m in marks:
        if m.event == event and m.wall >= since and (until is None or m.wall <= until):
            return m
    return None


def breakdown(marks: list[Mark], trial: dict[str, Any], victim_ip: str) -> dict[str, float] | None:
    """Milliseconds of each step from the wire's last advert to the wire's first GARP, whatever
    order the daemon does them in (frames and the vhid link's netlink call)."""
    last_ns, garp_ns = trial["last_advert_us"] * 1000, trial["garp_us"] * 1000
    rx = next(
        (
            m
            for m in marks
            if m.event == "_on_packet:start" and m.detail == victim_ip and m.wall >= last_ns
        ),
        None,
    )
    anns = [m for m in marks if m.event == "_announce:start" and m.wall < garp_ns]
    if rx is None or not anns:
        return None
    ann = anns[-1]
    if trial["kind"] == "unplanned":
        timers = [m for m in marks if m.event == "_on_timer:start" and m.wall <= ann.wall]
        if not timers or not timers[-1].detail.isdigit():
            return None
        fire = timers[-1]
        start = int(fire.detail) * 1000 + (fire.wall - fire.mono)  # the armed deadline, wall
    else:
        start = rx.wall  # the bow-out read
    send = _first(marks, "_send:start", start, ann.wall)
    up = next(
        (
            m
            for m in marks
            if m.event == "_switch:start" and m.detail.endswith(":up") and m.wall >= start
        ),
        None,
    )
    up_end = _first(marks, "_switch:end", up.wall) if up is not None else None
    if send is None or up is None or up_end is None:
        return None
    out = {
        "rx_latency_ms": (rx.wall - last_ns) / 1e6,
        "start_to_send_ms": (send.wall - start) / 1e6,
        "send_to_announce_ms": (ann.wall - send.wall) / 1e6,
        "announce_to_wire_ms": (garp_ns - ann.wall) / 1e6,
        "up_call_ms": (up_end.wall - up.wall) / 1e6,
        "link_up_after_garp_ms": (up_end.wall - garp_ns) / 1e6,
    }
    if trial["kind"] == "unplanned":
        out["deadline_shift_ms"] = (start - (last_ns + trial["bound_ms"] * 1e6)) / 1e6
    return out


def takeover_path(trials: int) -> dict[str, Any]:
    rng = random.Random()
    found: dict[str, list[dict[str, float]]] = {"unplanned": [], "planned": []}
    figures: dict[str, list[float]] = {"unplanned": [], "planned": []}
    with tempfile.TemporaryDirectory(prefix="rcbench-diag-") as tmp:
        work = Path(tmp)
        setup = Setup({failover.VHID: failover.VIP})
        roles = {
            h: Role(h, IPv4Interface(failover.HOSTS[h]), failover.SKEWS["carp"][h])
            for h in ("m", "b")
        }
        impl = ProbedRcnet(work, setup, roles)
        impl.configure()
        with Segment(failover.segment_hosts("rcnet"), tag="dg") as seg:
            bench = failover.Bench(impl, seg, work, rng)
            bench.start()
            for kind in ("unplanned", "planned"):
                for _ in range(trials):
                    victim, survivor = bench.roles()
                    probe = impl.probes[survivor]
                    trial = bench.trial(kind)
                    key = "overhead_ms" if kind == "unplanned" else "handover_ms"
                    if trial[key] is not None:
                        figures[kind].append(trial[key])
                    if trial["garp_us"] is None:
                        continue
                    parts = breakdown(read_marks(probe), trial, str(roles[victim].address.ip))
                    if parts is not None:
                        found[kind].append(parts)
                    print(f"  {kind} {trial[key]} ms: {parts}", flush=True)
    out: dict[str, Any] = {}
    for kind, rows in found.items():
        keys = sorted({k for r in rows for k in r})
        out[kind] = {
            "trials": len(rows),
            "figure_median_ms": round(statistics.median(figures[kind]), 3)
            if figures[kind]
            else None,
            "median_ms": {k: round(statistics.median(r[k] for r in rows), 3) for k in keys},
            "max_ms": {k: round(max(r[k] for r in rows), 3) for k in keys},
        }
    return out


def cpu_profile(count: int, seconds: float) -> dict[str, Any]:
    """Both daemons (m: MASTER of every vhid, b: BACKUP) under cProfile for the window."""
    with tempfile.TemporaryDirectory(prefix="rcbench-prof-") as tmp:
        work = Path(tmp)
        setup = Setup.many(count)
        roles = {h: Role(h, resources.ADDRS[h], resources.SKEWS[h]) for h in ("m", "b")}
        impl = ProbedRcnet(work, setup, roles)
        impl.profile = {h: work / f"{h}.prof" for h in ("m", "b")}
        impl.configure()
        with Segment({"m": "", "b": ""}, tag=f"pf{count}") as seg:
            for host in ("m", "b"):
                impl.start(seg, host)
            wait_until(lambda: impl.masters("m") == count and impl.backups("b") == count, 60)
            time.sleep(2.0)
            for host in ("m", "b"):
                for proc in impl.procs[host]:
                    proc.send_signal(signal.SIGUSR2)  # the profile covers the window only
            time.sleep(seconds)
            for host in ("m", "b"):
                for proc in impl.procs[host]:
                    proc.send_signal(signal.SIGUSR2)  # profile off before the stop
            time.sleep(0.2)
            for host in ("m", "b"):
                for proc in impl.procs[host]:
                    proc.send_signal(signal.SIGTERM)
                    proc.wait(timeout=15)
        out: dict[str, Any] = {
            "vhids": count,
            "window_s": seconds,
            "note": "each daemon's event loop under cProfile for the window;"
            " busy = everything but waiting in epoll; shares are of busy time",
        }
        for host in ("m", "b"):
            out[host] = profile_rows(pstats.Stats(str(work / f"{host}.prof")), seconds)
    return out


def profile_rows(stats: pstats.Stats, seconds: float) -> dict[str, Any]:
    raw: Any = stats.stats  # type: ignore[attr-defined]
    rows = []
    idle = 0.0
    for (path, line, func), (_cc, ncalls, tottime, cumtime, _callers) in raw.items():
        if "epoll" in func and "poll" in func:
            idle += tottime
            continue
        rows.append((tottime, cumtime, ncalls, f"{Path(path).name}:{line}({func})"))
    rows.sort(reverse=True)
    busy = sum(r[0] for r in rows)
    return {
        "busy_s": round(busy, 3),
        "busy_percent_of_window": round(100 * busy / seconds, 2),
        "top_own_time": [
            {"function": name, "share": round(tt / busy, 3), "calls": n, "cum_s": round(ct, 3)}
            for tt, ct, n, name in rows[:12]
        ],
    }


async def _late(delay: float, early: float) -> float:
    """How late a `call_at` deadline `delay` s ahead fires; with early > 0 the wait is split:
    a first timer `early` s before the deadline, then the deadline itself."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[float] = loop.create_future()
    when = loop.time() + delay

    def fire() -> None:
        done.set_result(loop.time() - when)

    if early > 0:
        loop.call_at(when - early, lambda: loop.call_at(when, fire))
    else:
        loop.call_at(when, fire)
    return await done


def timer_lateness(runs: int) -> dict[str, Any]:
    async def measure() -> dict[str, Any]:
        out: dict[str, Any] = {}
        for delay in (0.01, 1.0, 3.390625):
            for early, label in ((0.0, "call_at"), (0.005, "re-armed 5 ms early")):
                late = [await _late(delay, early) * 1000 for _ in range(runs)]
                out[f"{delay} s, {label}"] = {
                    "median_ms": round(statistics.median(late), 3),
                    "max_ms": round(max(late), 3),
                }
        return out

    return asyncio.run(measure())


def main() -> int:
    why = unavailable()
    if why is not None:
        print(f"diagnose_rcnet: skipped: {why}")
        return 0
    result = {
        "rcnet": rcnet_version(),
        "machine_before": machine_load(),
        "takeover": takeover_path(8),
        "cpu": [cpu_profile(64, 15), cpu_profile(255, 15)],
        "asyncio_timer_lateness": timer_lateness(6),
    }
    write_results("rcnet-diagnosis.json", result)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
