"""Control requests: one JSON object in, one answer out (see control.py for the protocol).

status: the one full JSON form of every vhid (`VhidStatus.to_json`: peer, peer6 and carpver
included) and the counters; ifconfig: up, down, vhid N state master|backup; sysctl: one or all
of net.inet.carp.*; stop; reload (daemon/reload.py).
"""

from __future__ import annotations

from typing import Any, Protocol

from rcnet.carp.actions import Action
from rcnet.carp.engine import SYSCTL_PREFIX, CarpError, Engine
from rcnet.daemon.perform import Executor
from rcnet.daemon.stats import VhidStats
from rcnet.daemon.status import state_lines
from rcnet.model import Host


class Daemon(Protocol):
    """What the requests need of the service."""

    engine: Engine
    executor: Executor
    stats: VhidStats
    host: Host
    ifmap: dict[str, str]
    stopping: bool

    def now(self) -> int: ...

    def perform(self, actions: list[Action]) -> None: ...

    async def shutdown(self) -> None: ...

    async def reload(self) -> dict[str, Any]: ...


def status(daemon: Daemon) -> dict[str, Any]:
    now = daemon.now()
    return {
        "ok": True,
        "host": daemon.host.name,
        "vhids": daemon.stats.add_to([s.to_json(now) for s in daemon.engine.status()]),
        "counters": daemon.engine.counters.to_json(),
        "links": links(daemon),
    }


def links(daemon: Daemon) -> dict[str, str]:
    """FreeBSD name -> Linux link, for `rcnet ifconfig` (a legacy carpN: its macvlan)."""
    from rcnet.linux.plan import BUILTIN_MAP

    names = {**BUILTIN_MAP, **daemon.ifmap}
    out = {i.name: names.get(i.name, i.name) for i in daemon.host.interfaces}
    macvlans = daemon.executor.macvlans
    for v in daemon.host.vhids:
        if v.legacy and (v.vhid, v.interface) in macvlans:
            out[v.interface] = macvlans[(v.vhid, v.interface)]
    return out


async def handle(daemon: Daemon, message: dict[str, Any]) -> dict[str, Any]:
    cmd = message.get("cmd")
    if cmd == "status":
        return status(daemon)
    if cmd == "reload":
        return await daemon.reload()  # answers "the daemon is stopping" itself
    if daemon.stopping:
        return {"ok": False, "error": "the daemon is stopping"}
    try:
        if cmd == "ifconfig":
            return ifconfig(daemon, message)
        if cmd == "sysctl":
            return sysctl(daemon, message)
        if cmd == "stop":
            await daemon.shutdown()
            return {"ok": True, "lines": [f"rcnet: {daemon.host.name} stopped"]}
    except CarpError as exc:
        return {"ok": False, "error": str(exc)}
    return {"ok": False, "error": f"unknown request {cmd!r}"}


def ifconfig(daemon: Daemon, message: dict[str, Any]) -> dict[str, Any]:
    engine = daemon.engine
    ifname = str(message.get("if", ""))
    now = daemon.now()
    if message.get("action") == "down":
        daemon.perform(engine.admin_down(ifname, now))
    elif message.get("action") == "up":
        daemon.perform(engine.admin_up(ifname, now))
    elif "state" in message:
        vhid = int(message["vhid"])
        daemon.perform(engine.force_state(ifname, vhid, str(message["state"]), now))
    else:
        return {"ok": False, "error": "expected up, down or vhid N state master|backup"}
    now = daemon.now()
    lines = [
        f"{s.interface}: {state_lines(s.to_json(now))[0]}"
        for s in engine.status()
        if ifname in (s.interface, s.parent)
    ]
    return {"ok": True, "lines": lines}


def sysctl(daemon: Daemon, message: dict[str, Any]) -> dict[str, Any]:
    engine = daemon.engine
    name = message.get("name")
    if name is None:
        return {"ok": True, "lines": [f"{k}: {v}" for k, v in engine.sysctls().items()]}
    old = engine.sysctl(str(name))
    short = engine.sysctl_name(str(name))
    if "value" not in message:
        return {"ok": True, "lines": [f"{SYSCTL_PREFIX}{short}: {old}"]}
    daemon.perform(engine.set_sysctl(str(name), int(message["value"]), daemon.now()))
    new = engine.sysctl(str(name))
    return {"ok": True, "lines": [f"{SYSCTL_PREFIX}{short}: {old} -> {new}"]}
