"""CPU and memory of rcnet, ucarp and keepalived at 64 and 255 vhids, in interleaved windows.

Per vhid count, each implementation gets its own segment of two hosts (m MASTER of every vhid,
b BACKUP: CARP advskew 0/100, VRRP priority 200/100), all built and settled first. Then windows
are taken in turn, rcnet, ucarp, keepalived, rcnet, ...: the implementation measured is thawed
(SIGCONT), the others stay frozen (SIGSTOP: no CPU, their memory kept), so each window shares the
machine with nothing of the benchmark. After a thaw the pair settles again (a backup's overdue
master-down may fire once) before the window starts.

A window measures the CPU time of every process in both hosts' namespaces (schedstat, ns) and,
at its end, RSS and PSS (/proc/PID/smaps_rollup: shared pages divided among the processes that
share them, which matters for ucarp's process per vhid). The machine's busy time over the same
window comes from /proc/stat; what is left after the measured processes (and this harness) is
another process's work: a window where that exceeds OTHER_MAX_PERCENT of a core is repeated,
not kept. Each figure is the median of the kept windows, with min and max beside it.

The machine's interrupt and softirq time over the window is reported beside (softirq_percent,
not added): with the others frozen it is mostly the measured pair's packets, but it is sampled
at the clock tick and part of it (softirq run while a daemon is on the CPU) is already in that
daemon's own time, as this kernel has no IRQ_TIME_ACCOUNTING.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from ipaddress import IPv4Interface
from pathlib import Path
from typing import Any

from bench.netlab import Segment, netns_pids, wait_until
from bench.peers import Impl, Keepalived, Rcnet, Role, Setup, Ucarp
from bench.procstat import Usage, usage
from bench.stats import summary

IMPLS = ("rcnet", "ucarp", "keepalived")
COUNTS = (64, 255)
ADDRS = {"m": IPv4Interface("10.9.0.1/16"), "b": IPv4Interface("10.9.0.2/16")}
SKEWS = {"carp": {"m": 0, "b": 100}, "vrrp": {"m": 200, "b": 100}}
#: a window where processes other than the measured ones used more than this is repeated
OTHER_MAX_PERCENT = 10.0
MAX_REPEATS = 4
THAW_S = 4.0  # more than a master-down interval (3.39-3.61 s): an overdue timer has fired


def make_impl(name: str, count: int, workdir: Path) -> Impl:
    setup = Setup.many(count)
    family = "vrrp" if name == "keepalived" else "carp"
    roles = {h: Role(h, ADDRS[h], SKEWS[family][h]) for h in ("m", "b")}
    cls: dict[str, Callable[[Path, Setup, dict[str, Role]], Impl]] = {
        "rcnet": Rcnet,
        "ucarp": Ucarp,
        "keepalived": Keepalived,
    }
    impl = cls[name](workdir, setup, roles)
    impl.configure()
    return impl


def busy_ticks() -> int:
    """The clock ticks processes have run so far, all CPUs (/proc/stat's cpu line: user, nice,
    system; guest time is inside user). Interrupt and softirq time is left out: with
    IRQ_TIME_ACCOUNTING it is no process's, and much of it is the measured daemons' packets."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:4]]
    return sum(fields)


def softirq_ticks() -> int:
    """The clock ticks spent in interrupts and softirqs so far, all CPUs (/proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:8]]
    return fields[5] + fields[6]


def own_cpu_ns() -> int:
    """This harness's CPU time and that of the commands it ran (`ip netns pids`, reaped)."""
    t = os.times()
    return time.process_time_ns() + int((t.children_user + t.children_system) * 1e9)


class Pair:
    """One implementation's two hosts on their own segment, frozen between its windows."""

    def __init__(self, name: str, count: int, workdir: Path, seg: Segment) -> None:
        self.name, self.count, self.seg = name, count, seg
        self.impl = make_impl(name, count, workdir)

    def start(self) -> None:
        for host in ("m", "b"):
            self.impl.start(self.seg, host)

    def settled(self) -> bool:
        c = self.count
        return self.impl.masters("m") == c and self.impl.backups("b") == c

    def pids(self) -> dict[str, list[int]]:
        return {h: netns_pids(self.seg.ns(h)) for h in ("m", "b")}

    def signal(self, sig: signal.Signals) -> None:
        for pids in self.pids().values():
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    continue

    def usage(self) -> dict[str, Usage]:
        return {h: usage(pids) for h, pids in self.pids().items()}


def measure(pair: Pair, seconds: float) -> dict[str, Any]:
    """One window: CPU of both hosts, memory at its end, and what else the machine did."""
    hz = os.sysconf("SC_CLK_TCK")
    before, ticks0, own0, irq0 = pair.usage(), busy_ticks(), own_cpu_ns(), softirq_ticks()
    start = time.monotonic()
    time.sleep(seconds)
    after, ticks1, own1, irq1 = pair.usage(), busy_ticks(), own_cpu_ns(), softirq_ticks()
    elapsed = time.monotonic() - start
    cpu_ns = sum(after[h].cpu_ns - before[h].cpu_ns for h in ("m", "b"))
    machine_s = (ticks1 - ticks0) / hz
    other_s = max(0.0, machine_s - cpu_ns / 1e9 - (own1 - own0) / 1e9)
    out: dict[str, Any] = {
        "window_s": round(elapsed, 2),
        "cpu_percent_both": round(100 * cpu_ns / 1e9 / elapsed, 3),
        "other_cpu_percent": round(100 * other_s / elapsed, 2),
        "softirq_percent": round(100 * (irq1 - irq0) / hz / elapsed, 3),
    }
    for host in ("m", "b"):
        a = after[host]
        out[host] = {
            "cpu_percent": round(100 * (a.cpu_ns - before[host].cpu_ns) / 1e9 / elapsed, 3),
            "rss_mb": round(a.rss_kb / 1024, 1),
            "pss_mb": round(a.pss_kb / 1024, 1),
            "processes": a.processes,
        }
    return out


@contextmanager
def thawed(pair: Pair) -> Iterator[None]:
    pair.signal(signal.SIGCONT)
    try:
        yield
    finally:
        pair.signal(signal.SIGSTOP)


def window(pair: Pair, seconds: float, rejected: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A kept window of `pair`, or None when every try had another busy process beside it."""
    with thawed(pair):
        for _ in range(MAX_REPEATS + 1):
            time.sleep(THAW_S)
            if not wait_until(pair.settled, 20, step=0.2):
                rejected.append({"impl": pair.name, "why": "not settled after a thaw"})
                continue
            time.sleep(1.0)
            got = measure(pair, seconds)
            if got["other_cpu_percent"] <= OTHER_MAX_PERCENT:
                return got
            rejected.append({"impl": pair.name, "why": "busy machine", **got})
            print(f"    {pair.name}: window repeated, others used "
                  f"{got['other_cpu_percent']} % of a core", flush=True)  # fmt: skip
    return None


def figures(windows: list[dict[str, Any]]) -> dict[str, Any]:
    """Median and spread of each figure over the kept windows (memory: the MASTER host's)."""
    keys: dict[str, Callable[[dict[str, Any]], float]] = {
        "cpu_percent_both": lambda w: float(w["cpu_percent_both"]),
        "rss_mb": lambda w: float(w["m"]["rss_mb"]),
        "pss_mb": lambda w: float(w["m"]["pss_mb"]),
        "other_cpu_percent": lambda w: float(w["other_cpu_percent"]),
        "softirq_percent": lambda w: float(w.get("softirq_percent", 0.0)),
    }
    out: dict[str, Any] = {k: summary([get(w) for w in windows], 3) for k, get in keys.items()}
    out["processes"] = windows[-1]["m"]["processes"] if windows else None
    return out


def run_count(count: int, rounds: int, seconds: float, workdir: Path) -> dict[str, Any]:
    """Every implementation at `count` vhids: `rounds` interleaved windows each."""
    result: dict[str, Any] = {"vhids": count, "rejected": []}
    with ExitStack() as stack:
        pairs: dict[str, Pair] = {}
        for name in IMPLS:
            hosts = {h: "" if name == "rcnet" else str(ADDRS[h]) for h in ("m", "b")}
            seg = stack.enter_context(Segment(hosts, tag=f"{name[:2]}{count}"))
            # rcnet's control socket goes in there: its directory must be 0700 (rcnet.daemon.rundir)
            (workdir / name).mkdir(mode=0o700, exist_ok=True)
            pair = Pair(name, count, workdir / name, seg)
            pair.start()
            if not wait_until(pair.settled, 60 + count / 4, step=0.5):
                impl = pair.impl
                result[name] = {
                    "error": f"{name}: {count} vhids did not settle (m holds"
                    f" {impl.masters('m')} as MASTER, b {impl.backups('b')} as BACKUP)",
                    "log_tail": {h: impl.read_log(h)[-20:] for h in ("m", "b")},
                }
                pair.signal(signal.SIGKILL)
                continue
            pair.signal(signal.SIGSTOP)
            pairs[name] = pair
        kept: dict[str, list[dict[str, Any]]] = {name: [] for name in pairs}
        for i in range(rounds):
            for name, pair in pairs.items():
                got = window(pair, seconds, result["rejected"])
                if got is not None:
                    kept[name].append(got)
                shown = f"cpu {got['cpu_percent_both']} %" if got else "no quiet window"
                print(f"  {count} vhids, round {i + 1}/{rounds}, {name}: {shown}", flush=True)
        for name, pair in pairs.items():
            pair.signal(signal.SIGCONT)
            result[name] = {"windows": kept[name], **figures(kept[name])}
    return result
