r"""Environments for builder tests without the real reader.

A tiny reader of `NAME=value` lines: double quotes (backslash escapes `$ \` " \\` and
backslash-newline), single quotes, bare words and comments, with each value character's
line and column, so tests can check the exact place of a finding. No expansions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rcnet.findings import Location
from rcnet.rcconf.env import Environment, LoadedHost, Value

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _positions(text: str) -> list[tuple[int, int]]:
    """(line, column) of every character, 1-based."""
    out: list[tuple[int, int]] = []
    line, col = 1, 1
    for ch in text:
        out.append((line, col))
        if ch == "\n":
            line, col = line + 1, 1
        else:
            col += 1
    return out


class _Reader:
    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.pos = [*_positions(text), (text.count("\n") + 1, 1)]
        self.i = 0

    def loc(self, i: int) -> Location:
        line, col = self.pos[i]
        return Location(self.file, line, col)

    def word(self) -> tuple[str, list[Location]]:
        chars: list[str] = []
        locs: list[Location] = []
        t = self.text
        while self.i < len(t) and t[self.i] not in " \t\n;":
            c = t[self.i]
            if c == "'":
                end = t.index("'", self.i + 1)
                for j in range(self.i + 1, end):
                    chars.append(t[j])
                    locs.append(self.loc(j))
                self.i = end + 1
            elif c == '"':
                self.i += 1
                while t[self.i] != '"':
                    if t[self.i] == "\\" and t[self.i + 1] == "\n":
                        self.i += 2
                        continue
                    if t[self.i] == "\\" and t[self.i + 1] in '$`"\\':
                        self.i += 1
                    chars.append(t[self.i])
                    locs.append(self.loc(self.i))
                    self.i += 1
                self.i += 1
            elif c == "\\":
                chars.append(t[self.i + 1])
                locs.append(self.loc(self.i + 1))
                self.i += 2
            else:
                chars.append(c)
                locs.append(self.loc(self.i))
                self.i += 1
        return "".join(chars), locs

    def values(self) -> list[Value]:
        out: list[Value] = []
        t = self.text
        while self.i < len(t):
            if t[self.i] in " \t\n;":
                self.i += 1
                continue
            if t[self.i] == "#":
                self.i = t.find("\n", self.i) if "\n" in t[self.i :] else len(t)
                continue
            m = _NAME.match(t, self.i)
            if m is None or t[m.end() : m.end() + 1] != "=":
                raise ValueError(f"{self.file}: cannot read {t[self.i : self.i + 30]!r}")
            start = self.i
            self.i = m.end() + 1
            value_start = self.i
            text, locs = self.word()
            raw = t[value_start : self.i]
            out.append(
                Value(m.group(), text, self.loc(start), self.loc(value_start), tuple(locs), raw)
            )
        return out


def env_from(text: str, file: str = "rc.conf", base: Environment | None = None) -> Environment:
    """An Environment from `NAME=value` lines (on top of `base`, like a later file)."""
    env = Environment(
        dict(base.values) if base else {},
        {k: list(v) for k, v in (base.history if base else {}).items()},
    )
    for v in _Reader(text, file).values():
        env.values[v.name] = v
        env.history.setdefault(v.name, []).append(v)
    return env


def loaded_from(
    text: str,
    *,
    path: str = "host.conf",
    scopes: Mapping[str, str] | None = None,
    sysctls: Mapping[str, str] | None = None,
) -> LoadedHost:
    """A LoadedHost whose three scopes see `text`, plus per-scope rc.conf.d text."""
    base = env_from(text, path)
    scoped = {
        name: env_from((scopes or {}).get(name, ""), f"rc.conf.d/{name}", base)
        for name in ("hostname", "netif", "routing")
    }
    sysctl_values: dict[str, Value] = {}
    for n, (name, value) in enumerate((sysctls or {}).items(), start=1):
        loc = Location("sysctl.conf", n, 1)
        vloc = Location("sysctl.conf", n, len(name) + 2)
        sysctl_values[name] = Value(name, value, loc, vloc)
    stem = path.rsplit("/", 1)[-1].removesuffix(".conf")
    sources = {path: tuple(text.split("\n"))}
    return LoadedHost(path, stem, (path,), base, scoped, sysctl_values, (), sources)
