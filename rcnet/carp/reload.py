"""What a reload changes, in words: one line per change of a vhid (the daemon's answer to a
reload request, and its log). Pure: the engine applies the change (`Engine.reconfigure`)."""

from __future__ import annotations

from rcnet.model import Host, Vhid


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
