"""Reconfiguring a running engine (the daemon's SIGHUP), as ifconfig would on FreeBSD.

- A vhid whose configuration is unchanged keeps its state, timers and counter.
- A vhid that still runs on the same interface and parent but changed advbase, advskew, pass,
  addresses or peers is updated in place, as `ifconfig em0 vhid 1 advskew 200` does: its state
  is kept and the new intervals apply from the next timer; a changed key or address set takes
  effect with the next advert.
- A vhid that is gone stops (a MASTER bows out and withdraws its addresses).
- A new vhid starts from INIT like one at start-up.
Runtime sysctls (preempt, demotion, ...) are kept: sysctl.conf is read at boot, not on reload.
"""

from __future__ import annotations

import random

from rcnet.carp import wire
from rcnet.carp.actions import Action
from rcnet.carp.engine import Engine
from rcnet.carp.vhost import Event, VHost
from rcnet.model import Host, IPAddress, Vhid


def _ident(v: Vhid) -> tuple[int, str, str | None]:
    return (v.vhid, v.interface, v.parent)


def _update_in_place(vh: VHost, cfg: Vhid) -> None:
    ips: list[IPAddress] = [a.ip for a in cfg.addresses]
    vh.cfg = cfg
    vh.auth = wire.CarpAuth(cfg.key, cfg.vhid, ips)
    vh.families = tuple(f for f in (4, 6) if any(a.version == f for a in ips))


def reconfigure(engine: Engine, host: Host, rng: random.Random, now: int) -> list[Action]:
    """Bring `engine` to `host`'s vhids; returns the actions to perform."""
    old = {_ident(vh.cfg): vh for vh in engine.vhosts}
    out: list[Action] = []
    vhosts: list[VHost] = []
    fresh: list[VHost] = []
    for cfg in host.vhids:
        vh = old.pop(_ident(cfg), None)
        if vh is None:
            vh = VHost(cfg, engine.ctx, rng, now)
            fresh.append(vh)
        elif vh.cfg != cfg:
            _update_in_place(vh, cfg)
        vhosts.append(vh)
    for gone in old.values():
        if engine.running:
            out += gone.fire(Event.STOP, now)

    engine.host = host
    engine.vhosts = vhosts
    engine.reindex()
    for vh in vhosts:
        for fam in (4, 6):
            vh.src[fam] = engine._parent_address(vh.cfg.parent, fam)
    for iface in host.interfaces:
        if not iface.cloned:
            engine.links.setdefault(iface.name, iface.up)
    if engine.running:
        for vh in fresh:
            vh.hw_up = engine._hw_ok(vh)
            vh.since = now
            out += vh.fire(Event.SETRUN, now)
    return out
