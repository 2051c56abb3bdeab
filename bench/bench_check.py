"""Cost of `rcnet check`: a cold check of one host against a bare `import lark`, and large
rc.conf files of several shapes side by side. Figures go to bench/results/check.json.

Targets (issues: rc.conf front end, and 8): cold check <= 2 x `python -c "import lark"`;
5,000 lines of any shape <= 0.4 s as a new process; 20,000 lines (<= 1 MiB) <= 5 x the
5,000-line cut of the same shape (check is linear in the file whatever its shape).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PROVIDER = ROOT / "fixtures" / "handbook" / "provider.conf"
RUNS = 7
SIZES = (5000, 20000)
TARGET_5000_S = 0.4
TARGET_GROWTH = 5.0


def _cut(out: list[str], lines: int) -> str:
    return "\n".join(out[:lines]) + "\n"


def one_interface(lines: int) -> str:
    """One interface with an alias on every line."""
    out = ['hostname="big.example.org"', 'ifconfig_em0="inet 10.0.0.1/8"']
    n = 0
    while len(out) < lines:
        out.append(
            f'ifconfig_em0_alias{n}="inet 10.{n // 62500}.{n // 250 % 250}.{n % 250 + 2}/32"'
        )
        n += 1
    return _cut(out, lines)


def many_interfaces(lines: int, aliases: int = 100) -> str:
    """Interfaces of 100 aliases each (49 of them in 5,000 lines): per-interface work."""
    out = ['hostname="big.example.org"']
    i = 0
    while len(out) < lines:
        net = f"10.{i // 250}.{i % 250}"
        out.append(f'ifconfig_em{i}="inet {net}.1/24"')
        out += [f'ifconfig_em{i}_alias{n}="inet {net}.{n + 2}/32"' for n in range(aliases)]
        i += 1
    return _cut(out, lines)


def unrelated(lines: int) -> str:
    """A few interfaces and a great many variables no network script reads."""
    out = ['hostname="big.example.org"', 'ifconfig_em0="inet 192.0.2.1/24"']
    out.append('defaultrouter="192.0.2.254"')
    n = 0
    while len(out) < lines:
        out.append(f'svc{n}_enable="YES"')
        out.append(f'svc{n}_flags="-p {n} -l /var/log/svc{n}.log"  # service {n}')
        n += 1
    return _cut(out, lines)


def mixed(lines: int) -> str:
    """Aliases of one interface between service variables (this benchmark's first shape)."""
    out = ['hostname="big.example.org"', 'ifconfig_em0="inet 10.0.0.1/16"']
    n = 0
    while len(out) < lines:
        out.append(f'ifconfig_em0_alias{n}="inet 10.0.{n // 250}.{n % 250 + 2}/32"  # alias {n}')
        out.append(f'svc{n}_enable="YES"')
        n += 1
    return _cut(out, lines)


def vips(lines: int, outside: bool = False) -> str:
    """One interface whose aliases alternate: a static address, a CARP VIP (vhid 1-250).
    `outside`: the VIPs lie in no prefix of the interface (a CA09 warning each)."""
    primary = "192.0.2.1/24" if outside else "10.0.0.1/8"
    out = ['hostname="big.example.org"', f'ifconfig_em0="inet {primary}"']
    n = 0
    while len(out) < lines:
        address = f"10.{n // 62500}.{n // 250 % 250}.{n % 250 + 2}/32"
        carp = f" vhid {n % 250 + 1}" if n % 2 else ""  # 20,000 lines stay under 1 MiB
        out.append(f'ifconfig_em0_alias{n}="inet {address}{carp}"')
        n += 1
    return _cut(out, lines)


#: shape name -> generator of that many lines
SHAPES: dict[str, Callable[[int], str]] = {
    "one_interface": one_interface,
    "many_interfaces": many_interfaces,
    "unrelated": unrelated,
    "mixed": mixed,
    "vips": vips,
}


#: the CPU time (user + system) of the last child waited for, next to each wall time
CPU: list[float] = []


def _timed(argv: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    if done.returncode not in (0, 1):  # 2: the file was refused (too big?): no timing
        raise SystemExit(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr.decode()}")
    return took


def spread(times: list[float], cpu: list[float] | None = None) -> dict[str, float]:
    """Median wall time with the spread of the repeats (seconds), and the median CPU time
    of the process (less sensitive than wall time to other work on the machine)."""
    out = {
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "max_s": round(max(times), 4),
    }
    if cpu:
        out["cpu_median_s"] = round(statistics.median(cpu), 4)
    return out


def cold(argv: list[str]) -> tuple[list[float], list[float]]:
    """Wall and CPU times of RUNS fresh interpreters running argv."""
    CPU.clear()
    wall = [_timed(argv) for _ in range(RUNS)]
    return wall, list(CPU)


def _commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "rcnet"], cwd=ROOT)
    return out.stdout.strip() + ("+dirty" if dirty.returncode else "")


def main() -> int:
    py = sys.executable
    # an installed package has its bytecode compiled by pip; a checkout may not (and this
    # machine sets PYTHONDONTWRITEBYTECODE), so compile first: cold means a new process
    subprocess.run([py, "-m", "compileall", "-q", str(ROOT / "rcnet")], check=False)
    load_before = os.getloadavg()
    lark, lark_cpu = cold([py, "-c", "import lark"])
    one_host, one_host_cpu = cold([py, "-m", "rcnet", "check", str(PROVIDER)])
    shapes: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in SHAPES.items():
            row: dict[str, Any] = {}
            for lines in SIZES:
                path = Path(tmp) / f"{name}-{lines}.conf"
                path.write_text(make(lines))
                times, cpu = cold([py, "-m", "rcnet", "check", str(path)])
                row[str(lines)] = {"bytes": path.stat().st_size, **spread(times, cpu)}
            small, big = (row[str(n)]["median_s"] for n in SIZES)
            row["growth_20000_over_5000"] = round(big / small, 2)
            small_cpu, big_cpu = (row[str(n)]["cpu_median_s"] for n in SIZES)
            row["growth_cpu_20000_over_5000"] = round(big_cpu / small_cpu, 2)
            shapes[name] = row
    worst_5000 = max(r["5000"]["median_s"] for r in shapes.values())
    worst_growth = max(float(r["growth_20000_over_5000"]) for r in shapes.values())
    figures = {
        "commit": _commit(),
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "runs": RUNS,
        "python_import_lark": spread(lark, lark_cpu),
        "rcnet_check_one_host_cold": spread(one_host, one_host_cpu),
        "ratio_check_to_import_lark": round(
            statistics.median(one_host) / statistics.median(lark), 2
        ),
        "target_ratio": 2.0,
        "shapes_cold": shapes,
        "worst_5000_lines_s": worst_5000,
        "worst_5000_lines_cpu_s": max(r["5000"]["cpu_median_s"] for r in shapes.values()),
        "target_5000_lines_s": TARGET_5000_S,
        "worst_growth_20000_over_5000": worst_growth,
        "target_growth": TARGET_GROWTH,
        "met": worst_5000 <= TARGET_5000_S and worst_growth <= TARGET_GROWTH,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "check.json").write_text(json.dumps(figures, indent=1) + "\n")
    print(f"commit {figures['commit']}, load {figures['load_average_before_after']}")
    lark_s, host_s = statistics.median(lark), statistics.median(one_host)
    print(f"import lark {lark_s:.3f} s, check one host {host_s:.3f} s")
    print(f"{'shape':<16} {'5,000 lines':>28} {'20,000 lines':>28} {'growth':>7}")
    for name, row in shapes.items():
        cells = [row[str(n)] for n in SIZES]
        text = [
            f"{c['median_s']:.3f} ({c['min_s']:.3f}-{c['max_s']:.3f}) cpu {c['cpu_median_s']:.3f}"
            for c in cells
        ]
        print(f"{name:<16} {text[0]:>28} {text[1]:>28} {row['growth_20000_over_5000']:>6}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
