"""bench.procstat: a process's CPU time includes the children it reaped (a hook or a script run
and waited for inside a window is the implementation's work too)."""

from __future__ import annotations

import select
import subprocess
import sys
import time
from pathlib import Path

from bench import procstat

# runs a 0.3 s busy child, waits for it, says so, then idles until its stdin closes
PARENT = """
import subprocess, sys
subprocess.run([sys.executable, "-c",
    "import time\\nt = time.process_time()\\nwhile time.process_time() - t < 0.3: pass"])
print("reaped", flush=True)
sys.stdin.read()
"""


def fake_proc(root: Path, pid: int, run_ns: int, cutime: int, cstime: int) -> None:
    task = root / str(pid) / "task" / str(pid)
    task.mkdir(parents=True)
    (task / "schedstat").write_text(f"{run_ns} 0 0\n")
    # proc(5): pid (comm) state ppid ... utime(14) stime(15) cutime(16) cstime(17) ...
    rest = ["S", "1", *["0"] * 9, "7", "8", str(cutime), str(cstime), *["0"] * 30]
    (root / str(pid) / "stat").write_text(f"{pid} (a (b) c) {' '.join(rest)}\n")


def test_reaped_children_count_in_clock_ticks(tmp_path: Path) -> None:
    fake_proc(tmp_path, 42, run_ns=5000, cutime=3, cstime=2)
    fake_proc(tmp_path, 43, run_ns=7000, cutime=0, cstime=0)
    tick_ns = 1_000_000_000 // procstat.CLK_TCK
    assert procstat.children_ns(42, tmp_path) == 5 * tick_ns
    assert procstat.usage([42, 43], tmp_path).cpu_ns == 5000 + 7000 + 5 * tick_ns
    assert procstat.children_ns(44, tmp_path) == 0  # gone meanwhile


def test_a_child_that_ran_and_was_reaped_is_counted() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        ready: list[object] = []
        while not ready and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        assert ready, "the parent did not reap its child within 30 s"
        assert proc.stdout.readline().strip() == b"reaped"
        got = procstat.usage([proc.pid])
        # the child's 0.3 s is the parent's now (tick rounding: at most one tick short)
        assert got.cpu_ns >= 0.3e9 - 2e9 / procstat.CLK_TCK
        assert procstat.children_ns(proc.pid) >= 0.3e9 - 2e9 / procstat.CLK_TCK
    finally:
        proc.kill()
        proc.wait(timeout=10)
