"""A reload (SIGHUP or the control request {"cmd": "reload"}): read, check, plan, describe.

The answer is the control protocol's, and SIGHUP logs the same one:
- applied: {"ok": true, "changes": ["vhid 1@carp0: address 2001:db8::50/64 removed", ...]}
  (an empty list when nothing changed);
- refused: {"ok": false, "error": "one line", "findings": [{"file", "line", "column",
  "severity", "code", "message"}, ...]}; the running configuration is kept.
- a plan that fails part-way is rolled back (roll_back): each change applied before the
  failing one is undone by its inverse (rcnet.linux.undo), so the kernel matches the running
  configuration the engine keeps; the error says the failing change and what, if anything,
  could not be undone. Rolled back, not kept: the engine cannot run half a configuration, and a
  reload that says "refused" must leave the system as it was.

Reading and planning run in a worker thread (pyroute2 and file reads must not block the loop);
the service applies the plan and reconfigures the engine under its one lock of operations.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import field
from typing import TYPE_CHECKING, Any, Protocol

from rcnet.carp.actions import Action
from rcnet.carp.engine import Engine
from rcnet.carp.reload import vhid_changes
from rcnet.daemon.options import StartOptions
from rcnet.daemon.perform import Executor
from rcnet.frozen import record
from rcnet.hosts import CheckedHost
from rcnet.linux.changes import Change, Note
from rcnet.model import Host

if TYPE_CHECKING:
    from rcnet.linux.netlink import ApplyError
    from rcnet.linux.undo import Before

log = logging.getLogger("rcnet")


@record
class Refusal:
    """Why a reload is refused; nothing was changed."""

    error: str
    findings: tuple[dict[str, Any], ...] = ()
    #: one log line per finding, before the refusal itself
    details: tuple[str, ...] = field(default=())

    def answer(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, "findings": list(self.findings)}

    def log(self) -> None:
        for line in self.details:
            log.error("rcnet: reload: %s", line)
        log.error("rcnet: reload refused: %s; keeping the running configuration", self.error)


def read(path: str) -> CheckedHost | Refusal:
    """The host at `path`, checked; a Refusal when it cannot be read or has errors."""
    from rcnet.hosts import read_host
    from rcnet.rcconf.env import HostError
    from rcnet.startable import blockers

    try:
        checked = read_host(path)
    except HostError as exc:
        return Refusal(f"{exc.path}: {exc.reason}")
    errors = blockers(checked.findings, checked.host)  # the policy `start` and `check` use
    if errors:
        return Refusal(
            f"{len(errors)} error(s) in {path}",
            tuple(_finding(f.to_json()) for f in errors),
            tuple(f.format(path) for f in errors),
        )
    return checked


def _finding(data: dict[str, Any]) -> dict[str, Any]:
    keys = ("file", "line", "column", "severity", "code", "message")
    return {k: data.get(k) for k in keys}


def changes(old: Host, new: Host, plan: Iterable[Change], vhid_links: Iterable[str]) -> list[str]:
    """One line per change: the vhids' in words, then the rest of the plan as `ip` commands
    (the vhid macvlans' own changes are already said in words)."""
    own = set(vhid_links)
    rest = [
        c.describe()
        for c in plan
        if not isinstance(c, Note) and getattr(c, "ifname", None) not in own
    ]
    return vhid_changes(old, new) + rest


def applied(path: str, lines: list[str]) -> dict[str, Any]:
    """The answer of an applied reload, logged as SIGHUP's."""
    if not lines:
        log.info("rcnet: reload: no change")
    else:
        for line in lines:
            log.info("rcnet: reload: %s", line)
        log.info("rcnet: reloaded %s", path)
    return {"ok": True, "changes": lines}


class Reloadable(Protocol):
    """What a reload needs of the service (it runs under the service's lock of operations)."""

    host: Host
    ifmap: dict[str, str]
    options: StartOptions
    engine: Engine
    executor: Executor
    stopping: bool
    loop: asyncio.AbstractEventLoop

    def now(self) -> int: ...

    def perform(self, actions: list[Action]) -> None: ...

    def running_plan(
        self, host: Host, ifmap: dict[str, str], *, prune: bool = False
    ) -> list[Change]: ...

    def open_transports(self, host: Host) -> None: ...

    def watch_links(self) -> None: ...

    def unwatch_links(self) -> None: ...


async def run(daemon: Reloadable) -> dict[str, Any]:
    """Read, check, plan and apply the host, then reconfigure the engine. The watcher is off
    while the plan runs: what it removes, rcnet removes itself, not someone else to repair."""
    from rcnet.daemon.run import effective_ifmap
    from rcnet.daemon.service import vhid_links

    loop = daemon.loop
    path = daemon.options.host_path
    checked = await loop.run_in_executor(None, read, path)
    if isinstance(checked, Refusal):
        checked.log()
        return checked.answer()
    new = checked.host
    if new == daemon.host:
        return applied(path, [])
    ifmap = effective_ifmap(new, daemon.options)
    daemon.unwatch_links()
    try:
        plan = await loop.run_in_executor(None, lambda: daemon.running_plan(new, ifmap, prune=True))
        refusal = await loop.run_in_executor(None, apply_or_roll_back, plan)
    except Exception as exc:
        refusal = Refusal(f"applying failed: {exc}")
    if refusal is not None:
        if not daemon.stopping:
            daemon.watch_links()
        refusal.log()
        return refusal.answer()
    executor = daemon.executor
    old_links, new_links = executor.macvlans, vhid_links(new, ifmap)
    gone = sorted(set(old_links.values()) - set(new_links.values()))
    kept = daemon.engine.reconfigure(new, daemon.now())
    old, daemon.host, daemon.ifmap = daemon.host, new, ifmap
    executor.macvlans = new_links
    daemon.open_transports(new)
    daemon.perform(kept)
    if gone:
        # the bow-outs went out above; a removed vhid's link still needs its name until then
        for failure in await loop.run_in_executor(None, _delete_links, gone):
            log.warning("rcnet: reload: %s", failure)
    if not daemon.stopping:
        executor.assert_links()
        daemon.watch_links()
    lines = changes(old, new, plan, set(old_links.values()) | set(new_links.values()))
    return applied(path, lines)


def apply_or_roll_back(plan: list[Change]) -> Refusal | None:
    """Apply the plan; if a change fails, undo those before it (roll_back) and refuse."""
    from rcnet.linux import netlink, undo

    seen = undo.before(plan)
    try:
        netlink.apply(plan)
    except netlink.ApplyError as failed:
        return roll_back(failed, seen)
    return None


def roll_back(failed: ApplyError, seen: Before) -> Refusal:
    """Undo what a failed plan applied before its failing change, so that the kernel matches
    the running configuration again, and say exactly what stays applied if anything does."""
    from rcnet.linux import netlink
    from rcnet.linux.undo import half_applied, undo_plan

    back, stuck = undo_plan(failed.done, seen)
    back = half_applied(failed.change, seen) + back  # the failing change came last
    failures = netlink.apply(back, best_effort=True)
    said = f"applying failed at {failed}"
    n = len(failed.done)
    if not failed.done:
        said += "; nothing was applied before it"
    elif not stuck and not failures:
        said += f"; the {n} change{'s' * (n != 1)} applied before it were undone"
    else:
        left = [c.describe() for c in stuck] + failures
        said += f"; undone except (still applied): {'; '.join(left)}"
    return Refusal(f"{said}; the running configuration is kept")


def _delete_links(names: list[str]) -> list[str]:
    from rcnet.linux import netlink
    from rcnet.linux.changes import DeleteLink

    return netlink.apply([DeleteLink(n) for n in names], best_effort=True)
