"""A reload (SIGHUP or the control request {"cmd": "reload"}): read, check, plan, describe.

The answer is the control protocol's, and SIGHUP logs the same one:
- applied: {"ok": true, "changes": ["vhid 1@carp0: address 2001:db8::50/64 removed", ...]}
  (an empty list when nothing changed);
- refused: {"ok": false, "error": "one line", "findings": [{"file", "line", "column",
  "severity", "code", "message"}, ...]}; the running configuration is kept.

Reading and planning run in a worker thread (pyroute2 and file reads must not block the loop);
the service applies the plan and reconfigures the engine under its one lock of operations.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rcnet.carp.reload import vhid_changes
from rcnet.hosts import CheckedHost
from rcnet.linux.changes import Change, Note
from rcnet.model import Host

log = logging.getLogger("rcnet")


@dataclass(frozen=True)
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
