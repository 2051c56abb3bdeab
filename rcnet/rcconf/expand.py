"""Word expansion as sh does it for an assignment, and the Values it produces.

Parameter expansion (`$NAME`, `${NAME}`, `${NAME-w}` ... `${#NAME}`) is evaluated against the
Environment; unset expands to empty (SH06 when the variable has no default). Anything that
would run a command (`$(...)`, `$((...))`, backticks) or that the reader does not evaluate
(`$1`, `${NAME%pattern}`) makes the result *unknown* (text None), with an SH04 warning: rcnet
never executes anything from the file. No field splitting or globbing: assignment words have
none.

Offsets are logical offsets in a statement (see scan.Statement); a character that came
from an expansion sits at the `$` that produced it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rcnet.findings import Finding, Location, Severity
from rcnet.rcconf.env import Environment, LazyPositions, Value
from rcnet.rcconf.parse import Lit, Opaque, Param, Part, Word
from rcnet.rcconf.scan import Statement
from rcnet.rcconf.source import TYPOGRAPHIC, SourceFile, clip

#: per file, how many Location references the positions of values may hold in all: a file
#: that extends one variable thousands of times (`x="$x more"`) would otherwise need memory
#: quadratic in its length. Past it, values get no positions (Value.at gives value_loc).
POSITIONS_BUDGET = 4_000_000
#: the longest value an expansion may produce (characters). sh would build
#: `v1="$v0$v0" ... v39="$v38$v38"` (4 TB) until it ran out of memory; no rc.conf value
#: comes near this, so past it the value is unknown, with an SH09 error
MAX_VALUE = 1 << 20
#: per file, how many characters expansions may copy in all (x="$big$big" a thousand times
#: stays under MAX_VALUE per value but not in all): past it, every expansion is unknown
MAX_WORK = 16 << 20

NAME_EQ = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
TEMPLATE_MARKS = ("{{", "{%")
#: any of TEMPLATE_MARKS
TEMPLATE = re.compile("|".join(map(re.escape, TEMPLATE_MARKS)))

_OPAQUE = {
    "cmdsub": "command substitution",
    "arith": "arithmetic expansion",
    "backquote": "command substitution",
    "special": "special parameter",
}


@dataclass(frozen=True, slots=True)
class Assignment:
    """`NAME=value` split out of a word: name, where it starts, the value's parts and span."""

    name: str
    name_at: int
    parts: tuple[Part, ...]
    start: int
    end: int


#: `NAME=value` whose value is its own text: double- or single-quoted or unquoted characters
#: without `$`, backslash, backquote, `{` (template marks) or typographic quotes (their
#: findings need the full path), trailing blanks allowed. The grammar's classes (parse._SIMPLE)
#: less those characters. Expander.assign_literal takes it without the parser, the assignment
#: split and the expansion (tests/rcconf/test_grammar.py compares both ways).
LITERAL = re.compile(
    rf"""([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"\\$`{{{TYPOGRAPHIC}]*)"|'([^'{{{TYPOGRAPHIC}]*)'"""
    rf"""|([^ \t\n'"\\$`;&|<>(){{{TYPOGRAPHIC}]*))[ \t]*\Z"""
)


def split_assignment(word: Word) -> Assignment | None:
    """The assignment a word makes, if sh would take it as one (NAME unquoted, valid)."""
    first = word.parts[0]
    if not isinstance(first, Lit) or first.quoted:
        return None
    m = NAME_EQ.match(first.text)
    if m is None:
        return None
    rest = first.text[m.end() :]
    at = first.at + m.end()
    parts = word.parts[1:] if not rest else (Lit(rest, at, False), *word.parts[1:])
    return Assignment(m.group()[:-1], first.at, parts, at, word.end)


@dataclass
class _Result:
    """An expanded word: its pieces of text and, per piece, where it came from."""

    text: list[str] = field(default_factory=list)
    #: (logical offset, length, repeated): `length` characters written from `offset` on, or
    #: (repeated) all produced by the `$` at `offset`
    segments: list[tuple[int, int, bool]] = field(default_factory=list)
    known: bool = True
    #: characters in text
    size: int = 0

    def literal(self, text: str, at: int) -> None:
        self.text.append(text)
        self.segments.append((at, len(text), False))
        self.size += len(text)

    def expanded(self, text: str, at: int) -> None:
        self.text.append(text)
        self.segments.append((at, len(text), True))
        self.size += len(text)

    def extend(self, other: _Result) -> None:
        self.text.extend(other.text)
        self.segments.extend(other.segments)
        self.known = self.known and other.known
        self.size += other.size


class Expander:
    """Expands words of one file's statements against an Environment."""

    def __init__(
        self, env: Environment, src: SourceFile, findings: list[Finding], *, defaults: bool
    ) -> None:
        self.env = env
        self.src = src
        self.findings = findings
        #: reading a defaults file: values are defaults, no SH06
        self.defaults = defaults
        self.budget = POSITIONS_BUDGET
        #: characters expansions may still copy (MAX_WORK); below 0 once reported
        self.work = MAX_WORK

    # --- locations ------------------------------------------------------------------------

    def loc(self, st: Statement, off: int) -> Location:
        return self.src.loc(st.file_offset(off))

    def loc_after(self, st: Statement, at: Location, off_at: int, off: int) -> Location:
        """`loc(st, off)` given `at`, the location of `off_at` <= `off` in the same statement:
        on the same line, without the line search, when no newline lies between them."""
        if len(st.starts) == 1:
            a = st.file_starts[0] + off_at - st.starts[0]
            b = st.file_starts[0] + off - st.starts[0]
            if a <= b <= st.end and "\n" not in self.src.text[a:b]:
                return Location(at.file, at.line, at.column + b - a)
        return self.loc(st, off)

    def report(
        self, code: str, severity: Severity, message: str, st: Statement, start: int, end: int
    ) -> None:
        """A finding underlining [start, end) of a statement (cut at the end of its line)."""
        a = st.file_offset(start)
        b = st.file_offset(max(start, end - 1)) + 1
        eol = self.src.text.find("\n", a, b)
        length = max(1, (b if eol < 0 else eol) - a)
        self.findings.append(Finding(code, severity, message, self.src.loc(a), length))

    def raw(self, st: Statement, start: int, end: int) -> str:
        """The source text between two logical offsets, as written (backslash-newlines too)."""
        if end <= start:
            return ""
        return self.src.text[st.file_offset(start) : st.file_offset(end - 1) + 1]

    # --- assignments ----------------------------------------------------------------------

    def assign(self, st: Statement, a: Assignment, *, conditional: bool) -> Value:
        """Evaluate `NAME=value` and record it; applied unless conditional."""
        raw = self.raw(st, a.start, a.end)
        res = self.expand(st, a.parts, target=a.name, dry=conditional)
        return self.record(st, a.name, a.name_at, a.start, res, raw, conditional=conditional)

    def assign_literal(self, st: Statement, m: re.Match[str]) -> Value:
        """What `assign` makes of a statement LITERAL matched (applied: no frame is open)."""
        name, dq, sq, plain = m.groups()
        start = len(name) + 1  # just after `=`
        if plain is not None:
            text, at, end = plain, start, start + len(plain)
        else:
            text = dq if dq is not None else sq
            at, end = start + 1, start + len(text) + 2
        raw = self.raw(st, start, end)  # no `{`: no template mark
        return self._store(st, name, 0, start, text, [(at, len(text), False)], raw, False)

    def record(
        self,
        st: Statement,
        name: str,
        name_at: int,
        value_at: int,
        res: _Result,
        raw: str,
        *,
        conditional: bool,
    ) -> Value:
        text: str | None = "".join(res.text) if res.known else None
        if text is not None and TEMPLATE.search(raw) is not None:
            text = None  # a template placeholder: the real value is whatever gets rendered
        segments = list(res.segments)
        return self._store(st, name, name_at, value_at, text, segments, raw, conditional)

    def _store(
        self,
        st: Statement,
        name: str,
        name_at: int,
        value_at: int,
        text: str | None,
        segments: list[tuple[int, int, bool]],
        raw: str,
        conditional: bool,
    ) -> Value:
        """The Value (positions from `segments`, kept), recorded in the environment."""
        positions: Sequence[Location] = ()
        if text and len(text) <= self.budget:
            positions = LazyPositions(lambda: self.positions(st, segments), len(text))
            self.budget -= len(text)
        name_loc = self.loc(st, name_at)
        value = Value(
            name,
            text,
            name_loc,
            self.loc_after(st, name_loc, name_at, value_at),
            positions,
            raw,
            conditional=conditional,
            default=self.defaults,
        )
        self.env.history.setdefault(name, []).append(value)
        if not conditional:
            self.env.values[name] = value
        return value

    def positions(
        self, st: Statement, segments: list[tuple[int, int, bool]]
    ) -> tuple[Location, ...]:
        out: list[Location] = []
        src = self.src
        single = len(st.starts) == 1
        base = st.file_starts[0]
        for at, count, repeated in segments:
            if repeated:
                out += [self.loc(st, at)] * count
            elif single and base + at + count <= st.end:  # the usual case: no cuts, no closers
                out += src.run(base + at, count)
            else:
                for start, n, same in st.file_runs(at, count):
                    out += [src.loc(start)] * n if same else src.run(start, n)
        return tuple(out)

    # --- expansion ------------------------------------------------------------------------

    def expand(
        self, st: Statement, parts: tuple[Part, ...], *, target: str | None, dry: bool
    ) -> _Result:
        """The value of a word. `target`: the variable being assigned (self-reference is not
        SH06); `dry`: inside something not applied (no assignments, no findings)."""
        res = _Result()
        for part in parts:
            if isinstance(part, Lit):
                res.literal(part.text, part.at)
            elif isinstance(part, Param):
                self._param(st, part, res, target, dry)
            else:
                res.known = False
                if not dry:
                    self._opaque(st, part, target)
        return res

    def _opaque(self, st: Statement, part: Opaque, target: str | None) -> None:
        what = _OPAQUE[part.kind]
        shown = clip(st.text[part.at : part.end])
        subject = f"{target} is unknown to rcnet" if target else "the result is unknown"
        if part.kind == "special":
            why = "its value depends on the script that reads the file"
        else:
            why = "rcnet never runs anything from the file"
        quoted = shown if shown.startswith("`") else f"`{shown}`"
        message = f"{what} {quoted} is not evaluated: {why}, so {subject}"
        self.report("SH04", "warning", message, st, part.at, part.end)

    def _param(self, st: Statement, p: Param, res: _Result, target: str | None, dry: bool) -> None:
        value = self.env.values.get(p.name)
        is_set = value is not None
        text = value.text if value is not None else ""
        unknown = value is not None and value.text is None
        op = p.op
        colon = op.startswith(":")
        base = op.lstrip(":")
        if op in ("", "#len"):
            if not is_set:
                self._unset(st, p, target, dry)
            if unknown:
                res.known = False
            elif op == "#len":
                res.expanded(str(len(text or "")), p.at)
            elif text:
                self._expanded(st, p, res, text, dry)
            return
        if base in ("%", "%%", "#", "##"):
            res.known = False
            if not dry:
                self.report(
                    "SH04",
                    "warning",
                    f"pattern removal `{clip(st.text[p.at : p.end])}` is not evaluated by "
                    f"rcnet, so {target or 'the result'} is unknown",
                    st,
                    p.at,
                    p.end,
                )
            return
        if unknown and (colon or base == "?"):
            res.known = False  # whether it is empty is not known
            return
        empty = not is_set or (colon and text == "")
        if base == "?":
            if empty:
                res.known = False
                if not dry:
                    self.report(
                        "SH04",
                        "error",
                        f"`{clip(st.text[p.at : p.end])}`: {p.name} is unset here, so sh "
                        "prints an error and the rc script reading this file exits",
                        st,
                        p.at,
                        p.end,
                    )
            elif text:
                self._expanded(st, p, res, text, dry)
            return
        if base == "+":
            if not empty:
                self._word(st, p, res, target, dry)
            return
        if not empty:  # - and =: the variable's own value
            if unknown:
                res.known = False
            elif text:
                self._expanded(st, p, res, text, dry)
            return
        sub = self._word(st, p, res, target, dry)
        if base == "=" and not dry:
            word = p.word or ()
            start = _first_offset(word, p.end - 1)
            raw = self.raw(st, start, p.end - 1)
            self.record(st, p.name, p.at + 2, start, sub, raw, conditional=False)

    def _expanded(self, st: Statement, p: Param, res: _Result, text: str, dry: bool) -> None:
        """`text` (a variable's value) into `res`, within MAX_VALUE and MAX_WORK (SH09)."""
        if not res.known:
            return  # unknown already: its text is never used
        size = res.size + len(text)
        if size <= MAX_VALUE and len(text) <= self.work:
            self.work -= len(text)
            res.expanded(text, p.at)
            return
        res.known = False
        if dry or self.work < 0:
            return
        shown = clip(st.text[p.at : p.end])
        if size > MAX_VALUE:
            why = f"the value would be longer than {MAX_VALUE:,} characters"
        else:
            why = f"the file's expansions would copy more than {MAX_WORK:,} characters in all"
            self.work = -1  # said once per file; every later expansion is unknown too
        self.report(
            "SH09",
            "error",
            f"`{shown}`: {why} (an expansion bomb?); sh would run out of memory and the rc"
            " script reading this file would fail. rcnet stops expanding here, so the value is"
            " unknown",
            st,
            p.at,
            p.end,
        )

    def _word(
        self, st: Statement, p: Param, res: _Result, target: str | None, dry: bool
    ) -> _Result:
        sub = self.expand(st, p.word or (), target=target, dry=dry)
        res.extend(sub)
        return sub

    def _unset(self, st: Statement, p: Param, target: str | None, dry: bool) -> None:
        # `x="${x} more"` of a never-set x is the usual way to append to a list that the
        # defaults or another file may have started: not worth a finding
        if dry or self.defaults or p.name == target:
            return
        line = self.src.line_col(st.file_offset(p.at))[0]
        self.report(
            "SH06",
            "warning",
            f"${p.name} expands to nothing: {p.name} is not set before line {line} and "
            "rc.conf's defaults do not set it. Check the name, or set it before this line",
            st,
            p.at,
            p.end,
        )


def _first_offset(parts: tuple[Part, ...], default: int) -> int:
    if not parts:
        return default
    first = parts[0]
    return first.at
