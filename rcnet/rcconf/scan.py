"""The pre-pass: split a file into logical statements, the way sh reads lines.

A statement ends at a newline that is outside quotes, `${...}`, `$(...)` and backticks.
Comments (`#` at the start of a word) and backslash-newlines are removed here, so that the
grammar only ever sees one complete statement. The scanner also finds what makes sh itself
misbehave before any statement runs (SH03): a byte-order mark, CR line ends, an unterminated
quote, and a quote that swallows the lines after it. After an unterminated quote it recovers
by closing the quote at the end of its line, so the rest of the file can still be checked.

Jinja tags (`{% ... %}`, `{# ... #}`) at the start of a statement become template
statements; the evaluator reports them.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from rcnet.findings import Finding
from rcnet.frozen import record
from rcnet.rcconf.source import TYPOGRAPHIC as _TQ
from rcnet.rcconf.source import SourceFile, clip, encoding_findings

# the characters that matter in each context: Normal (top level), Double quotes, Single
# quotes, ${ Expansion, $( Parenthesised command, Backquotes
_SPECIAL = {
    "N": re.compile(r"['\"\\$`#\n]"),
    '"': re.compile(r"[\"\\$`\n]"),
    "'": re.compile(r"['\n]"),
    "E": re.compile(r"[}'\"\\$`\n]"),
    "P": re.compile(r"[()'\"\\$`\n]"),
    "B": re.compile(r"[`\\\n]"),
}
_CLOSER = {'"': '"', "'": "'", "E": "}", "P": ")", "B": "`"}
_WHAT = {
    '"': "double quote",
    "'": "single quote",
    "E": "`${`",
    "P": "`$(`",
    "B": "backquote",
}
_SKIP = re.compile(r"[ \t\n]*")
_WORD_BREAK = " \t;&|()<>"
_LOOKS_LIKE_ASSIGNMENT = re.compile(r"[ \t]*[A-Za-z_][A-Za-z0-9_]*=")
_ASSIGNED_NAME = re.compile(r"[ \t]*(?:(?:export|readonly)[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=")
_TEMPLATE_END = {"{%": "%}", "{#": "#}"}
#: the line most rc.conf statements are, `NAME=value` with nothing that can continue it on
#: the next line (no `$`, backslash or backquote; quotes closed on the line): read in one
#: regex match instead of a search per special character. Trailing blanks belong to the
#: statement, as in the scan; a `#` after them starts a comment.
_ONE_LINE = re.compile(
    r"""[A-Za-z_][A-Za-z0-9_]*=(?:"[^"\\$`\n]*"|'[^'\n]*'|[^ \t\n'"\\$`#])*([ \t]*)"""
)
#: the commonest line of all: a one-line `NAME=value` whose value is its own text (the cases
#: of both _ONE_LINE and expand.LITERAL), with the blank lines before it and its comment and
#: newline after it. The evaluator reads it from the match, without a Statement (rcconf.literal;
#: tests/rcconf/test_literal.py compares both ways). Groups: 1 the name, 2 a double-quoted,
#: 3 a single-quoted, 4 an unquoted value, 5 the blanks after it (the statement's last).
LITERAL_LINE = re.compile(
    r"[ \t\n]*([A-Za-z_][A-Za-z0-9_]*)="
    rf"""(?:"([^"\\$`\n{{{_TQ}]*)"|'([^'\n{{{_TQ}]*)'|([^ \t\n'"\\$`#;&|<>(){{{_TQ}]*))"""
    r"([ \t]*)(?:(?<=[ \t])#[^\n]*)?(?:\n|\Z)"
)
#: in the SH03 message of a file sh cannot parse: rc loads nothing from such a file
UNPARSEABLE = "sh cannot parse this file"
#: after a first unterminated quote (sh has stopped there anyway), a statement still open
#: after this many more lines is taken as unterminated too: scanning each one to the end of
#: the file again would make a file of open quotes quadratic
_AFTER_ERROR_LINES = 50


@record  # one per line: no slots, so that record's quick __init__ can fill its __dict__
class Statement:
    """One logical statement: its text and where each character came from."""

    text: str
    #: logical start offset of each kept piece of the file
    starts: tuple[int, ...]
    #: file offset of each kept piece
    file_starts: tuple[int, ...]
    #: file offsets of the statement's first character and just after its last
    start: int
    end: int
    #: a Jinja tag (`{% ... %}`), not sh
    template: bool = False

    def file_offset(self, off: int) -> int:
        """The file offset of logical offset `off`; closers the scanner added map to `end`."""
        k = 0 if len(self.starts) == 1 else bisect.bisect_right(self.starts, off) - 1
        pos = self.file_starts[k] + off - self.starts[k]
        return min(pos, self.end)

    def file_runs(self, off: int, count: int) -> list[tuple[int, int, bool]]:
        """Where `count` logical characters from `off` are in the file, as runs of
        (file offset, count, repeated): consecutive characters, or (for closers the scanner
        added) `count` characters all at one place. One run unless a backslash-newline was
        cut out in between."""
        runs: list[tuple[int, int, bool]] = []
        single = len(self.starts) == 1
        while count > 0:
            k = 0 if single else bisect.bisect_right(self.starts, off) - 1
            start = self.file_starts[k] + off - self.starts[k]
            room = count if single or k + 1 == len(self.starts) else self.starts[k + 1] - off
            take = max(1, min(count, room))
            inside = max(0, min(take, self.end - start))
            if inside:
                runs.append((start, inside, False))
            if take > inside:
                runs.append((self.end, take - inside, True))
            off += take
            count -= take
        return runs


@dataclass
class _Open:
    """An open quote or expansion: kind, where it was opened, paren depth for `$(`."""

    kind: str
    at: int
    depth: int = 0


@dataclass
class _Result:
    statement: Statement | None
    next: int
    stack: list[_Open] = field(default_factory=list)
    #: the first newline crossed while something was open, and what was open at the bottom
    span: tuple[int, _Open] | None = None
    #: given up before the end of the file (see _AFTER_ERROR_LINES)
    cut_short: bool = False
    findings: list[Finding] = field(default_factory=list)


def scan(src: SourceFile, *, quick: bool = True) -> tuple[list[Statement], list[Finding]]:
    """The logical statements of a file, and the SH03 findings of the scan. `quick=False`
    scans one-line assignments like any other statement (the tests compare the two)."""
    found, findings = _Scanner(src, quick).run()
    return [s if isinstance(s, Statement) else literal_statement(s) for s in found], findings


def scan_literals(
    src: SourceFile, *, quick: bool = True
) -> tuple[list[Statement | re.Match[str]], list[Finding]]:
    """`scan`, but a line LITERAL_LINE matches (with `quick`) stays that match."""
    return _Scanner(src, quick).run()


def literal_statement(m: re.Match[str]) -> Statement:
    """The Statement of a line LITERAL_LINE matched (the one `scan` gives)."""
    start, end = m.start(1), m.end(5)
    return Statement(m.string[start:end], (0,), (start,), start, end)


class _Scanner:
    def __init__(self, src: SourceFile, quick: bool = True) -> None:
        self.src = src
        self.quick = quick
        self.text = src.text
        self.findings: list[Finding] = []
        #: an unterminated quote was found: sh stops there; the rest is best effort
        self.recovered = False

    def run(self) -> tuple[list[Statement | re.Match[str]], list[Finding]]:
        self.findings.extend(encoding_findings(self.src))
        statements: list[Statement | re.Match[str]] = []
        text, n = self.text, len(self.text)
        i = 0
        literal = LITERAL_LINE.match if self.quick else None
        while True:
            if literal is not None:
                line = literal(text, i)
                if line is not None:
                    statements.append(line)
                    i = line.end()
                    continue
            blanks = _SKIP.match(text, i)
            i = blanks.end() if blanks else i
            if i >= n:
                break
            if text.startswith(("{%", "{#"), i):
                stmt, i = self._template(i)
                statements.append(stmt)
                continue
            quick = self._one_line(i, n) if self.quick else None
            if quick is not None:
                statements.append(quick[0])
                i = quick[1]
                continue
            budget = _AFTER_ERROR_LINES if self.recovered else None
            res = self._statement(i, n, force=False, budget=budget)
            if res.stack:
                res = self._recover(i, res)
            self.findings.extend(res.findings)
            if res.statement is not None:
                statements.append(res.statement)
            i = res.next
        return statements, self.findings

    def _one_line(self, i: int, n: int) -> tuple[Statement, int] | None:
        """The statement at i and where the next one starts, when it is a one-line
        assignment (_ONE_LINE); None to scan it character class by character class."""
        text = self.text
        m = _ONE_LINE.match(text, i)
        if m is None:
            return None
        end = m.end()
        if end == n:
            nxt = n
        elif text[end] == "\n":
            nxt = end + 1
        elif text[end] == "#" and m.group(1):  # a comment: to the end of the line
            nl = text.find("\n", end)
            nxt = n if nl < 0 else nl + 1
        else:
            return None
        return Statement(text[i:end], (0,), (i,), i, end), nxt

    def _template(self, i: int) -> tuple[Statement, int]:
        text = self.text
        eol = text.find("\n", i)
        eol = len(text) if eol < 0 else eol
        close = text.find(_TEMPLATE_END[text[i : i + 2]], i + 2)
        end = eol if close < 0 else close + 2
        stmt = Statement(text[i:end], (0,), (i,), i, end, template=True)
        return stmt, end

    def _statement(
        self, start: int, limit: int, *, force: bool, budget: int | None = None
    ) -> _Result:
        """Scan one statement from `start`; with `force`, close whatever is open at `limit`;
        give up (as unterminated) after `budget` lines with something open."""
        text = self.text
        res = _Result(None, limit)
        stack = res.stack
        cuts: list[tuple[int, int]] = []  # kept pieces before the current one
        keep = i = start
        end = limit
        while True:
            top = stack[-1].kind if stack else "N"
            m = _SPECIAL[top].search(text, i, limit)
            if m is None:
                if stack and not force:
                    return res
                break
            j = m.start()
            c = text[j]
            if c == "\n":
                if not stack:
                    end, res.next = j, j + 1
                    break
                if res.span is None:
                    res.span = (j, stack[0])
                if budget is not None and not force:
                    budget -= 1
                    if budget < 0:
                        res.cut_short = True
                        return res
                i = j + 1
            elif c == "\\":
                if j + 1 < limit and text[j + 1] == "\n":
                    if j > keep:
                        cuts.append((keep, j))
                    keep = j + 2
                i = j + 2
            elif c == "#":
                if self._word_start(j, keep, cuts, start):
                    end = j
                    nl = text.find("\n", j, limit)
                    res.next = limit if nl < 0 else nl + 1
                    break
                i = j + 1
            elif c == "$":
                nxt = text[j + 1 : j + 2]
                if nxt == "(":
                    stack.append(_Open("P", j, 1))
                    i = j + 2
                elif nxt == "{":
                    stack.append(_Open("E", j))
                    i = j + 2
                else:
                    i = j + 1
            elif c == "(":
                stack[-1].depth += 1
                i = j + 1
            elif c == ")":
                stack[-1].depth -= 1
                if stack[-1].depth == 0:
                    stack.pop()
                i = j + 1
            elif c == _CLOSER.get(top):
                closed = stack.pop()
                if not stack and closed.kind in "\"'":
                    self._swallowed(closed, j, res)
                i = j + 1
            else:  # an opening quote or backquote
                stack.append(_Open({'"': '"', "'": "'", "`": "B"}[c], j))
                i = j + 1
        tail = "".join(_CLOSER[o.kind] * max(o.depth, 1) for o in reversed(stack))
        if keep < end or not cuts:
            cuts.append((keep, max(keep, end)))
        body = "".join(text[a:b] for a, b in cuts)
        if body.strip(" \t\n"):
            starts, total = [], 0
            for a, b in cuts:
                starts.append(total)
                total += b - a
            res.statement = Statement(
                body + tail, tuple(starts), tuple(a for a, _ in cuts), start, end
            )
        return res

    def _word_start(self, j: int, keep: int, cuts: list[tuple[int, int]], start: int) -> bool:
        """Is `#` at offset j at the start of a word (so that it starts a comment)?"""
        if j > keep:
            prev = self.text[j - 1]
        elif cuts:
            prev = self.text[cuts[-1][1] - 1]
        else:
            return True
        return j == start or prev in _WORD_BREAK

    def _recover(self, start: int, res: _Result) -> _Result:
        """After an unterminated quote: report it, close it at the end of its line, go on."""
        text = self.text
        if res.span is not None:
            cut, bottom = res.span
        else:
            cut, bottom = len(text), res.stack[0]
        line, col = self.src.line_col(bottom.at)
        what = _WHAT[bottom.kind]
        named = _ASSIGNED_NAME.match(text, start, bottom.at)
        subject = f"the value of {named.group(1)}" if named else "the statement"
        if res.span is None:
            swallow = f"{subject} runs on to the end of the file"
        else:
            upto = "" if res.cut_short else " up to the end of the file"
            swallow = (
                f"{subject} runs on past the end of line {line} and swallows the following "
                f"lines{upto}"
            )
        error = '"Unterminated quoted string"' if bottom.kind in "\"'" else "a syntax error"
        message = (
            f"unterminated {what} (line {line}, column {col}): {swallow}; sh stops with "
            f"{error} and every rc script that loads this file exits while loading it, so rc"
            f" configures nothing from this host ({UNPARSEABLE}: rcnet's model is empty)."
            f" rcnet checks the rest as if it were closed at the end of line {line}: add the"
            f" missing {_CLOSER[bottom.kind]}"
        )
        self.findings.append(Finding("SH03", "error", message, self.src.loc(bottom.at)))
        self.recovered = True
        fixed = self._statement(start, cut, force=True)
        fixed.next = min(cut + 1, len(text))
        return fixed

    def _swallowed(self, quote: _Open, close: int, res: _Result) -> None:
        """A multi-line quoted value that swallows assignment-looking lines: a missing quote."""
        text = self.text
        nl = text.find("\n", quote.at, close)
        if nl < 0 or res.findings:  # the first one in a statement is the one to fix
            return
        pos = nl + 1
        while pos <= close:
            eol = text.find("\n", pos, close)
            stop = close if eol < 0 else eol
            if _LOOKS_LIKE_ASSIGNMENT.match(text[pos:stop]):
                break
            if eol < 0:
                return
            pos = eol + 1
        else:
            return
        line, col = self.src.line_col(quote.at)
        swallowed = self.src.line_col(pos)[0]
        close_line, close_col = self.src.line_col(close)
        res.findings.append(
            Finding(
                "SH03",
                "warning",
                f"the {_WHAT[quote.kind]} opened on line {line}, column {col} closes only on "
                f"line {close_line}, column {close_col}: the value swallows line {swallowed} "
                f"(`{clip(text[pos:stop].strip())}`), which looks like an assignment. A "
                f"closing quote is probably missing on line {line}",
                self.src.loc(quote.at),
            )
        )
