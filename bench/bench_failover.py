"""Failover on the wire: rcnet against ucarp and keepalived (unplanned, planned, client view).

Writes bench/results/failover.json, timeline.png and README.md, and the performance table of the
repository's README.md. Needs root (namespaces).
BENCH_QUICK=1: 3 trials per kind instead of 10.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import plot, readme, report
from bench.failover import main
from bench.lab_check import RESULTS, quick_mode, unavailable


def run() -> int:
    why = unavailable()
    if why is not None:
        print(f"bench_failover: skipped: {why}")
        return 0
    started = time.monotonic()
    data = main(quick_mode())
    skipped = plot.draw(data, RESULTS / "timeline.png")
    if skipped:
        print(f"bench_failover: timeline.png not drawn: {skipped}")
    report.write()
    readme.update()
    for impl, run in data["implementations"].items():
        s = run.get("summary", {})
        if not s:
            print(f"  {impl}: {run.get('skipped', 'no result')}")
            continue
        u, p = s["unplanned"]["usable_overhead_ms"], s["planned"]["usable_handover_ms"]
        g = s["unplanned"]["overhead_ms"]
        print(
            f"  {impl:<10} unplanned, VIP usable beyond the bound: median {u['median']} ms"
            f" (p90 {u['p90']}, n {u['n']}; GARP {g['median']} ms); planned handover, VIP"
            f" usable: median {p['median']} ms"
        )
        for err in run.get("errors", []):
            print(f"    error: {err}")
    print(f"bench_failover: {time.monotonic() - started:.0f} s; results in {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
