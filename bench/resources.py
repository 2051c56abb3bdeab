"""CPU and memory (bench/cpumem.py: rcnet, ucarp and keepalived at 64 and 255 vhids in
interleaved windows) and advert timing (jitter) of rcnet and ucarp at 64 vhids.

Jitter: two hosts on a bridge, m (10.9.0.1/16, advskew 0: MASTER of every vhid) and b
(10.9.0.2/16, advskew 100: BACKUP of every vhid); rcnet runs one daemon per host from a
generated rc.conf (modern syntax, vhid on an alias of fxp0: one macvlan per vhid), ucarp one
process per vhid per host. The interval between consecutive adverts of each vhid, from a capture
on the bridge, against the nominal 1 s: idle, then with both cores kept busy by two spinning
shells. Every results file records the commit and the machine's load before and after.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from ipaddress import IPv4Interface
from pathlib import Path
from typing import Any

from bench import cpumem, pcap
from bench.analysis import advert_deviations
from bench.lab_check import machine_load, rcnet_version, write_results
from bench.netlab import LAN, Capture, Segment, netns_pids, sweep, wait_until
from bench.peers import Impl, Rcnet, Role, Setup, Ucarp, carp_interval_us
from bench.procstat import Usage, usage
from bench.stats import percentile

JITTER_COUNT = 64
ADDRS = {"m": IPv4Interface("10.9.0.1/16"), "b": IPv4Interface("10.9.0.2/16")}
SKEWS = {"m": 0, "b": 100}


def make_impl(name: str, count: int, workdir: Path) -> Impl:
    setup = Setup.many(count)
    roles = {h: Role(h, ADDRS[h], SKEWS[h]) for h in ("m", "b")}
    impl: Impl = Rcnet(workdir, setup, roles) if name == "rcnet" else Ucarp(workdir, setup, roles)
    impl.configure()
    return impl


def host_usage(seg: Segment) -> dict[str, Usage]:
    return {h: usage(netns_pids(seg.ns(h))) for h in ("m", "b")}


def window(seg: Segment, seconds: float, capture: Path) -> tuple[dict[str, Any], list[pcap.Frame]]:
    """CPU over `seconds` and memory at the end, for each host, with a capture of the adverts."""
    with Capture(seg, capture, bpf="ip proto 112") as cap:
        before = host_usage(seg)
        start = time.monotonic()
        time.sleep(seconds)
        after = host_usage(seg)
        elapsed = time.monotonic() - start
    out: dict[str, Any] = {"window_s": round(elapsed, 2), "capture_dropped": cap.dropped}
    for host in ("m", "b"):
        b, a = before[host], after[host]
        out[host] = {
            "cpu_percent": round(100 * (a.cpu_ns - b.cpu_ns) / 1e9 / elapsed, 3),
            "rss_mb": round(a.rss_kb / 1024, 1),
            "pss_mb": round(a.pss_kb / 1024, 1),
            "largest_rss_mb": round(a.largest_rss_kb / 1024, 1),
            "processes": a.processes,
        }
    out["cpu_percent_both"] = round(out["m"]["cpu_percent"] + out["b"]["cpu_percent"], 3)
    frames = pcap.read(capture)
    capture.unlink(missing_ok=True)
    return out, frames


def jitter(frames: list[pcap.Frame], nominal_us: int) -> dict[str, Any]:
    devs = advert_deviations(frames, ADDRS["m"].ip, nominal_us)
    if not devs:
        return {"intervals": 0}
    absolute = [abs(d) / 1000 for d in devs]
    return {
        "intervals": len(devs),
        "abs_jitter_p50_ms": round(percentile(absolute, 50), 3),
        "abs_jitter_p99_ms": round(percentile(absolute, 99), 3),
        "abs_jitter_max_ms": round(max(absolute), 3),
        "mean_interval_ms": round(nominal_us / 1000 + sum(devs) / len(devs) / 1000, 3),
    }


def busy(seg: Segment) -> list[subprocess.Popen[bytes]]:
    """One spinning shell per core, in the bridge's namespace (killed with it)."""
    spin = ["sh", "-c", "while :; do :; done"]
    return [seg.spawn(LAN, spin) for _ in range(os.cpu_count() or 2)]


def run_one(name: str, count: int, seconds: float, workdir: Path) -> dict[str, Any]:
    impl = make_impl(name, count, workdir)
    hosts = {h: "" if name == "rcnet" else str(ADDRS[h]) for h in ("m", "b")}
    result: dict[str, Any] = {"vhids": count}
    with Segment(hosts, tag=f"{name[:2]}{count}") as seg:
        started = time.monotonic()
        for host in ("m", "b"):
            impl.start(seg, host)
        settled = wait_until(
            lambda: impl.masters("m") == count and impl.backups("b") == count,
            60 + count / 4,
            step=0.2,
        )
        result["settle_s"] = round(time.monotonic() - started, 1)
        if not settled:
            result["error"] = (
                f"not settled after {result['settle_s']} s: m holds {impl.masters('m')} as"
                f" MASTER, b {impl.backups('b')} as BACKUP"
            )
            result["log_tail"] = {h: impl.read_log(h)[-20:] for h in ("m", "b")}
            return result
        time.sleep(2.0)  # startup work (scripts, first adverts) out of the window
        nominal = carp_interval_us(1, SKEWS["m"])
        idle, frames = window(seg, seconds, workdir / "idle.pcap")
        result.update(idle)
        result["jitter_idle"] = jitter(frames, nominal)
        if count == JITTER_COUNT:
            spinners = busy(seg)
            time.sleep(1.0)
            loaded, frames = window(seg, seconds, workdir / "busy.pcap")
            for proc in spinners:
                proc.kill()
            result["busy"] = {k: v for k, v in loaded.items() if k != "window_s"}
            result["jitter_busy"] = jitter(frames, nominal)
    return result


def main(quick: bool) -> dict[str, Any]:
    seconds = 4.0 if quick else 20.0
    rounds = 5
    sweep()
    out: dict[str, Any] = {
        "quick": quick,
        "window_s": seconds,
        "rounds": rounds,
        "topology": "two hosts on a Linux bridge; m MASTER of every vhid, b BACKUP of every vhid",
        "rcnet_syntax": "modern (vhid on an alias of fxp0; one macvlan per vhid)",
        "cpu_note": "cpu_percent is of one core (100 = one core busy for the whole window)",
        "other_max_percent": cpumem.OTHER_MAX_PERCENT,
        "cpu_memory": [],
        "jitter": {},
    }
    out["machine_before"] = machine_load()
    out["rcnet_before"] = rcnet_version()
    missing = [n for n in ("ucarp", "keepalived") if shutil.which(n) is None]
    if missing:
        out["skipped"] = f"{', '.join(missing)} not installed (make deps installs them)"
        print(f"  resources: skipped: {out['skipped']}", flush=True)
    else:
        for count in cpumem.COUNTS:
            with tempfile.TemporaryDirectory(prefix=f"rcbench-cpu{count}-") as tmp:
                out["cpu_memory"].append(cpumem.run_count(count, rounds, seconds, Path(tmp)))
        for name in ("rcnet", "ucarp"):
            with tempfile.TemporaryDirectory(prefix=f"rcbench-{name}-jitter-") as tmp:
                run = run_one(name, JITTER_COUNT, seconds, Path(tmp))
            out["jitter"][name] = run
            print(f"  {name:<6} jitter at {JITTER_COUNT} vhids: {_line(run)}", flush=True)
    write_results("resources.json", out)
    return out


def _line(run: dict[str, Any]) -> str:
    if "error" in run:
        return str(run["error"])
    m, b = run["m"], run["b"]
    text = (
        f"cpu m {m['cpu_percent']}% b {b['cpu_percent']}%, rss m {m['rss_mb']} MB"
        f" ({m['processes']} proc), pss m {m['pss_mb']} MB"
    )
    j = run.get("jitter_idle", {})
    if j.get("intervals"):
        text += f", jitter p50 {j['abs_jitter_p50_ms']} p99 {j['abs_jitter_p99_ms']} ms"
    return text
