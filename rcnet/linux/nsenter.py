"""Doing things inside a named network namespace, and the namespace's sysctls.

Python 3.11 has no `os.setns`. `setns(2)` with CLONE_NEWNET changes only the calling thread, so
`call_in_netns` runs the function on a fresh thread that enters the namespace first: sockets
created there stay in that namespace for their whole life, whichever thread uses them later, and
`/proc/sys/net` opened there shows that namespace's sysctls. The caller's threads never move.

`netns=None` everywhere means "the namespace this process runs in" (the daemon is started inside
its namespace with `ip netns exec`), and then nothing here starts a thread.
"""

from __future__ import annotations

import ctypes
import errno
import os
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

CLONE_NEWNET = 0x40000000
NETNS_RUN_DIR = "/run/netns"
SYSCTL_ROOT = "/proc/sys"

_libc: ctypes.CDLL | None = None


def netns_path(name: str) -> str:
    """The bind-mount of a namespace made by `ip netns add NAME`."""
    if not name or "/" in name or name in (".", ".."):
        raise ValueError(f"not a network namespace name: {name!r}")
    return os.path.join(NETNS_RUN_DIR, name)


def _setns(path: str) -> None:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    # O_RDONLY without O_CREAT: a misspelt name fails instead of creating a namespace
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns {path}: {os.strerror(err)}")
    finally:
        os.close(fd)


def call_in_netns(netns: str | None, fn: Callable[[], T]) -> T:
    """fn() run inside network namespace `netns` (None: here, on this thread)."""
    if netns is None:
        return fn()
    path = netns_path(netns)
    result: list[T] = []
    failure: list[BaseException] = []

    def body() -> None:
        try:
            _setns(path)
            result.append(fn())
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    thread = threading.Thread(target=body, name=f"netns-{netns}", daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


def _sysctl_path(key: str) -> str:
    """`net/ipv4/conf/fxp0/arp_ignore` -> its /proc/sys path (slashes: names may hold dots)."""
    parts = key.split("/")
    if parts[0] != "net" or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a network sysctl: {key!r}")
    return os.path.join(SYSCTL_ROOT, key)


def sysctl_name(key: str) -> str:
    """The dotted form `sysctl(8)` prints, for messages (dots in names shown as slashes)."""
    return ".".join(p.replace(".", "/") for p in key.split("/"))


def read_sysctl(key: str, netns: str | None = None) -> str | None:
    """A network sysctl of the namespace, or None when it does not exist there."""
    path = _sysctl_path(key)

    def read() -> str | None:
        try:
            with open(path, encoding="ascii") as f:
                return f.read().strip()
        except FileNotFoundError:
            return None

    return call_in_netns(netns, read)


def write_sysctl(key: str, value: str, netns: str | None = None) -> None:
    """Set a network sysctl of the namespace; OSError (with the sysctl name) on failure."""
    path = _sysctl_path(key)

    def write() -> None:
        try:
            with open(path, "w", encoding="ascii") as f:
                f.write(value)
        except OSError as exc:
            code = exc.errno or errno.EIO
            raise OSError(code, f"sysctl {sysctl_name(key)}={value}: {os.strerror(code)}") from exc

    call_in_netns(netns, write)
