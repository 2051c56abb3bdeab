"""Whether the namespace benchmarks can run here, and the quick mode switch."""

from __future__ import annotations

import os
import shutil
import subprocess

from bench.netlab import sweep


def quick_mode() -> bool:
    """BENCH_QUICK=1 (any value but empty or 0): fewer trials, shorter windows."""
    return os.environ.get("BENCH_QUICK", "") not in ("", "0")


def unavailable() -> str | None:
    """Why the namespace benchmarks cannot run, or None (then leftovers of dead runs are gone)."""
    if os.geteuid() != 0:
        return f"network namespaces need root (running as uid {os.geteuid()})"
    for tool in ("ip", "tcpdump", "ping", "unshare"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (make deps installs it)"
    probe = f"rcbench{os.getpid()}x0000-probe"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"`ip netns add` does not work here: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    sweep()
    return None
