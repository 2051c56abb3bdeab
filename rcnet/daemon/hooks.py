"""Notification hooks: `SCRIPT <vhid>@<if> <STATE>` once per transition.

Like devd's CARP events. An argument vector, never a shell; each run has a timeout;
a failing or hanging hook is logged and does not stop the others or the daemon.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Sequence

log = logging.getLogger("rcnet.hooks")

DEFAULT_TIMEOUT = 10.0


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
        try:
            _, err = await asyncio.wait_for(proc.communicate(), self.timeout)
        except TimeoutError:
            await _kill(proc)
            log.error("hook %s %s %s: killed after %.0f s", script, subsystem, state, self.timeout)
            return
        except asyncio.CancelledError:
            await _kill(proc)  # the daemon is exiting: leave no hook behind
            raise
        self.runs += 1
        if proc.returncode != 0:
            detail = err.decode(errors="replace").strip().splitlines()
            tail = f": {detail[-1]}" if detail else ""
            log.error(
                "hook %s %s %s: exit status %s%s", script, subsystem, state, proc.returncode, tail
            )


async def _kill(proc: asyncio.subprocess.Process) -> None:
    """SIGKILL the hook's process group (a shell script's children with it) and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    await proc.wait()
