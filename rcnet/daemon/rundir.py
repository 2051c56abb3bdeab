"""The runtime directory (control socket and locks), trusted only when nobody else can change it.

rcnet runs as root; its control socket may be put anywhere with `--control`. Attacks on a
directory another user can write to (issue 12): a symlink at the lock's name makes root write
the PID into the symlink's target; a symlink swapped in after bind makes root chmod another
file; a fake socket renamed over the real one answers `rcnet stop`. So:

- the directory is reached component by component from `/` with O_NOFOLLOW on open directory
  fds: every ancestor must be owned by root (or the running uid) and not writable by others
  unless sticky (like /tmp); the directory itself must be owned by root (or the running uid)
  and mode 0700, and is created so when missing;
- the lock and the socket are opened relative to that directory's fd (O_NOFOLLOW for the lock;
  the socket is bound through /proc/self/fd/N, so the path is never resolved again) with the
  socket's mode set by the umask before it exists;
- locks are fixed names (`NAME.lock` beside the socket `NAME`, `netns-INODE.lock` in
  /run/rcnet), held with flock: a daemon killed with SIGKILL leaves the file unlocked and the
  next start takes it over; a lock is unlinked (still held) at a clean exit, and a start
  removes the unlocked netns locks of namespaces gone (no accumulation). Taking a lock checks
  that the name still refers to the file locked, so an unlink racing with it is harmless.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafeRuntimeDir(Exception):
    """A runtime directory rcnet will not use: one line saying why."""


class LockBusy(Exception):
    """Another process holds the lock."""


def _owner_ok(st: os.stat_result) -> bool:
    return st.st_uid in (0, os.geteuid())


def open_dir(path: str, *, create: bool = True) -> int:
    """An fd of directory `path`, checked as the module says (created 0700 when missing and
    `create`); UnsafeRuntimeDir when it must not be used."""
    path = os.path.abspath(path)
    parts = [p for p in path.split("/") if p]
    fd = os.open("/", DIR_FLAGS)
    walked = ""
    try:
        for i, name in enumerate(parts):
            last = i == len(parts) - 1
            walked += "/" + name
            try:
                child = _open_or_make(fd, name, create)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise UnsafeRuntimeDir(
                        f"{walked} is a symbolic link or not a directory; the runtime"
                        " directory is only reached through real directories"
                    ) from None
                raise OSError(exc.errno, exc.strerror, walked) from None
            os.close(fd)
            fd = child
            st = os.fstat(fd)
            if not _owner_ok(st):
                raise UnsafeRuntimeDir(
                    f"{walked} is owned by uid {st.st_uid}: another user could replace the"
                    " control socket or its lock; use a directory owned by root"
                )
            mode = stat.S_IMODE(st.st_mode)
            if last and mode & 0o077:
                raise UnsafeRuntimeDir(
                    f"{walked} has mode {mode:04o}; the runtime directory must be 0700"
                    f" (chmod 700 {walked})"
                )
            if not last and mode & 0o022 and not mode & stat.S_ISVTX:
                raise UnsafeRuntimeDir(
                    f"{walked} is writable by other users (mode {mode:04o}): they could"
                    " replace the runtime directory"
                )
        return fd
    except BaseException:
        os.close(fd)
        raise


def _open_or_make(parent: int, name: str, create: bool) -> int:
    try:
        return os.open(name, DIR_FLAGS, dir_fd=parent)
    except FileNotFoundError:
        if not create:
            raise
    with contextlib.suppress(FileExistsError):
        os.mkdir(name, 0o700, dir_fd=parent)
    return os.open(name, DIR_FLAGS, dir_fd=parent)


def fd_path(dir_fd: int, name: str) -> str:
    """A path to `name` in the directory `dir_fd` that resolves through the fd, not the
    directory's name (short enough for a unix socket's sun_path)."""
    return f"/proc/self/fd/{dir_fd}/{name}"


def take_lock(dir_fd: int, name: str) -> int:
    """Lock file `name` in the directory (created 0600, never through a symlink): its fd,
    flock-ed, holding our PID; LockBusy when another process holds it."""
    while True:
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(name, flags, 0o600, dir_fd=dir_fd)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or not _owner_ok(st):
                raise UnsafeRuntimeDir(f"lock {name} is not a regular file of root's")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LockBusy(name) from None
            try:
                now = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                now = None
            if now is None or (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
                os.close(fd)  # unlinked by its last holder meanwhile: take the new one
                continue
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        except BaseException:
            with contextlib.suppress(OSError):
                os.close(fd)
            raise


def release_lock(dir_fd: int, name: str, fd: int) -> None:
    """Unlink the lock (still held, so that nobody takes the old file meanwhile) and close."""
    with contextlib.suppress(OSError):
        os.unlink(name, dir_fd=dir_fd)
    os.close(fd)


def prune_locks(dir_fd: int, prefix: str, keep: str) -> list[str]:
    """Remove the unlocked `prefix*.lock` files but `keep`: locks of daemons that were killed
    in namespaces that are gone. Returns their names."""
    gone: list[str] = []
    for name in os.listdir(dir_fd):
        if not (name.startswith(prefix) and name.endswith(".lock")) or name == keep:
            continue
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        release_lock(dir_fd, name, fd)
        gone.append(name)
    return gone


@contextmanager
def held(dir_fd: int, name: str) -> Iterator[int]:
    fd = take_lock(dir_fd, name)
    try:
        yield fd
    finally:
        release_lock(dir_fd, name, fd)
