"""Apply a file's statements to an Environment, in order, the way sh would source it.

Evaluated: `NAME=WORD` (several per line), `export`/`readonly` prefixes, `unset NAME...`,
`: ${NAME:=w}`. Skipped with a finding that says what sh would do, never run:
- `if/case/for/while/until`, `{...}`, `(...)` and function definitions, up to their end;
  assignments inside are recorded in `Environment.history` as conditional, not applied (SH04);
- commands chained with `&&`, `||`, `|`, `&` (conditional or run in a subshell);
- any other command: a pasted prompt, `sysrc ...`, `NAME = value` (SH01), `NAME=a b` (SH01),
  `if_name.101=...` (SH02), `. file` includes (SH04), Jinja tags and `{{ }}` (SH04).
"""

from __future__ import annotations

import re

from rcnet.findings import Finding
from rcnet.rcconf.env import Environment, Value
from rcnet.rcconf.expand import LITERAL, TEMPLATE, Assignment, Expander, split_assignment
from rcnet.rcconf.explain import bad_name, foreign, keyword, template_expression, typographic
from rcnet.rcconf.frames import (
    CLOSERS,
    JINJA_MIDDLE,
    JINJA_OPEN,
    JINJA_TAG,
    MIDDLES,
    OPENERS,
    REDIRECTS,
    Command,
    Frame,
    closes,
    commands,
    conditional,
    is_op,
    skipped,
)
from rcnet.rcconf.literal import assign_line
from rcnet.rcconf.parse import Item, Op, ParseError, Word, parse_statement
from rcnet.rcconf.scan import Statement, literal_statement, scan_literals
from rcnet.rcconf.source import TYPOGRAPHIC, SourceFile, clip

_TYPOGRAPHIC = re.compile(f"[{TYPOGRAPHIC}]")


def evaluate_file(
    src: SourceFile,
    env: Environment,
    findings: list[Finding],
    *,
    defaults: bool = False,
    quick: bool = True,
) -> None:
    """Apply one file to `env`, adding the reader's findings to `findings`. `quick=False`
    reads a literal `NAME=value` the long way too (the tests compare both)."""
    _FileEvaluator(src, env, findings, defaults=defaults, quick=quick).run()


class _FileEvaluator:
    def __init__(
        self,
        src: SourceFile,
        env: Environment,
        findings: list[Finding],
        *,
        defaults: bool,
        quick: bool = True,
    ) -> None:
        self.src = src
        self.quick = quick
        self.env = env
        self.findings = findings
        self.x = Expander(env, src, findings, defaults=defaults)
        self.frames: list[Frame] = []
        #: the current statement holds `{{`/`{%`: the template finding says it all
        self.templated = False

    def run(self) -> None:
        statements, found = scan_literals(self.src, quick=self.quick)
        self.findings.extend(found)
        for st in statements:
            if not isinstance(st, Statement):  # a literal `NAME=value` line (rcconf.literal)
                if self.frames:
                    self._statement(literal_statement(st))
                else:
                    self.templated = False
                    assign_line(self.x, st)
            elif st.template:
                self._jinja(st)
            else:
                self._statement(st)
        for frame in reversed(self.frames[1:]):
            self.frames[0].assigned.extend(frame.assigned)
        if self.frames:
            self._unclosed(self.frames[0])
            self.frames.clear()

    # --- statements and compound commands ---------------------------------------------------

    def _statement(self, st: Statement) -> None:
        try:
            self._parsed_statement(st)
        except RecursionError:  # `${a:-${b:-${c:-...}}}` nested thousands deep
            self.x.report(
                "SH04",
                "warning",
                f"`{clip(st.text)}` is nested too deeply for rcnet to read; it is skipped",
                st,
                0,
                len(st.text),
            )

    def _parsed_statement(self, st: Statement) -> None:
        if self.quick and not self.frames:
            literal = LITERAL.match(st.text)
            if literal is not None:  # most lines: what the rest of this method would do
                self.templated = False
                self.x.assign_literal(st, literal)
                return
        try:
            items = parse_statement(st.text)
        except ParseError as exc:
            shown = clip(st.text)
            self.x.report(
                "SH04",
                "warning",
                f"rcnet cannot read `{shown}` as sh ({exc}); it is skipped. Check it with sh -n",
                st,
                exc.offset,
                exc.offset + 1,
            )
            return
        self.templated = TEMPLATE.search(st.text) is not None
        if self.templated:
            template_expression(self.x, st)
        if _TYPOGRAPHIC.search(st.text) is not None:
            typographic(self.x, st, items)
        if not self.frames and len(items) == 1 and isinstance(items[0], Word):
            # one word: an assignment is applied as it is (what _command and _simple would
            # conclude for it, without their search for keywords, operators and chains)
            a = split_assignment(items[0])
            if a is not None:
                self.x.assign(st, a, conditional=False)
                return
        for cmd in commands(items):
            self._command(st, cmd)

    def _command(self, st: Statement, cmd: Command) -> None:
        items = cmd.items
        i = 0
        while i < len(items):
            item = items[i]
            if isinstance(item, Op):
                if item.text == "(":
                    self._open(st, "(", ")", "`(`", item.start, item.end)
                elif item.text == ")":
                    self._close(st, ")", item)
                else:
                    break
                i += 1
                continue
            word = keyword(item)
            nxt = items[i + 1 : i + 3]
            if word in OPENERS:
                self._open(st, word, OPENERS[word], f"`{word}`", item.start, item.end)
                if word in ("for", "case"):
                    return  # `for x in a b`, `case $x in`: the rest is not a command
                i += 1
            elif word == "{":
                self._open(st, "{", "}", "`{`", item.start, item.end)
                i += 1
            elif word in MIDDLES:
                i += 1
            elif word in CLOSERS:
                self._close(st, word, item)
                i += 1
            elif word is not None and [getattr(n, "text", "") for n in nxt] == ["(", ")"]:
                self._open(st, "function", "}", f"function `{word}`", item.start, item.end)
                self.frames[-1].pending = True
                i += 3
            elif self.frames and self.frames[-1].kind == "case" and is_op(nxt[:1], ")"):
                i += 2  # a case pattern `pat)`
            else:
                break
        rest = items[i:]
        close = next((k for k, it in enumerate(rest) if is_op([it], ")")), None)
        if close is not None and close > 0 and any(closes(f, ")") for f in self.frames):
            # `( a=1 )`: the command ends at the `)` that closes the subshell
            self._simple(st, rest[:close], Command(rest[:close], cmd.before, ""))
            self._command(st, Command(rest[close:], "", cmd.after))
        elif rest:
            self._simple(st, rest, cmd)

    def _open(self, st: Statement, kind: str, closer: str, label: str, a: int, b: int) -> None:
        top = self.frames[-1] if self.frames else None
        if top is not None and top.pending and kind in ("{", "("):
            top.pending = False  # the function's body
            top.closer = closer
            return
        loc = self.x.loc(st, a)
        self.frames.append(Frame(kind, closer, label, loc, max(1, b - a)))

    def _close(self, st: Statement, closer: str, item: Item) -> None:
        match = next(
            (k for k in range(len(self.frames) - 1, -1, -1) if closes(self.frames[k], closer)),
            None,
        )
        if match is None:
            self.x.report(
                "SH04",
                "error",
                f"`{closer}` without a matching opener: sh stops with a syntax error here and "
                "the rc script reading this file exits",
                st,
                item.start,
                item.end,
            )
            return
        self._pop_to(match, self.x.loc(st, item.start).line)

    def _pop_to(self, index: int, end_line: int) -> None:
        closed = self.frames[index:]
        del self.frames[index:]
        names = [n for f in closed for n in f.assigned]
        if self.frames:
            self.frames[0].assigned.extend(names)
            return
        frame = closed[0]
        lines = (
            f"lines {frame.loc.line}-{end_line}"
            if end_line > frame.loc.line
            else (f"line {end_line}")
        )
        self.findings.append(
            Finding("SH04", "warning", skipped(frame, lines, names), frame.loc, frame.length)
        )

    def _unclosed(self, frame: Frame) -> None:
        if frame.kind == "jinja":
            message = skipped(frame, f"from line {frame.loc.line}", frame.assigned)
            message += "; it is never closed before the end of the file"
            self.findings.append(Finding("SH04", "warning", message, frame.loc, frame.length))
            return
        closer = "the function's body" if frame.kind == "function" else f"`{frame.closer}`"
        message = (
            f"{frame.label} on line {frame.loc.line} is never closed with {closer}: sh stops "
            "with a syntax error at the end of the file and the rc script reading it exits. "
            + conditional(frame.assigned)
        )
        self.findings.append(Finding("SH04", "error", message, frame.loc, frame.length))

    # --- Jinja -------------------------------------------------------------------------------

    def _jinja(self, st: Statement) -> None:
        m = JINJA_TAG.match(st.text)
        keyword = m.group(1) if m else ""
        shown = clip(st.text)
        if (
            st.text.startswith("{%")
            and keyword in JINJA_OPEN
            and not (keyword == "set" and "=" in st.text)
        ):
            loc = self.x.loc(st, 0)
            label = f"Jinja template block `{shown}`"
            self.frames.append(Frame("jinja", "end" + keyword, label, loc, len(st.text)))
            return
        if keyword.startswith("end") and any(f.kind == "jinja" for f in self.frames):
            k = max(k for k, f in enumerate(self.frames) if f.kind == "jinja")
            self._pop_to(k, self.x.loc(st, 0).line)
            return
        if keyword in JINJA_MIDDLE and any(f.kind == "jinja" for f in self.frames):
            return
        what = "comment" if st.text.startswith("{#") else "tag"
        self.x.report(
            "SH04",
            "warning",
            f"Jinja template {what} `{shown}`: this file is a template, not an rc.conf "
            "(sh would run it as a command). Render the template and check the result",
            st,
            0,
            len(st.text),
        )

    # --- simple commands ----------------------------------------------------------------------

    def _simple(self, st: Statement, items: list[Item], cmd: Command) -> None:
        words: list[Word] = []
        redirects: list[tuple[int, int]] = []
        k = 0
        while k < len(items):
            item = items[k]
            if isinstance(item, Word):
                words.append(item)
            elif item.text in REDIRECTS:
                target = items[k + 1] if k + 1 < len(items) else None
                end = target.end if isinstance(target, Word) else item.end
                redirects.append((item.start, end))
                k += 1 if isinstance(target, Word) else 0
            elif self.templated:
                return
            else:
                self.x.report(
                    "SH04",
                    "error",
                    f"syntax error: unexpected `{item.text}`: sh stops reading the file here "
                    "and the rc script reading it exits",
                    st,
                    item.start,
                    item.end,
                )
                return
            k += 1
        pending = bool(self.frames) and self.frames[-1].pending
        chained = cmd.before in ("&&", "||", "|") or cmd.after in ("|", "&")
        conditional = bool(self.frames) or chained
        assigns: list[Assignment] = []
        for word in words:
            a = split_assignment(word)
            if a is None:
                break
            assigns.append(a)
        rest = words[len(assigns) :]
        name = keyword(rest[0]) if rest else None
        if rest and name not in ("export", "readonly", ":", "unset", ".", "source"):
            if not conditional and not self.templated:
                foreign(self.x, st, assigns, rest)
            assigns = []  # sh applies them only to that command's environment
        done = [self.x.assign(st, a, conditional=conditional) for a in assigns]
        if name in ("export", "readonly"):
            done += self._export(st, rest[1:], conditional)
        elif name == "unset" and not conditional:
            self._unset(rest[1:])
        elif name == ":":
            for word in rest[1:]:
                self.x.expand(st, word.parts, target=None, dry=conditional)
        elif name in (".", "source"):
            self._include(st, rest, conditional)
        if redirects and not conditional:
            r_start, r_end = redirects[0]
            self.x.report(
                "SH04",
                "warning",
                f"redirection `{clip(st.text[r_start:r_end])}`: sh would open that file each "
                "time this file is read; rcnet does not",
                st,
                r_start,
                r_end,
            )
        names = [f"{v.name} (line {v.loc.line})" for v in done]
        if self.frames:
            self.frames[0].assigned.extend(names)
            if pending:
                self.frames[-1].pending = False
                self._pop_to(len(self.frames) - 1, self.x.loc(st, items[-1].end - 1).line)
        elif chained:
            self._chained(st, cmd, items, names)

    def _export(self, st: Statement, args: list[Word], conditional: bool) -> list[Value]:
        done = []
        for word in args:
            a = split_assignment(word)
            if a is not None:
                done.append(self.x.assign(st, a, conditional=conditional))
            elif not conditional:
                bad_name(self.x, st, word, "export")
        return done

    def _unset(self, args: list[Word]) -> None:
        for word in args:
            name = keyword(word)
            if name == "-f":
                return
            if name is not None:
                self.env.values.pop(name, None)

    def _include(self, st: Statement, rest: list[Word], conditional: bool) -> None:
        if conditional:
            return
        path = next((w for w in rest[1:] if not st.text[w.start : w.end].startswith("-")), None)
        shown = st.text[path.start : path.end] if path else ""
        self.x.report(
            "SH04",
            "warning",
            f"`{clip(st.text[rest[0].start : rest[-1].end])}` includes {shown or 'a file'}: "
            "rcnet does not follow includes, so what it sets is unknown to rcnet. Put those "
            "settings in rc.conf, rc.conf.local or a file of rc_conf_files",
            st,
            rest[0].start,
            rest[-1].end,
        )

    def _chained(self, st: Statement, cmd: Command, items: list[Item], names: list[str]) -> None:
        if cmd.before in ("&&", "||"):
            why = f"runs only depending on the command before `{cmd.before}`"
        elif cmd.after == "&":
            why = "runs in the background, in a subshell"
        else:
            why = "is part of a pipeline, so it runs in a subshell"
        text = clip(st.text[items[0].start : items[-1].end])
        message = f"`{text}` {why}: rcnet does not run it. " + conditional(names)
        self.x.report("SH04", "warning", message, st, items[0].start, items[-1].end)
