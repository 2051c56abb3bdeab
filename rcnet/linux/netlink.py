"""Plan and apply a host on a network namespace through pyroute2; find and remove what rcnet made.

    changes = plan(host, {"fxp0": "eth0"}, netns=None)   # reads the namespace, changes nothing
    print("\\n".join(c.describe() for c in changes))       # start --dry-run
    apply(changes)                                        # ApplyError at the first failure
    apply(leftovers())                                    # graceful stop, or a crashed run's rests

`netns=None` is the namespace this process runs in; a name is a namespace made by `ip netns add`
(opened without creating it). These calls use pyroute2's synchronous IPRoute, which runs its own
event loop: call them before the daemon's loop starts or through `loop.run_in_executor`, never
directly from a coroutine (pyroute2 then fails with "Cannot run the event loop while another loop
is running"). The fast path while running (a vhid's macvlan up or down) is `rtnl.LinkSwitch`.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rcnet.linux.changes import Change, Context, CreateLink, CreateMacvlan
from rcnet.linux.nsenter import netns_path
from rcnet.linux.plan import PlanError, plan_host, plan_removal
from rcnet.linux.system import SystemState, read_state
from rcnet.model import Host

__all__ = ["ApplyError", "PlanError", "apply", "leftovers", "plan", "snapshot", "teardown"]


class ApplyError(Exception):
    """A change failed; `done` lists the changes applied before it (for the caller to undo)."""

    def __init__(self, change: Change, reason: str, done: Sequence[Change]) -> None:
        super().__init__(f"{change.describe()}: {reason}")
        self.change = change
        self.reason = reason
        self.done = list(done)


def open_iproute(netns: str | None = None) -> Any:
    """A pyroute2 IPRoute in `netns` (never creating the namespace)."""
    from pyroute2 import IPRoute

    if netns is None:
        return IPRoute()
    path = netns_path(netns)
    if not os.path.exists(path):
        raise OSError(errno.ENOENT, f"network namespace {netns} does not exist ({path})")
    return IPRoute(netns=netns, flags=0)


def snapshot(netns: str | None = None) -> SystemState:
    with open_iproute(netns) as ipr:
        return read_state(ipr, netns)


def plan(
    host: Host,
    ifmap: Mapping[str, str] | None = None,
    *,
    netns: str | None = None,
    state: SystemState | None = None,
    prune: bool = False,
) -> list[Change]:
    """What applying `host` to the namespace would change (PlanError if it cannot be applied);
    `prune`: also remove rcnet's addresses the host no longer names (a reload)."""
    return plan_host(host, snapshot(netns) if state is None else state, ifmap, prune=prune)


def reason_of(change: Change, exc: BaseException) -> str:
    """One line for why a change failed, in the words users know from `ip`."""
    code = getattr(exc, "code", None)
    if not isinstance(code, int) or code <= 0:
        code = getattr(exc, "errno", None)
    if not isinstance(code, int) or code <= 0:
        return str(exc) or type(exc).__name__
    if code == errno.EOPNOTSUPP and isinstance(change, CreateLink | CreateMacvlan):
        kind = change.kind if isinstance(change, CreateLink) else "macvlan"
        return f"this kernel has no {kind} links (Unknown device type)"
    text = os.strerror(code)
    detail = str(exc.args[1]) if len(getattr(exc, "args", ())) > 1 else ""
    return text if not detail or detail == text else f"{text} ({detail})"


def apply(
    changes: Iterable[Change], *, netns: str | None = None, best_effort: bool = False
) -> list[str]:
    """Apply changes in order. Stops with ApplyError at the first failure, unless `best_effort`
    (teardown), which carries on and returns one line per failure."""
    todo = list(changes)
    failures: list[str] = []
    done: list[Change] = []
    with open_iproute(netns) as ipr:
        ctx = Context(ipr=ipr, netns=netns)
        for change in todo:
            try:
                change.apply(ctx)
            except Exception as exc:
                if not best_effort:
                    raise ApplyError(change, reason_of(change, exc), done) from exc
                failures.append(f"{change.describe()}: {reason_of(change, exc)}")
                continue
            done.append(change)
    return failures


def leftovers(netns: str | None = None, state: SystemState | None = None) -> list[Change]:
    """Removal of everything rcnet made in the namespace (macvlans, marked links, addresses and
    routes): the leftovers of a crashed run, or what a graceful stop takes away."""
    return plan_removal(snapshot(netns) if state is None else state)


def teardown(netns: str | None = None) -> list[str]:
    """Remove everything rcnet made; returns the failures (one line each), empty when clean."""
    return apply(leftovers(netns), netns=netns, best_effort=True)
