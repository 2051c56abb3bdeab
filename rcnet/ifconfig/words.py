"""Words of an rc.conf value as rc hands them to ifconfig, each with its offsets.

rc treats `ifconfig_<if>` in three steps (network.subr `ifconfig_getargs`, `ifconfig_up`):
1. the value is field-split on blanks (quotes inside it are ordinary characters here),
2. the pseudo-keywords DHCP, SYNCDHCP, NOSYNCDHCP, NOAUTO, WPA, HOSTAP (any case) and
   `vnet <jail>` are dropped and the rest re-joined with single spaces,
3. the result goes through `eval ifconfig <if> ...`, so quotes are honoured now
   (`description 'uplink port'` is one word) and `; | & > <`, backticks and `$(` are shell.

Every Word keeps, per character, its offset in `Value.text`, so a finding can point at
the exact character with `Value.at`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rcnet.findings import Finding, Location, Severity
from rcnet.frozen import record
from rcnet.rcconf.env import Value

BLANKS = " \t\n"

#: rc's pseudo-keywords, matched case-insensitively on the field-split words
PSEUDO_KEYWORDS = ("DHCP", "SYNCDHCP", "NOSYNCDHCP", "NOAUTO", "WPA", "HOSTAP")

_CONTROL = ";|&<>()"
#: what metachar_findings looks for: a control character, a backquote or `$(`
_METACHAR = re.compile(r"[;|&<>()`]|\$\(")
_NAME_START = re.compile(r"[A-Za-z_{]")
_FIELD = re.compile(r"[^ \t\n]+")


@record
class Word:
    """One word and where each of its characters was written in `source.text`."""

    text: str
    #: offset in the value's text where the word starts as written (an opening quote included)
    start: int
    #: offset just after the word as written
    end: int
    #: for each character of `text`, its offset in the value's text
    offsets: tuple[int, ...] = ()
    #: the value the word was read from (None for words rcnet made up)
    source: Value | None = field(default=None, compare=False, repr=False)

    @property
    def length(self) -> int:
        return max(1, self.end - self.start)

    def loc(self) -> Location | None:
        return self.source.at(self.start) if self.source is not None else None

    def loc_of(self, index: int) -> Location | None:
        """Where character `index` of this word was written."""
        if self.source is None:
            return None
        if 0 <= index < len(self.offsets):
            return self.source.at(self.offsets[index])
        return self.source.at(self.start)

    def derive(self, text: str) -> Word:
        """A word rc made from this one (a range member, a prepended keyword): same place."""
        return replace(self, text=text, offsets=())


def finding(
    code: str, severity: Severity, message: str, word: Word | None, length: int | None = None
) -> Finding:
    """A finding at a word (underlining all of it unless told otherwise)."""
    if word is None:
        return Finding(code, severity, message)
    return Finding(code, severity, message, word.loc(), length or word.length)


def split_fields(text: str, source: Value | None = None, base: int = 0) -> list[Word]:
    """Field splitting of an unquoted expansion: runs of blanks separate words."""
    words: list[Word] = []
    for m in _FIELD.finditer(text):
        start, end = m.span()
        start += base
        end += base
        words.append(Word(m.group(), start, end, tuple(range(start, end)), source))
    return words


@record
class Pseudo:
    """A pseudo-keyword rc removed before calling ifconfig."""

    #: upper-case name: DHCP, SYNCDHCP, NOSYNCDHCP, NOAUTO, WPA, HOSTAP or VNET
    name: str
    word: Word
    #: the jail after `vnet`
    arg: Word | None = None


def strip_pseudo(words: list[Word]) -> tuple[list[Word], list[Pseudo]]:
    """Remove the pseudo-keywords exactly as `ifconfig_getargs` does."""
    kept: list[Word] = []
    pseudo: list[Pseudo] = []
    vnet: Word | None = None
    for w in words:
        if vnet is not None:
            pseudo.append(Pseudo("VNET", vnet, w))
            vnet = None
        elif w.text.upper() in PSEUDO_KEYWORDS:
            pseudo.append(Pseudo(w.text.upper(), w))
        elif w.text == "vnet":  # only the lower-case word, as rc's case pattern says
            vnet = w
        else:
            kept.append(w)
    if vnet is not None:
        pseudo.append(Pseudo("VNET", vnet))
    return kept, pseudo


@record
class Split:
    """The words ifconfig receives after eval, and what eval would do besides."""

    words: tuple[Word, ...]
    findings: tuple[Finding, ...] = ()
    #: eval stopped early (a control operator, an unterminated quote): words are a prefix
    truncated: bool = False


@dataclass
class _Char:
    ch: str
    offset: int
    source: Value | None


def _stream(words: list[Word]) -> list[_Char]:
    """`echo $_args` re-joins the fields with single spaces; keep each char's origin."""
    out: list[_Char] = []
    for n, w in enumerate(words):
        if n:
            out.append(_Char(" ", w.start, w.source))
        offs = w.offsets or tuple(w.start for _ in w.text)
        out.extend(_Char(c, o, w.source) for c, o in zip(w.text, offs, strict=False))
    return out


class _EvalScanner:
    """sh's tokenizer for one simple command, reduced to what an eval'ed value can hold."""

    def __init__(self, chars: list[_Char], var: str) -> None:
        self.chars = chars
        self.var = var
        self.i = 0
        self.words: list[Word] = []
        self.findings: list[Finding] = []
        self.truncated = False
        self._text: list[str] = []
        self._offs: list[int] = []
        self._start: _Char | None = None
        self._end = 0

    def _flag(self, code: str, severity: Severity, message: str, c: _Char, length: int = 1) -> None:
        at = Word(c.ch, c.offset, c.offset + length, (), c.source)
        self.findings.append(finding(code, severity, message, at))

    def _touch(self, c: _Char) -> None:
        """c belongs to the current word as written (a quote, an escape or a character)."""
        if self._start is None:
            self._start = c
        self._end = c.offset + 1

    def _add(self, c: _Char) -> None:
        self._touch(c)
        self._text.append(c.ch)
        self._offs.append(c.offset)

    def _flush(self) -> None:
        if self._start is not None:
            s = self._start
            word = Word("".join(self._text), s.offset, self._end, tuple(self._offs), s.source)
            self.words.append(word)
        self._text, self._offs, self._start = [], [], None

    def _next(self) -> str:
        return self.chars[self.i + 1].ch if self.i + 1 < len(self.chars) else ""

    def _dollar(self, c: _Char) -> None:
        nxt = self._next()
        if nxt == "(":
            self._flag(
                "SH07",
                "error",
                f"`$(` in {self.var}: rc evals this value, so the command substitution would"
                " run at boot; remove it or put the text in single quotes",
                c,
                2,
            )
        elif _NAME_START.match(nxt):
            self._flag(
                "SH07",
                "warning",
                f"`$` in {self.var}: rc evals this value, so `$` expands a second time at boot"
                " (usually to nothing); escape it as `\\$` or use single quotes",
                c,
            )

    def _substitution(self) -> None:
        """Take `$(...)` into the word: it would run, so its output is unknown anyway."""
        depth = 0
        while self.i < len(self.chars):
            c = self.chars[self.i]
            self._add(c)
            depth += {"(": 1, ")": -1}.get(c.ch, 0)
            if depth == 0 and c.ch == ")":
                return
            self.i += 1
        self.i -= 1

    def _plain(self, c: _Char) -> None:
        if c.ch == "$" and self._next() == "(":
            self._dollar(c)
            self._substitution()
            return
        if c.ch == "$":
            self._dollar(c)
        elif c.ch == "`":
            self._flag(
                "SH07",
                "error",
                f"backtick in {self.var}: rc evals this value, so the command would run at"
                " boot; remove it",
                c,
            )
        self._add(c)

    def _quoted(self, quote: str) -> bool:
        """Consume a quoted part starting at self.i; False when it is not closed."""
        self._touch(self.chars[self.i])
        self.i += 1
        while self.i < len(self.chars):
            c = self.chars[self.i]
            if c.ch == quote:
                self._touch(c)
                return True
            if quote == '"' and c.ch == "\\" and self._next() and self._next() in '$`"\\\n':
                self._touch(c)
                self.i += 1
                self._add(self.chars[self.i])
            elif quote == '"':
                self._plain(c)
            else:
                self._add(c)
            self.i += 1
        return False

    def _unterminated(self, c: _Char) -> None:
        self._flag(
            "SH07",
            "error",
            f"unterminated {c.ch} in {self.var}: rc's eval fails with a syntax error and this"
            " ifconfig call does not run; close the quote",
            c,
        )
        self.truncated = True
        self.words.clear()
        self._text, self._offs, self._start = [], [], None

    def run(self) -> None:
        while self.i < len(self.chars):
            c = self.chars[self.i]
            if c.ch == " ":
                self._flush()
            elif c.ch == "#" and self._start is None:
                break  # eval sees a comment: the rest of the value is ignored
            elif c.ch in "'\"":
                if not self._quoted(c.ch):
                    self._unterminated(c)
                    return
            elif c.ch == "\\":
                self._touch(c)
                if self._next():
                    self.i += 1
                    self._add(self.chars[self.i])
            elif c.ch in _CONTROL:
                self._flag(
                    "SH07",
                    "error",
                    f"`{c.ch}` in {self.var}: rc evals this value, so it is shell syntax at boot"
                    " and ifconfig gets only the words before it; remove it or quote it",
                    c,
                )
                self.truncated = True
                break
            else:
                self._plain(c)
            self.i += 1
        self._flush()


def eval_split(words: list[Word], var: str) -> Split:
    """The words `eval ifconfig <if> $args` passes to ifconfig (`var` names the variable)."""
    scanner = _EvalScanner(_stream(words), var)
    scanner.run()
    return Split(tuple(scanner.words), tuple(scanner.findings), scanner.truncated)


def metachar_findings(words: list[Word], var: str) -> list[Finding]:
    """SH07 for values rc does not eval directly but may (alias values: ifalias_af_common
    evals every segment but the last). No quote handling: the words are used as split."""
    out: list[Finding] = []
    for w in words:
        if _METACHAR.search(w.text) is None:
            continue  # most words: one regex scan instead of a test per character
        for n, ch in enumerate(w.text):
            if ch in _CONTROL or ch == "`" or w.text[n : n + 2] == "$(":
                out.append(
                    Finding(
                        "SH07",
                        "error",
                        f"`{ch}` in {var}: rc passes alias words through eval, so it is shell"
                        " syntax at boot; remove it",
                        w.loc_of(n),
                    )
                )
                break
    return out
