"""Notification hooks: `SCRIPT <vhid>@<if> <STATE>` once per transition.

Like devd's CARP events. An argument vector, never a shell; each run has a timeout;
a failing or hanging hook is logged and does not stop the others or the daemon.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

log = logging.getLogger("rcnet.hooks")

DEFAULT_TIMEOUT = 10.0


class HookRunner:
    """Runs hooks one after another in the order of transitions."""

    def __init__(self, scripts: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> None:
        self.scripts = [s for s in scripts if s]
        self.timeout = timeout
        self._queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.runs = 0

    def start(self) -> None:
        if self.scripts and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._worker())

    def notify(self, subsystem: str, state: str) -> None:
        """Queue `SCRIPT subsystem STATE` for every script (transition order is kept)."""
        if self.scripts:
            self._queue.put_nowait((subsystem, state))

    async def drain(self, timeout: float) -> None:
        """Wait (bounded) until queued hooks have run, e.g. before exiting."""
        if self._task is None:
            return
        try:
            await asyncio.wait_for(self._queue.join(), timeout)
        except TimeoutError:
            log.warning("hooks still running after %.1f s; not waiting for them", timeout)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _worker(self) -> None:
        while True:
            subsystem, state = await self._queue.get()
            try:
                for script in self.scripts:
                    await self._run_one(script, subsystem, state)
            finally:
                self._queue.task_done()

    async def _run_one(self, script: str, subsystem: str, state: str) -> None:
        argv = [script, subsystem, state]
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            log.error("hook %s %s %s: cannot run: %s", script, subsystem, state, exc.strerror)
            return
        try:
            _, err = await asyncio.wait_for(proc.communicate(), self.timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            log.error("hook %s %s %s: killed after %.0f s", script, subsystem, state, self.timeout)
            return
        self.runs += 1
        if proc.returncode != 0:
            detail = err.decode(errors="replace").strip().splitlines()
            tail = f": {detail[-1]}" if detail else ""
            log.error(
                "hook %s %s %s: exit status %s%s", script, subsystem, state, proc.returncode, tail
            )
