"""Notification hooks: `SCRIPT <vhid>@<if> <STATE>` once per transition.

Like devd's CARP events. An argument vector, never a shell; each run has a timeout;
a failing or hanging hook is logged and does not stop the others or the daemon. Its stdout
is discarded and its stderr read with a bound (the first and last KEEP bytes, the rest only
counted), so a hook that writes without end costs the daemon no memory and the log one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Sequence
from dataclasses import dataclass

from rcnet.text import escape_bytes

log = logging.getLogger("rcnet.hooks")

DEFAULT_TIMEOUT = 10.0
#: bytes of a hook's stderr kept at each end; what lies between is counted, not kept
KEEP = 4096
#: characters of a kept line that go into the log line
SHOWN = 1024


class HookRunner:
    """Runs each script's hooks one after another in the order of transitions.

    Every script has its own queue and worker: a script that hangs until its timeout delays
    only its own later runs, never another script's (a slow logger must not hold back the
    script that moves a service address).
    """

    def __init__(self, scripts: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> None:
        self.scripts = [s for s in scripts if s]
        self.timeout = timeout
        self._queues: list[asyncio.Queue[tuple[str, str]]] = [asyncio.Queue() for _ in self.scripts]
        self._tasks: list[asyncio.Task[None]] = []
        self.runs = 0

    def start(self) -> None:
        if not self._tasks:
            loop = asyncio.get_running_loop()
            self._tasks = [
                loop.create_task(self._worker(script, queue))
                for script, queue in zip(self.scripts, self._queues, strict=True)
            ]

    def notify(self, subsystem: str, state: str) -> None:
        """Queue `SCRIPT subsystem STATE` for every script (transition order is kept)."""
        for queue in self._queues:
            queue.put_nowait((subsystem, state))

    async def drain(self, timeout: float) -> None:
        """Wait (bounded) until queued hooks have run, e.g. before exiting."""
        if not self._tasks:
            return
        try:
            await asyncio.wait_for(asyncio.gather(*(q.join() for q in self._queues)), timeout)
        except TimeoutError:
            log.warning("hooks still running after %.1f s; not waiting for them", timeout)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _worker(self, script: str, queue: asyncio.Queue[tuple[str, str]]) -> None:
        while True:
            subsystem, state = await queue.get()
            try:
                await self._run_one(script, subsystem, state)
            finally:
                queue.task_done()

    async def _run_one(self, script: str, subsystem: str, state: str) -> None:
        argv = [script, subsystem, state]
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,  # its own process group: a timeout kills its children too
            )
        except OSError as exc:
            log.error("hook %s %s %s: cannot run: %s", script, subsystem, state, exc.strerror)
            return
        assert proc.stderr is not None
        err = Output()
        try:
            await asyncio.wait_for(_run(proc, proc.stderr, err), self.timeout)
        except TimeoutError:
            await _kill(proc)
            log.error("hook %s %s %s: killed after %.0f s", script, subsystem, state, self.timeout)
            return
        except asyncio.CancelledError:
            await _kill(proc)  # the daemon is exiting: leave no hook behind
            raise
        self.runs += 1
        if proc.returncode != 0:
            log.error(
                "hook %s %s %s: exit status %s%s",
                script,
                subsystem,
                state,
                proc.returncode,
                err.summary(),
            )


@dataclass
class Output:
    """A stream read with a bound: its first and last KEEP bytes and how many in all."""

    head: bytes = b""
    tail: bytes = b""
    total: int = 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        if len(self.head) < KEEP:
            room = KEEP - len(self.head)
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail = (self.tail + data)[-KEEP:]

    @property
    def omitted(self) -> int:
        return self.total - len(self.head) - len(self.tail)

    def summary(self) -> str:
        """`: LAST LINE` (as before), with `(N bytes omitted)` when output was dropped."""
        if self.omitted == 0:
            lines = (self.head + self.tail).strip().splitlines()
            return f": {escape_bytes(lines[-1])[:SHOWN]}" if lines else ""
        first = (self.head.strip().splitlines() or [b""])[0]
        last = (self.tail.strip().splitlines() or [b""])[-1]
        return (
            f": {escape_bytes(first)[:SHOWN]} ... {escape_bytes(last)[-SHOWN:]}"
            f" ({self.omitted} bytes omitted)"
        )


async def _run(proc: asyncio.subprocess.Process, stream: asyncio.StreamReader, out: Output) -> None:
    """Read `stream` to its end into `out` (64 KB at a time), then wait for the process."""
    while data := await stream.read(65536):
        out.add(data)
    await proc.wait()


async def _kill(proc: asyncio.subprocess.Process) -> None:
    """SIGKILL the hook's process group (a shell script's children with it) and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    await proc.wait()
