"""A reload of the CARP engine: what changes, in words (one line per change of a vhid: the
daemon's answer to a reload request, and its log), and the change itself (`apply`, which
`Engine.reconfigure` runs). Pure, like the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rcnet.carp.actions import Action
from rcnet.carp.transitions import Event
from rcnet.carp.vhost import VHost
from rcnet.model import Host, Vhid

if TYPE_CHECKING:
    from rcnet.carp.engine import Engine


def _name(v: Vhid) -> str:
    return f"vhid {v.vhid}@{v.interface}"


def _ident(v: Vhid) -> tuple[int, str, str | None]:
    return (v.vhid, v.interface, v.parent)


def _settings(v: Vhid) -> list[tuple[str, object]]:
    return [
        ("advbase", v.advbase),
        ("advskew", v.advskew),
        ("carpver", v.version),
        ("vrrpprio", v.vrrp_prio),
        ("vrrpinterval", v.vrrp_interval),
        ("peer", v.peer),
        ("peer6", v.peer6),
    ]


def _text(value: object) -> str:
    return "-" if value is None else str(value)


def vhid_changes(old: Host, new: Host) -> list[str]:
    """`vhid 1@carp0: address 2001:db8::50/64 removed`, `vhid 3@carp1 added (parent fxp0)`,
    `vhid 1@carp0: advskew 0 -> 100`, `vhid 1@carp0: pass changed` (the pass is never shown)."""
    before = {_ident(v): v for v in old.vhids}
    out: list[str] = []
    for v in new.vhids:
        was = before.pop(_ident(v), None)
        if was is None:
            out.append(f"{_name(v)} added (parent {v.parent or '-'})")
            continue
        gone = [a for a in was.addresses if a not in v.addresses]
        came = [a for a in v.addresses if a not in was.addresses]
        out += [f"{_name(v)}: address {a} removed" for a in gone]
        out += [f"{_name(v)}: address {a} added" for a in came]
        for (key, a), (_, b) in zip(_settings(was), _settings(v), strict=True):
            if a != b:
                out.append(f"{_name(v)}: {key} {_text(a)} -> {_text(b)}")
        if was.key != v.key:
            out.append(f"{_name(v)}: pass changed")
    out += [f"{_name(v)} removed" for v in before.values()]
    return out


def apply(engine: Engine, host: Host, now: int) -> list[Action]:
    """Bring `engine` to `host`'s vhids as FreeBSD's live ifconfig would: an unchanged vhid
    keeps state, timers and counter; one still on the same interface and parent is changed in
    place (`VHost.reconfigure`: no transition); one that is gone stops (a MASTER bows out); a
    new one starts from INIT. Runtime sysctls are kept: sysctl.conf is read at boot, not on
    reload."""
    old = {_ident(vh.cfg): vh for vh in engine.vhosts}
    out: list[Action] = []
    vhosts: list[VHost] = []
    fresh: list[VHost] = []
    for cfg in host.vhids:
        vh = old.pop(_ident(cfg), None)
        if vh is None:
            vh = VHost(cfg, engine.ctx, engine.rng, now)
            fresh.append(vh)
        else:
            changed = vh.reconfigure(cfg, now)
            out += changed if engine.running else []
        vhosts.append(vh)
    for gone in old.values():
        out += gone.fire(Event.STOP, now) if engine.running else []
    engine.host, engine.vhosts = host, vhosts
    for iface in host.interfaces:
        if not iface.cloned:
            engine.links.setdefault(iface.name, iface.up)
    for vh in fresh:
        for fam in (4, 6):
            vh.src[fam] = engine.parent_address(vh.cfg.parent, fam)
    engine.reindex()
    for vh in fresh if engine.running else []:
        vh.hw_up = engine.hw_ok(vh)
        out += vh.fire(Event.SETRUN, now)
    return out
