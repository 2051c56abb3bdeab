"""Whether the namespace benchmarks can run here, the quick mode switch, and how a results file
records the machine and the rcnet it measured."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.netlab import sweep

RESULTS = Path(__file__).resolve().parent / "results"


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


def _ticks() -> dict[int, tuple[str, int]]:
    """pid -> (command, utime + stime in clock ticks) for every process."""
    out: dict[int, tuple[str, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                text = f.read()
        except OSError:
            continue
        comm = text[text.find("(") + 1 : text.rfind(")")]
        fields = text[text.rfind(")") + 2 :].split()
        if len(fields) > 12:
            out[int(entry)] = (comm, int(fields[11]) + int(fields[12]))
    return out


def machine_load(interval: float = 1.0, threshold: float = 5.0) -> dict[str, object]:
    """What else keeps this machine busy (a benchmark is only as quiet as its machine): the load
    average and every process above `threshold` % of a core over `interval` seconds."""
    hz = os.sysconf("SC_CLK_TCK")
    before = _ticks()
    time.sleep(interval)
    after = _ticks()
    busy = []
    for pid, (comm, ticks) in after.items():
        if pid in before and pid != os.getpid():
            share = 100 * (ticks - before[pid][1]) / hz / interval
            if share >= threshold:
                busy.append({"pid": pid, "command": comm, "cpu_percent": round(share, 1)})
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    busy.sort(key=lambda p: -float(str(p["cpu_percent"])))
    return {"loadavg": " ".join(load), "busy_processes": busy}


def rcnet_version() -> dict[str, str]:
    """Which rcnet the run measured: the commit, and a digest of the rcnet/ sources as they are
    in the working tree (each daemon is started from it: a change during a run shows here)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha1()
    for path in sorted((root / "rcnet").rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return {"commit": head or "unknown", "rcnet_sources_sha1": digest.hexdigest()[:12]}


def write_results(name: str, result: dict[str, Any]) -> Path:
    """Close a benchmark's results: the machine's load and rcnet's version after the run
    (`machine_after`, `rcnet_after`, beside the `_before` the run recorded: a busy machine or
    a source changed during the run shows), then bench/results/NAME as JSON."""
    result["machine_after"] = machine_load()
    result["rcnet_after"] = rcnet_version()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(result, indent=1) + "\n")
    return path
