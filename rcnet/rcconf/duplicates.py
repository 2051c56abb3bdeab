"""SH05: an assignment that a later one overrides, so its value is never used."""

from __future__ import annotations

from collections.abc import Iterable

from rcnet.findings import Finding, Location
from rcnet.rcconf.env import Environment, Value


def duplicate_findings(envs: Iterable[Environment]) -> list[Finding]:
    """SH05 (info) at each assignment that a later one overrides; `x="${x} more"` extends
    the value instead, so it does not count as overriding."""
    out: list[Finding] = []
    seen: set[Location] = set()
    histories: set[int] = set()
    for env in envs:
        if id(env) in histories:
            continue
        histories.add(id(env))
        for name, history in env.history.items():
            if len(history) < 2:
                continue
            real = [v for v in history if not v.default and not v.conditional]
            if len(real) < 2:
                continue
            overridden = False  # is there a later assignment that does not extend?
            dead: list[Value] = []
            for value in reversed(real):
                if overridden and value.loc not in seen:
                    dead.append(value)
                overridden = overridden or not _extends(value)
            if dead:
                out.extend(_duplicate(name, real, v) for v in reversed(dead))
                seen.update(v.loc for v in dead)
    return out


def _duplicate(name: str, real: list[Value], value: Value) -> Finding:
    def where(v: Value) -> str:
        loc = v.loc
        return f"line {loc.line}" if loc.file == value.loc.file else f"{loc.file}:{loc.line}"

    places = ", ".join(where(v) for v in real)
    return Finding(
        "SH05",
        "info",
        f"{name} is assigned {len(real)} times ({places}); the last one ({where(real[-1])}) "
        "wins, so this value is never used",
        value.loc,
        len(name),
    )


def _extends(value: Value) -> bool:
    raw = value.raw
    name = value.name
    return f"${{{name}}}" in raw or f"${{{name}:" in raw or _mentions(raw, "$" + name)


def _mentions(raw: str, token: str) -> bool:
    i = raw.find(token)
    while i >= 0:
        after = raw[i + len(token) : i + len(token) + 1]
        if not (after.isalnum() or after == "_"):
            return True
        i = raw.find(token, i + 1)
    return False
