"""The MASTER's advert jitter at 64 vhids while another namespace churns links.

Netlink work takes the kernel-wide RTNL lock; a daemon that waited on it inside its event loop
(or retried inline) would delay adverts. Two rcnet daemons on a bridge (m MASTER of all 64
vhids, b BACKUP), a capture on the bridge; the interval between consecutive adverts of each vhid
against the nominal 1 s: first idle, then while a shell in the bridge's namespace adds and
deletes a veth pair in a loop (each add and delete holds RTNL). Writes bench/results/jitter.json
with the commit and the machine's load. About a minute (BENCH_QUICK=1: shorter windows).
Needs root (namespaces).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lab_check import (
    RESULTS,
    machine_load,
    quick_mode,
    rcnet_version,
    unavailable,
    write_results,
)
from bench.netlab import LAN, Segment, sweep, wait_until
from bench.peers import carp_interval_us
from bench.resources import JITTER_COUNT, SKEWS, jitter, make_impl, window

CHURN = "while :; do ip link add rcj0 type veth peer name rcj1; ip link del rcj0; done"


def measure(seconds: float, workdir: Path) -> dict[str, Any]:
    impl = make_impl("rcnet", JITTER_COUNT, workdir)
    out: dict[str, Any] = {"vhids": JITTER_COUNT, "window_s": seconds}
    with Segment({"m": "", "b": ""}, tag="jit") as seg:
        for host in ("m", "b"):
            impl.start(seg, host)
        if not wait_until(
            lambda: impl.masters("m") == JITTER_COUNT and impl.backups("b") == JITTER_COUNT,
            60,
            step=0.2,
        ):
            out["error"] = "the 64 vhids did not settle in 60 s"
            return out
        time.sleep(2.0)
        nominal = carp_interval_us(1, SKEWS["m"])
        idle, frames = window(seg, seconds, workdir / "idle.pcap")
        out["idle"] = {"cpu_percent_both": idle["cpu_percent_both"], **jitter(frames, nominal)}
        quiet = subprocess.DEVNULL
        churn = seg.spawn(LAN, ["sh", "-c", CHURN], stdout=quiet, stderr=quiet)
        try:
            time.sleep(0.5)
            busy, frames = window(seg, seconds, workdir / "churn.pcap")
        finally:
            churn.kill()
            churn.wait()
        out["link_churn"] = {
            "cpu_percent_both": busy["cpu_percent_both"],
            **jitter(frames, nominal),
        }
        out["transitions_during_churn"] = impl.masters("m") != JITTER_COUNT
    return out


def run() -> int:
    why = unavailable()
    if why is not None:
        print(f"bench_jitter: skipped: {why}")
        return 0
    started = time.monotonic()
    sweep()
    result: dict[str, Any] = {
        "what": "MASTER advert jitter, 64 vhids, idle and while another namespace churns links",
        "quick": quick_mode(),
        "rcnet": rcnet_version(),
        "machine_before": machine_load(),
    }
    with tempfile.TemporaryDirectory(prefix="rcbench-jitter-") as tmp:
        result.update(measure(8.0 if quick_mode() else 20.0, Path(tmp)))
    write_results("jitter.json", result)
    for key in ("idle", "link_churn"):
        j = result.get(key, {})
        if j.get("intervals"):
            print(
                f"  {key}: p50 {j['abs_jitter_p50_ms']} ms, p99 {j['abs_jitter_p99_ms']} ms,"
                f" max {j['abs_jitter_max_ms']} ms ({j['intervals']} intervals)"
            )
    print(f"bench_jitter: {time.monotonic() - started:.0f} s; results in {RESULTS / 'jitter.json'}")
    return 0 if "error" not in result else 1


if __name__ == "__main__":
    raise SystemExit(run())
