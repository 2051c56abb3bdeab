"""A timerfd(2) for the event loop: CARP deadlines to the microsecond.

asyncio waits in epoll, whose timeout is rounded up to whole milliseconds and then given a
slack of 0.1 % of the wait by the kernel: a 3.39 s master-down wait fires up to 4 ms late. A
timerfd armed at an absolute CLOCK_MONOTONIC time (the clock `loop.time()` reads) fires when it
is due, and its file descriptor is just another reader for the loop. Python 3.11 has no
os.timerfd_create (3.13 adds it), hence ctypes.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import errno
import os
import time
from collections.abc import Callable

CLOCK_MONOTONIC = 1
TFD_NONBLOCK = os.O_NONBLOCK
TFD_CLOEXEC = os.O_CLOEXEC
TFD_TIMER_ABSTIME = 1


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _Itimerspec(ctypes.Structure):
    _fields_ = [("it_interval", _Timespec), ("it_value", _Timespec)]


_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


class TimerFd:
    """One absolute one-shot timer; `fileno()` becomes readable when it expires."""

    def __init__(self) -> None:
        fd = _libc.timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)
        if fd < 0:
            code = ctypes.get_errno()
            raise OSError(code, f"timerfd_create: {os.strerror(code)}")
        self.fd: int = fd

    def fileno(self) -> int:
        return self.fd

    def set_at_us(self, deadline_us: int | None) -> None:
        """Fire at `deadline_us` µs of CLOCK_MONOTONIC (at once if past); None disarms."""
        spec = _Itimerspec()
        if deadline_us is not None:
            # an all-zero it_value disarms, so a deadline at 0 becomes 1 ns
            ns = max(deadline_us * 1000, 1)
            spec.it_value.tv_sec, spec.it_value.tv_nsec = divmod(ns, 1_000_000_000)
        if _libc.timerfd_settime(self.fd, TFD_TIMER_ABSTIME, ctypes.byref(spec), None) < 0:
            code = ctypes.get_errno()
            raise OSError(code, f"timerfd_settime: {os.strerror(code)}")

    def consume(self) -> int:
        """Read the expiry count (0 when nothing is pending)."""
        try:
            data = os.read(self.fd, 8)
        except BlockingIOError:
            return 0
        except OSError as exc:
            if exc.errno == errno.EAGAIN:
                return 0
            raise
        return int.from_bytes(data, "little") if len(data) == 8 else 0

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class DeadlineTimer:
    """Calls `callback(due_us)` once the loop's clock reaches the armed deadline.

    It wakes a little early (a timerfd: 0.7 ms; without one, epoll: 1.5 ms plus the kernel's
    0.1 % slack) and sleeps the rest, which blocks the loop for less than that and makes a
    takeover about 0.1 ms late instead of up to 4 ms.
    """

    TIMERFD_EARLY_US = 700
    EPOLL_EARLY_US = 1500

    def __init__(self, loop: asyncio.AbstractEventLoop, callback: Callable[[int], None]) -> None:
        self.loop = loop
        self.callback = callback
        self.due: int | None = None
        self.handle: asyncio.TimerHandle | None = None
        self.tfd: TimerFd | None
        try:
            self.tfd = TimerFd()
        except (OSError, AttributeError):
            self.tfd = None
        else:
            loop.add_reader(self.tfd.fileno(), self._expired)

    def now_us(self) -> int:
        return int(self.loop.time() * 1_000_000)

    def arm(self, due: int | None) -> None:
        if due == self.due:
            return
        self.due = due
        if self.tfd is not None:
            self.tfd.set_at_us(None if due is None else due - self.TIMERFD_EARLY_US)
            return
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None
        if due is not None:
            slack = max(due - self.now_us(), 0) // 1000
            early = self.EPOLL_EARLY_US + slack
            self.handle = self.loop.call_at((due - early) / 1_000_000, self._expired)

    def _expired(self) -> None:
        if self.tfd is not None:
            self.tfd.consume()
        self.handle = None
        due = self.due
        if due is None:
            return
        remaining = due - self.now_us()
        if remaining > self.EPOLL_EARLY_US:
            self.due = None  # woke far too early (a stale expiry): arm again
            self.arm(due)
            return
        if remaining > 0:
            time.sleep(remaining / 1_000_000)
        self.due = None
        self.callback(due)

    def close(self) -> None:
        self.arm(None)
        if self.tfd is not None:
            self.loop.remove_reader(self.tfd.fileno())
            self.tfd.close()
            self.tfd = None
