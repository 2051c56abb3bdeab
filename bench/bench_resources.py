"""CPU and memory of rcnet, ucarp and keepalived at 64 and 255 vhids (interleaved windows,
bench/cpumem.py) and advert timing jitter of rcnet and ucarp at 64 vhids.

Writes bench/results/resources.json and README.md, and the performance table of the repository's
README.md. Needs root (namespaces). BENCH_QUICK=1: 4 s windows instead of 20 s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import readme, report
from bench.lab_check import RESULTS, quick_mode, unavailable
from bench.resources import main


def run() -> int:
    why = unavailable()
    if why is not None:
        print(f"bench_resources: skipped: {why}")
        return 0
    started = time.monotonic()
    main(quick_mode())
    report.write()
    readme.update()
    print(f"bench_resources: {time.monotonic() - started:.0f} s; results in {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
