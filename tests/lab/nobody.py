"""Another user's files and a socket another user serves, for the runtime-directory attacks of
issue 12 (tests/security/test_rundir.py, tests/daemon/test_hostile.py). Needs root: it chowns
to, and forks a process that becomes, uid nobody."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

NOBODY = 65534
#: how long the fake daemon's start and its one request may take before the test fails
DEADLINE = 10.0


@contextlib.contextmanager
def nobodys_home() -> Iterator[Path]:
    """A directory of uid nobody that nobody can reach (it is in the system's temporary
    directory: pytest's tmp_path is root's and 0700), removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        os.chown(tmp, NOBODY, NOBODY)
        yield Path(tmp)


def _serve(path: Path, answer: dict[str, Any], tell: int) -> None:
    """The child: become nobody, listen on `path`, answer one request with `answer`."""
    try:
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(DEADLINE)
            s.bind(str(path))
            s.listen(1)
            os.write(tell, b"1")
            conn, _ = s.accept()
            conn.settimeout(DEADLINE)
            conn.recv(1000)
            conn.sendall(json.dumps(answer).encode() + b"\n")
            conn.close()
    finally:
        os._exit(0)


@contextlib.contextmanager
def served_by_nobody(path: Path, answer: dict[str, Any]) -> Iterator[None]:
    """A fake daemon of uid nobody listening on `path`, which answers one request with
    `answer` as a daemon would, while the block runs; killed and reaped afterwards. Its start
    is awaited with a deadline, and a child that fails is an EOF: the test never hangs."""
    ready, tell = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready)
        _serve(path, answer, tell)
    os.close(tell)  # the child's end only
    try:
        readable, _, _ = select.select([ready], [], [], DEADLINE)
        if not readable or os.read(ready, 1) != b"1":
            pytest.fail(f"the fake daemon of uid nobody did not start on {path}")
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(ready)
