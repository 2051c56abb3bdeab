"""sysrc(8) for rcnet: edit one rc.conf file in place, safely.

Edits work on the file's text with the reader's own positions (rcnet.rcconf), never by
executing anything: set replaces the last plain `NAME=...` word of the file in place (a
trailing comment and the rest of the line stay) or appends `NAME="value"`; `+=`/`-=` add or
remove words of a list (sysrc's rules: the delimiter is the value's first character unless
that is a blank, a letter, a digit, `.` or `/`); delete removes every plain assignment of
NAME. After each edit the new text is read again and must give back exactly what was set,
otherwise the edit falls back to appending and, failing that, is refused.

Values are always written in double quotes with `"`, `$`, backquote and backslash escaped,
so no value can end the quotes or expand anything. Control characters other than tab are
refused: an rc.conf value has no business holding them.

`write_atomic` replaces the file the way a crash cannot half-do: a temporary file in the
same directory with the original's mode and owner, fsync, rename, fsync of the directory.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterable

from rcnet.frozen import record
from rcnet.rcconf.env import LoadedHost, Value
from rcnet.rcconf.expand import split_assignment
from rcnet.rcconf.load import load_text
from rcnet.rcconf.parse import ParseError, Word, parse_statement
from rcnet.rcconf.scan import scan
from rcnet.rcconf.source import BOM, SourceFile
from rcnet.redact import MASK, PASS_WORD
from rcnet.text import control_characters, escape

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ESCAPE = re.compile(r'(["$`\\])')
#: sysrc: a first character among these means "words separated by blanks"
_PLAIN_FIRST = re.compile(r"[ \t\nA-Za-z0-9./]")


class SysrcError(Exception):
    """An edit that cannot be made: one line for the user."""


@record
class Edit:
    """One NAME argument: op is "get", "set", "add", "remove" or "delete"."""

    name: str
    op: str
    value: str = ""

    @classmethod
    def parse(cls, arg: str, delete: bool = False) -> Edit:
        name, eq, value = arg.partition("=")
        op = "set" if eq else "get"
        if eq and name.endswith("+"):
            name, op = name[:-1], "add"
        elif eq and name.endswith("-"):
            name, op = name[:-1], "remove"
        if not NAME.match(name):
            raise SysrcError(f"{show(name)!s}: not a valid variable name")
        if delete:
            return cls(name, "delete")
        if control_characters(value):
            shown = ", ".join(control_characters(value))
            raise SysrcError(f"{name}: control characters ({shown}) are not allowed in a value")
        return cls(name, op, value)


def show(text: str) -> str:
    """Text for a terminal: bytes that are not UTF-8 and control characters as escapes."""
    return escape(text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))


def quote(value: str) -> str:
    """`value` in double quotes that sh reads back as exactly `value`."""
    return '"' + _ESCAPE.sub(r"\\\1", value) + '"'


def list_edit(before: str, words: str, add: bool) -> str:
    """sysrc's `NAME+=VALUE` / `NAME-=VALUE` (usr.sbin/sysrc/sysrc, APPEND and REMOVE)."""
    delim = words[:1]
    plain = not delim or _PLAIN_FIRST.match(delim) is not None
    if plain:
        delim = " "

    def split(text: str) -> list[str]:
        return [w for w in (text.split() if plain else text.split(delim)) if w]

    old = split(before)
    given = split(words)
    if add:
        new = old + [w for i, w in enumerate(given) if w not in old and w not in given[:i]]
    else:
        new = [w for w in old if w not in given]
    return delim.join(new)


class RcFile:
    """One rc.conf file's text being edited (BOM kept aside, undecodable bytes kept)."""

    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        raw = data.decode("utf-8", "surrogateescape")
        if "\r" in raw:
            raise SysrcError(f"{path}: has CR line ends (see `rcnet check`); fix them first")
        self.bom = raw.startswith(BOM)
        self.text = raw[1:] if self.bom else raw

    def data(self) -> bytes:
        return ((BOM if self.bom else "") + self.text).encode("utf-8", "surrogateescape")

    def loaded(self) -> LoadedHost:
        return load_text(self.text, self.path)

    def value(self, name: str) -> Value | None:
        return self.loaded().base.get(name)

    def _own(self, name: str) -> list[Value]:
        history = self.loaded().base.history.get(name, [])
        return [v for v in history if v.loc.file == self.path and not v.default]

    def _span(self, value: Value) -> tuple[int, int, bool] | None:
        """File offsets of the assignment word of `value`, and whether it is alone in its
        statement (then the whole lines can go); None when it is not a plain word."""
        if value.conditional:
            return None
        src = SourceFile(self.path, self.text)
        at = src.line_starts[value.loc.line - 1] + value.loc.column - 1
        statements, _ = scan(src)
        for st in statements:
            if not st.start <= at < st.end or st.template:
                continue
            try:
                items = parse_statement(st.text)
            except ParseError:
                return None
            for item in items:
                if isinstance(item, Word) and st.file_offset(item.start) == at:
                    a = split_assignment(item)
                    if a is None or a.name != value.name:
                        return None
                    end = st.file_offset(item.end - 1) + 1
                    return at, end, len(items) == 1
        return None

    def set(self, name: str, value: str) -> None:
        word = f"{name}={quote(value)}"
        own = self._own(name)
        span = self._span(own[-1]) if own else None
        if span is not None:
            candidate = self.text[: span[0]] + word + self.text[span[1] :]
            if self._reads(candidate, name, value):
                self.text = candidate
                return
        text = self.text
        if text and not text.endswith("\n"):
            text += "\n"
        candidate = f"{text}{word}\n"
        if not self._reads(candidate, name, value):
            raise SysrcError(f"{name}: the file would not read back the value set; not changed")
        self.text = candidate

    def delete(self, name: str) -> list[int]:
        """Remove every plain assignment of `name`; the lines of those that are left."""
        for value in reversed(self._own(name)):
            span = self._span(value)
            if span is None:
                continue
            start, end, alone = span
            if alone:
                line_start = self.text.rfind("\n", 0, start) + 1
                if not self.text[line_start:start].strip():
                    start = line_start
                nl = self.text.find("\n", end)
                end = len(self.text) if nl < 0 else nl + 1
            else:
                while end < len(self.text) and self.text[end] in " \t":
                    end += 1
            self.text = self.text[:start] + self.text[end:]
        return [v.loc.line for v in self._own(name)]

    @staticmethod
    def _reads(text: str, name: str, value: str) -> bool:
        got = load_text(text, "check").base.get(name)
        return got is not None and got.text == value


class PassLabels:
    """Passes masked as `********#N`, the same pass the same N within one run, so that a diff
    or a `NAME: old -> new` line shows that a pass changed, and which vhids share one, without
    showing it: no length and no digest, nothing to guess a pass from."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def mask(self, text: str, secrets: Iterable[str]) -> str:
        """`text` with the word after each `pass` and every one of `secrets` labelled (one
        pass over the text: a label is never masked again)."""
        known = sorted((s for s in secrets if s and s != MASK), key=len, reverse=True)
        alternatives = [PASS_WORD.pattern]
        if known:
            alternatives.append(rf"(?<![\w.:/-])({'|'.join(map(re.escape, known))})(?![\w.:/-])")

        def label(m: re.Match[str]) -> str:
            if m.group(3) is not None:
                return m.group(1) + m.group(2) + self._label(m.group(3))
            return self._label(m.group(4))

        return re.sub("|".join(alternatives), label, text)

    def _label(self, secret: str) -> str:
        return f"{MASK}#{self.numbers.setdefault(secret, len(self.numbers) + 1)}"


def read_file(path: str) -> RcFile:
    """The file to edit (none yet: empty). Refused as `check` refuses a HOST file (binary,
    over 1 MiB, unreadable): HostError, which `rcnet sysrc` reports in one line, exit 2."""
    from rcnet.rcconf.load import read_host_bytes

    try:
        data = read_host_bytes(path, path)
    except FileNotFoundError:
        data = b""
    return RcFile(path, data)


def write_atomic(path: str, data: bytes) -> None:
    """Replace `path` by `data`: all or nothing, even on a full disk or a kill."""
    real = os.path.realpath(path)
    directory = os.path.dirname(real) or "."
    try:
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st = None
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(real)}.", suffix=".new")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if st is not None:
                os.fchmod(f.fileno(), stat.S_IMODE(st.st_mode))
                if (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
                    os.fchown(f.fileno(), st.st_uid, st.st_gid)
            else:
                os.fchmod(f.fileno(), 0o644)
            os.fsync(f.fileno())
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dirfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dirfd)
    finally:
        os.close(dirfd)
