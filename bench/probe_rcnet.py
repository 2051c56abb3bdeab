"""Diagnosis only: run `rcnet` with timing probes around the daemon's takeover path.

    python bench/probe_rcnet.py PROBE_FILE [--profile PROFILE_FILE] start HOST --control SOCK

rcnet itself is not changed: this launcher wraps a few methods of its service and Executor before
handing over to `rcnet.cli.main`. Each probe appends one line `event wall_ns mono_ns detail` to
PROBE_FILE at once (a killed daemon keeps what it wrote): the timer firing (with the deadline it
was armed for), each packet handled, and the start and end of bringing the vhid link up, of
sending an advert and of the gratuitous ARP. With --profile, SIGUSR2 starts and stops cProfile (so
the window measured leaves startup and stop out) and its statistics are written when the daemon
stops gracefully.
"""

from __future__ import annotations

import atexit
import cProfile
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def install(probe_path: str) -> None:
    from rcnet.daemon import perform, service

    fd = os.open(probe_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def mark(event: str, detail: object = "") -> None:
        os.write(fd, f"{event} {time.time_ns()} {time.monotonic_ns()} {detail}\n".encode())

    def wrap(cls: Any, attr: str, event: str, label: Callable[..., object] | None = None) -> None:
        inner = getattr(cls, attr)

        def probed(self: Any, *args: Any, **kwargs: Any) -> Any:
            mark(f"{event}:start", label(self, *args) if label else "")
            try:
                return inner(self, *args, **kwargs)
            finally:
                mark(f"{event}:end")

        setattr(cls, attr, probed)

    # the deadline the timer was armed for, in loop-clock µs (the loop's clock is monotonic)
    wrap(service.Service, "_on_timer", "_on_timer", lambda self, due: due)
    wrap(service.Service, "_on_packet", "_on_packet", lambda self, packet: f"{packet.src}")
    # the Executor does the frames and the vhid links (the event names are diagnose_rcnet's)
    ex = perform.Executor
    wrap(ex, "switch_link", "_switch", lambda self, name, up: f"{name}:{'up' if up else 'down'}")
    wrap(ex, "send", "_send", lambda self, action: f"vhid{action.vhid}")
    wrap(ex, "announce", "_announce", lambda self, action: f"vhid{action.vhid}")


def main() -> int:
    args = sys.argv[1:]
    probe_path = args.pop(0)
    profile_path = None
    if args and args[0] == "--profile":
        args.pop(0)
        profile_path = args.pop(0)
    install(probe_path)
    from rcnet.cli import main as rcnet_main

    if profile_path is None:
        return rcnet_main(args)
    prof = cProfile.Profile()
    profiling = [False]

    def toggle(_sig: int, _frame: object) -> None:
        if profiling[0]:
            prof.disable()
        else:
            prof.enable()
        profiling[0] = not profiling[0]

    signal.signal(signal.SIGUSR2, toggle)
    atexit.register(lambda: prof.dump_stats(profile_path))
    try:
        return rcnet_main(args)
    finally:
        prof.disable()


if __name__ == "__main__":
    raise SystemExit(main())
