"""bench.cpumem without namespaces: the figures of kept windows, and the machine's busy time."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench import cpumem


def window(cpu: float, pss: float, other: float = 1.0, irq: float = 0.1) -> dict[str, object]:
    host = {"cpu_percent": cpu / 2, "rss_mb": pss + 8, "pss_mb": pss, "processes": 1}
    return {
        "cpu_percent_both": cpu,
        "other_cpu_percent": other,
        "softirq_percent": irq,
        "m": host,
        "b": host,
    }


def test_figures_are_median_and_spread_of_the_kept_windows() -> None:
    got = cpumem.figures([window(0.3, 30.0), window(0.1, 31.0), window(0.2, 29.0)])
    assert got["cpu_percent_both"]["median"] == 0.2
    assert (got["cpu_percent_both"]["min"], got["cpu_percent_both"]["max"]) == (0.1, 0.3)
    assert got["pss_mb"]["median"] == 30.0 and got["rss_mb"]["median"] == 38.0
    assert got["cpu_percent_both"]["n"] == 3 and got["processes"] == 1
    assert got["softirq_percent"]["median"] == 0.1
    assert cpumem.figures([])["cpu_percent_both"]["n"] == 0


def test_busy_ticks_see_another_process_work() -> None:
    before = cpumem.busy_ticks()
    spin = subprocess.Popen(
        [sys.executable, "-c", "import time\nt=time.time()\nwhile time.time()-t<0.5: pass"]
    )
    spin.wait()
    time.sleep(0.05)
    # 0.5 s of a core; the machine may add more, never less
    assert cpumem.busy_ticks() - before >= 0.4 * os.sysconf("SC_CLK_TCK")


def test_softirq_ticks_are_a_running_count() -> None:
    first = cpumem.softirq_ticks()
    time.sleep(0.05)
    assert 0 <= first <= cpumem.softirq_ticks()
