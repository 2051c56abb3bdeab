"""Cost of `rcnet check`: a cold check of one host against a bare `import lark`, and a
5,000-line rc.conf. Figures go to bench/results/check.json.

Targets (issue: rc.conf front end): cold check <= 2 x `python -c "import lark"`;
5,000 lines in under 0.4 s.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PROVIDER = ROOT / "fixtures" / "handbook" / "provider.conf"
RUNS = 7


def cold(argv: list[str]) -> float:
    """Median wall time of a fresh interpreter running argv."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def big_rc_conf(lines: int) -> str:
    out = ['hostname="big.example.org"', 'ifconfig_em0="inet 10.0.0.1/16"']
    n = 0
    while len(out) < lines:
        out.append(f'ifconfig_em0_alias{n}="inet 10.0.{n // 250}.{n % 250 + 2}/32"  # alias {n}')
        out.append(f'svc{n}_enable="YES"')
        n += 1
    return "\n".join(out[:lines]) + "\n"


def main() -> int:
    py = sys.executable
    # an installed package has its bytecode compiled by pip; a checkout may not (and this
    # machine sets PYTHONDONTWRITEBYTECODE), so compile first: cold means a new process
    subprocess.run([py, "-m", "compileall", "-q", str(ROOT / "rcnet")], check=False)
    lark_s = cold([py, "-c", "import lark"])
    check_s = cold([py, "-m", "rcnet", "check", str(PROVIDER)])
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.conf"
        big.write_text(big_rc_conf(5000))
        from rcnet.hosts import read_host

        read_host(str(PROVIDER))  # warm: grammar compiled, modules imported
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            read_host(str(big))
            times.append(time.perf_counter() - start)
        big_s = statistics.median(times)
        big_cold = cold([py, "-m", "rcnet", "check", str(big)])
    figures = {
        "python_import_lark_s": round(lark_s, 4),
        "rcnet_check_one_host_cold_s": round(check_s, 4),
        "ratio_check_to_import_lark": round(check_s / lark_s, 2),
        "target_ratio": 2.0,
        "check_5000_lines_in_process_s": round(big_s, 4),
        "check_5000_lines_cold_s": round(big_cold, 4),
        "target_5000_lines_s": 0.4,
        "runs": RUNS,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "check.json").write_text(json.dumps(figures, indent=1) + "\n")
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
