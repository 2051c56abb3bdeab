"""Small pieces of rc.subr/network.subr every part of the builder uses.

`get_if_var` name sanitizing, `checkyesno`, the network defaults rcnet carries (in case
the reader did not put them in the environment), natural name order, and a collector
for findings.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from rcnet.findings import Finding, Location, Severity
from rcnet.ifconfig.inet import decimal
from rcnet.ifconfig.words import Word, finding, split_fields
from rcnet.rcconf.env import Environment, Value
from rcnet.rcconf.variables import CARRIED_DEFAULTS

#: rcconf.md §8: what /etc/defaults/rc.conf sets (the variable registry's carried defaults)
NETWORK_DEFAULTS: dict[str, str] = dict(CARRIED_DEFAULTS)

_PUNCT = re.compile(r"[.\-/+]")
_YES = ("yes", "true", "on", "1")
_NO = ("no", "false", "off", "0")


def sanitize(ifname: str) -> str:
    """network.subr `get_if_var`: each of `. - / +` becomes `_` (`em0.101` -> `em0_101`)."""
    return _PUNCT.sub("_", ifname)


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """em2 before em10; letters before digits at the same place."""
    parts = re.findall(r"\d+|\D+", name)
    return tuple((1, int(p)) if decimal(p) else (0, p) for p in parts)


def cloner_of(name: str) -> str:
    """The cloner part of `<cloner><unit>` (`carp` of carp0, `em` of em0.101)."""
    m = re.match(r"[A-Za-z_]+", name)
    return m.group() if m else name


@dataclass
class Env:
    """One rc.d script's variables, as network.subr reads them."""

    env: Environment
    _names: list[str] | None = field(default=None, init=False, repr=False, compare=False)
    _sorted: list[str] | None = field(default=None, init=False, repr=False, compare=False)
    #: results computed once per build (alias variables per interface, ...)
    memo: dict[object, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def value(self, name: str) -> Value | None:
        """The effective assignment; one inside a skipped conditional does not count."""
        v = self.env.get(name)
        return None if v is None or v.conditional else v

    def text(self, name: str) -> str | None:
        """Effective text, the carried default when unset, None when unknown or unset."""
        v = self.value(name)
        if v is None:
            return NETWORK_DEFAULTS.get(name)
        return v.text

    def is_set(self, name: str) -> bool:
        return self.value(name) is not None

    def words(self, name: str) -> list[Word]:
        """Field-split words of a variable (unquoted expansion), with their places."""
        v = self.value(name)
        if v is None:
            default = NETWORK_DEFAULTS.get(name, "")
            return split_fields(default)
        return split_fields(v.text or "", v)

    def if_var(self, ifname: str, pattern: str) -> Value | None:
        """get_if_var: `pattern` holds IF (`ifconfig_IF_ipv6`), replaced by the sanitized name."""
        return self.value(pattern.replace("IF", sanitize(ifname), 1))

    def names(self) -> list[str]:
        """Set (not conditional) variable names in assignment order; computed once, since
        the builder never changes the environment it reads."""
        if self._names is None:
            self._names = [n for n, v in self.env.values.items() if not v.conditional]
        return self._names

    def names_with_prefix(self, prefix: str) -> list[str]:
        """names() that start with prefix, in name order: a bisection of one sorted index,
        so per-interface lookups cost the interface's own variables, not the file's."""
        if self._sorted is None:
            self._sorted = sorted(self.names())
        index = self._sorted
        start = bisect.bisect_left(index, prefix)
        end = start
        while end < len(index) and index[end].startswith(prefix):
            end += 1
        return index[start:end]


@dataclass
class Report:
    """Findings of one build, deduplicated (an alias range repeats the words it expands)."""

    items: list[Finding] = field(default_factory=list)
    _seen: set[tuple[str, str, Location | None]] = field(default_factory=set)

    def add(self, f: Finding) -> None:
        key = (f.code, f.message, f.loc)
        if key not in self._seen:
            self._seen.add(key)
            self.items.append(f)

    def extend(self, fs: list[Finding] | tuple[Finding, ...]) -> None:
        for f in fs:
            self.add(f)

    def at(
        self, code: str, severity: Severity, message: str, word: Word | None, length: int = 0
    ) -> None:
        self.add(finding(code, severity, message, word, length or None))

    def at_value(
        self, code: str, severity: Severity, message: str, value: Value | None, offset: int = 0
    ) -> None:
        """A finding at a character of a value (or at its name when it is empty)."""
        if value is None:
            self.add(Finding(code, severity, message))
            return
        loc = value.at(offset) if value.text else value.loc
        self.add(Finding(code, severity, message, loc, max(1, len(value.text or "") - offset)))

    def at_name(self, code: str, severity: Severity, message: str, value: Value | None) -> None:
        """A finding at the variable's name (the assignment as a whole is the problem)."""
        if value is None:
            self.add(Finding(code, severity, message))
        else:
            self.add(Finding(code, severity, message, value.loc, len(value.name)))


def checkyesno(env: Env, name: str, report: Report) -> bool:
    """rc.subr checkyesno: yes/true/on/1 or no/false/off/0 in any case; else warn, false."""
    text = env.text(name)
    if text is None:
        return False
    if text.lower() in _YES:
        return True
    if text.lower() not in _NO:
        report.at_value(
            "GN01",
            "warning",
            f'{name}={text!r} is not a boolean rc knows: rc warns "{name} is not set properly"'
            f" and treats it as NO; write YES or NO",
            env.value(name),
        )
    return False
