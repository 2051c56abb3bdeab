"""CPU time and memory of the processes in a namespace, read from /proc.

CPU: the sum over every thread of /proc/PID/task/TID/schedstat's first field (nanoseconds on a
CPU; finer than the clock ticks of /proc/PID/stat), plus the time of the children each process
has reaped (/proc/PID/stat's cutime and cstime, in clock ticks): a hook or script an
implementation runs and waits for inside a window is its work too, though the child is gone
before the window ends. Kernel work done in softirq context while a process runs (a send's
delivery through the veth and the bridge) is in that process's time on a kernel without
IRQ_TIME_ACCOUNTING (the bench machine's); all three implementations send through
dev_queue_xmit alike. Memory: VmRSS and the proportional set size (Pss, from smaps_rollup:
shared pages divided among the processes sharing them, so summing it over 255 ucarp processes
does not count libc 255 times).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Usage:
    cpu_ns: int
    rss_kb: int
    pss_kb: int
    processes: int
    largest_rss_kb: int


def cpu_ns(pid: int, proc: Path = PROC) -> int:
    total = 0
    try:
        tasks = list((proc / str(pid) / "task").iterdir())
    except OSError:
        return 0
    for task in tasks:
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # the thread ended meanwhile
    return total


def children_ns(pid: int, proc: Path = PROC) -> int:
    """The CPU time of the children `pid` has reaped (cutime + cstime), in nanoseconds."""
    try:
        stat = (proc / str(pid) / "stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = int(fields[13]) + int(fields[14])  # fields 16 and 17 of proc(5), from 1
    except (OSError, ValueError, IndexError):
        return 0
    return ticks * 1_000_000_000 // CLK_TCK


def kb_field(text: str, name: str) -> int:
    for line in text.splitlines():
        if line.startswith(name + ":"):
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                return int(parts[1])
    return 0


def memory_kb(pid: int, proc: Path = PROC) -> tuple[int, int]:
    """(VmRSS, Pss) in kB; (0, 0) for a process that is gone."""
    try:
        rss = kb_field((proc / str(pid) / "status").read_text(), "VmRSS")
        pss = kb_field((proc / str(pid) / "smaps_rollup").read_text(), "Pss")
    except OSError:
        return (0, 0)
    return (rss, pss)


def usage(pids: list[int], proc: Path = PROC) -> Usage:
    cpu = 0
    rss = pss = largest = 0
    for pid in pids:
        cpu += cpu_ns(pid, proc) + children_ns(pid, proc)
        r, p = memory_kb(pid, proc)
        rss, pss, largest = rss + r, pss + p, max(largest, r)
    return Usage(cpu, rss, pss, len(pids), largest)
