"""What reading a host's rc.conf files produces: variables with positions.

This module is the contract between the sh-subset reader (parse, evaluate, load)
and everything that interprets variables (build, lint). It holds data only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import overload

from rcnet.findings import Finding, Location
from rcnet.frozen import record


class HostError(Exception):
    """A HOST argument that cannot be read at all (missing, unreadable, not a file/dir)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class BinaryFileError(HostError):
    """A HOST file holding a NUL byte: a binary file given by mistake, not an rc.conf."""


class LazyPositions(Sequence[Location]):
    """Per-character locations computed on first use: most values are never asked where
    their characters are, and building one Location per character was a third of the time
    of reading a large file."""

    __slots__ = ("_compute", "_items", "_length")

    def __init__(self, compute: Callable[[], tuple[Location, ...]], length: int) -> None:
        self._compute: Callable[[], tuple[Location, ...]] | None = compute
        self._items: tuple[Location, ...] | None = None
        self._length = length

    def _all(self) -> tuple[Location, ...]:
        if self._items is None:
            assert self._compute is not None
            self._items, self._compute = self._compute(), None
        return self._items

    def __len__(self) -> int:
        return self._length if self._items is None else len(self._items)

    @overload
    def __getitem__(self, index: int) -> Location: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Location]: ...
    def __getitem__(self, index: int | slice) -> Location | Sequence[Location]:
        return self._all()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyPositions):
            return self._all() == other._all()
        if isinstance(other, tuple):
            return self._all() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return repr(self._all())


@record
class Value:
    """One assignment `NAME=WORD` after evaluation.

    `text` is the value as sh would store it (quotes removed, expansions done);
    None means *unknown*: the value came from something the reader does not
    execute (command substitution, an unknown variable set by a skipped
    statement), so nothing may be concluded from it.
    """

    name: str
    text: str | None
    #: where NAME starts
    loc: Location
    #: where the value's first character was written (just after `=`)
    value_loc: Location
    #: for each character of `text`, where it came from in the file; characters
    #: produced by an expansion map to the `$` that produced them
    positions: Sequence[Location] = ()
    #: the raw source text of the word as written (quotes included), for carets
    raw: str = ""
    #: assigned inside a skipped conditional/function: recorded, not applied
    conditional: bool = False
    #: came from the built-in defaults (rcnet carries FreeBSD's network defaults)
    default: bool = False

    def at(self, offset: int) -> Location:
        """The source location of character `offset` of `text`."""
        if self.positions and 0 <= offset < len(self.positions):
            return self.positions[offset]
        if self.positions and offset >= len(self.positions):
            return self.positions[-1]
        return self.value_loc

    @property
    def known(self) -> bool:
        return self.text is not None


@dataclass
class Environment:
    """Variables as one rc.d script sees them after loading its files.

    `values` holds the effective (last) assignment of each set variable;
    an `unset` removes the name. `history` keeps every assignment in order,
    conditional ones included, for the SH05 rule and for messages.
    """

    values: dict[str, Value] = field(default_factory=dict)
    history: dict[str, list[Value]] = field(default_factory=dict)

    def get(self, name: str) -> Value | None:
        """The effective value, or None when the variable is unset."""
        return self.values.get(name)

    def text(self, name: str, default: str | None = None) -> str | None:
        """The effective text; `default` when unset; None when unknown."""
        v = self.values.get(name)
        if v is None:
            return default
        return v.text

    def is_set(self, name: str) -> bool:
        return name in self.values

    def names(self) -> Iterator[str]:
        return iter(self.values)

    def with_prefix(self, prefix: str) -> Iterator[Value]:
        """Effective values whose name starts with prefix, in name order."""
        for name in sorted(self.values):
            if name.startswith(prefix):
                yield self.values[name]


#: the rc.d scripts whose scope matters for networking (rcconf.md §1)
SCOPES = ("hostname", "netif", "routing")


@record
class LoadedHost:
    """A HOST argument read in FreeBSD's order."""

    #: the HOST argument as given
    path: str
    #: name from the path (file stem; `rc.conf`/`etc` take their parent's name)
    path_name: str
    #: every file read, in order
    files: tuple[str, ...]
    #: what rc_conf_files give (defaults + rc.conf + rc.conf.local ...)
    base: Environment
    #: per consumer script: base + its rc.conf.d files; keys are SCOPES
    scopes: Mapping[str, Environment]
    #: net.inet.carp.* from the directory's sysctl.conf (name -> value)
    sysctls: Mapping[str, Value]
    #: findings of the reader itself (SH rules, unreadable included files, ...)
    findings: tuple[Finding, ...]
    #: file -> its lines (without newline), for caret display
    sources: Mapping[str, tuple[str, ...]]
    #: files sh cannot parse (an unterminated quote): rc's scripts exit loading them
    unparseable: tuple[str, ...] = ()

    @property
    def netif(self) -> Environment:
        return self.scopes["netif"]
