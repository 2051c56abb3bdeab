"""The MASTER's advert interval and false takeovers while a third namespace floods the segment
with protocol-112 junk (bench/flood.py): rcnet, ucarp and keepalived in turn, 30 s each
(BENCH_QUICK=1: 5 s). Writes bench/results/flood.json with the commit and the machine's load, and
bench/results/README.md. Needs root (namespaces).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import report
from bench.flood import main
from bench.lab_check import RESULTS, quick_mode, unavailable


def run() -> int:
    why = unavailable()
    if why is not None:
        print(f"bench_flood: skipped: {why}")
        return 0
    started = time.monotonic()
    result = main(quick_mode())
    report.write()
    print(f"bench_flood: {time.monotonic() - started:.0f} s; results in {RESULTS / 'flood.json'}")
    failed = any("error" in run for run in result["implementations"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(run())
