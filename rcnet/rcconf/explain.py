"""Findings that say what sh would do with what the reader does not apply.

A command word (a pasted prompt, `sysrc ...`, `NAME = value`, `NAME=a b`, `bad.name=...`),
a Jinja expression, a typographic quote: each gets one finding that names what sh actually
does with it and how to fix it (SH01, SH02, SH03, SH04). Nothing here changes an Environment.
"""

from __future__ import annotations

import re

from rcnet.rcconf.expand import (
    TEMPLATE_MARKS,
    Assignment,
    Expander,
    split_assignment,
)
from rcnet.rcconf.parse import Item, Lit, Word
from rcnet.rcconf.scan import Statement
from rcnet.rcconf.source import TYPOGRAPHIC, clip

_VALID_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_NAME_ISH = re.compile(r"[A-Za-z_][^=\s]*\Z")
_SANITIZE = str.maketrans(".-/+", "____")


def foreign(x: Expander, st: Statement, assigns: list[Assignment], rest: list[Word]) -> None:
    """A command word: say what sh does with it. Nothing here is applied."""
    first = rest[0]
    whole = (assigns[0].name_at if assigns else first.start, rest[-1].end)
    cmdline = clip(st.text[first.start : rest[-1].end])
    if assigns:
        _value_with_blanks(x, st, assigns[-1], rest, whole)
        return
    if bad_name(x, st, first, None):
        return
    name = keyword(first)
    if name is not None and _VALID_NAME.match(name) and len(rest) > 1:
        eq = literal(rest[1])
        if eq is not None and eq.startswith("="):
            _blanks_around(x, st, name, rest)
            return
    if name == "sysrc":
        sets = [st.text[w.start : w.end] for w in rest[1:] if split_assignment(w)]
        instead = f"write {' '.join(sets)} instead" if sets else "remove it"
        message = (
            f"`{cmdline}` runs sysrc every time this file is read (by every rc script, at "
            f"every boot); sysrc edits rc.conf and reads it itself. rcnet does not run it: "
            f"{instead}"
        )
    elif name is not None and "@" in name and ":" in name:
        message = (
            f"`{cmdline}` looks like a pasted shell prompt: sh runs `{name}` as a command, "
            "which fails each time this file is read (the rest of the file still applies). "
            "Delete the line"
        )
    else:
        message = (
            f"sh runs `{cmdline}` as a command each time this file is read (every rc "
            "script reads it); rcnet does not run it, so whatever it does is unknown. "
            "Remove it or move it to an rc.d script"
        )
    x.report("SH04", "warning", message, st, first.start, rest[-1].end)


def _value_with_blanks(
    x: Expander, st: Statement, a: Assignment, rest: list[Word], whole: tuple[int, int]
) -> None:
    command = st.text[rest[0].start : rest[0].end]
    value = st.text[a.start : a.end]
    if not value:
        what = f"blank after `=` in `{a.name}= ...`"
        done = f"sh sets {a.name} to the empty string only for the command `{command}`"
    else:
        what = f"unquoted blank in the value of {a.name}"
        done = f"sh sets {a.name}={value} only for the command `{command}`"
    full = st.text[a.start : rest[-1].end].translate({ord(q): None for q in TYPOGRAPHIC})
    if '"' in full or "\n" in full:
        fix = "Quote the whole value"
    else:
        fix = f'Quote the value: {a.name}="{" ".join(full.split())}"'
    message = f"{what}: {done}, which it tries to run, so {a.name} stays unset. {fix}"
    x.report("SH01", "error", message, st, *whole)


def _blanks_around(x: Expander, st: Statement, name: str, rest: list[Word]) -> None:
    eq = st.text[rest[1].start : rest[1].end]
    tail = rest[2:] if eq == "=" else [rest[1]]
    value = " ".join(st.text[w.start : w.end] for w in tail)
    value = value[1:] if eq != "=" else value
    args = clip(st.text[rest[1].start : rest[-1].end])
    message = (
        f"blanks around `=`: sh runs `{name}` as a command with the arguments `{args}`, "
        f"so {name} is not set. Write {name}={value} (no blanks around =)"
    )
    x.report("SH01", "error", message, st, rest[0].start, rest[-1].end)


def bad_name(x: Expander, st: Statement, word: Word, builtin: str | None) -> bool:
    """SH02 for `bad.name=...`; False when the word is not like that at all."""
    first = word.parts[0]
    if not isinstance(first, Lit) or first.quoted or "=" not in first.text:
        return False
    name = first.text.split("=", 1)[0]
    if not _NAME_ISH.match(name) or _VALID_NAME.match(name):
        return False
    fixed = name.translate(_SANITIZE)
    written = clip(st.text[word.start : word.end])
    if builtin:
        does = f'{builtin} fails with "bad variable name" and the rc script exits'
    else:
        does = f"sh runs `{written}` as a command and sets nothing"
    if _VALID_NAME.match(fixed):
        fix = (
            f"rc looks names up with each of . - / + turned into _: write "
            f"{fixed}={st.text[first.at + len(name) + 1 : word.end]}"
        )
    else:
        fix = "use letters, digits and _ only"
    message = f"`{name}` is not a valid sh variable name: {does}. {fix}"
    x.report("SH02", "error", message, st, first.at, first.at + len(name))
    return True


def template_expression(x: Expander, st: Statement) -> None:
    at = min(i for i in (st.text.find(m) for m in TEMPLATE_MARKS) if i >= 0)
    close = st.text.find("}}" if st.text.startswith("{{", at) else "%}", at)
    end = len(st.text) if close < 0 else close + 2
    x.report(
        "SH04",
        "warning",
        f"Jinja template expression `{clip(st.text[at:end])}`: this file is a template, "
        "not an rc.conf; sh would take it literally or run it as a command, and a value "
        "that holds it is unknown to rcnet. Render the template and check the result",
        st,
        at,
        end,
    )


def typographic(x: Expander, st: Statement, items: list[Item]) -> None:
    """SH03 for the first unquoted typographic quote (word processors put them in)."""
    for item in items:
        for part in item.parts if isinstance(item, Word) else ():
            if isinstance(part, Lit) and not part.quoted:
                k = next((k for k, c in enumerate(part.text) if c in TYPOGRAPHIC), -1)
                if k >= 0:
                    mark = part.text[k]
                    ascii_ = '"' if mark in "\u201c\u201d" else "'"
                    x.report(
                        "SH03",
                        "error",
                        f"typographic quote {mark} is not a shell quote: sh keeps it as an "
                        "ordinary character of the word (and blanks after it split the "
                        f"value). Use {ascii_} instead",
                        st,
                        part.at + k,
                        part.at + k + 1,
                    )
                    return


def literal(item: Item) -> str | None:
    """The text of a word made only of literal parts, else None."""
    if not isinstance(item, Word) or not all(isinstance(p, Lit) for p in item.parts):
        return None
    return "".join(p.text for p in item.parts)  # type: ignore[union-attr]


def keyword(item: Item) -> str | None:
    """The text of an unquoted literal word (reserved words and command names), else None."""
    if not isinstance(item, Word) or len(item.parts) != 1:
        return None
    part = item.parts[0]
    return part.text if isinstance(part, Lit) and not part.quoted else None
