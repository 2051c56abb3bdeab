"""The shapes the evaluator skips: compound commands, command lists and their messages.

`evaluate` applies a file's statements; what it does not run (conditionals, loops, functions,
subshells, Jinja blocks) is an open Frame until its closer, and the statement is cut into
commands at the list operators. This module holds those shapes and the words of their SH04
findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from rcnet.findings import Location
from rcnet.rcconf.parse import Item, Op

OPENERS = {"if": "fi", "case": "esac", "for": "done", "while": "done", "until": "done"}
MIDDLES = {"then", "else", "elif", "do", "!"}
CLOSERS = {"fi", "esac", "done", "}"}
SEPARATORS = {";", ";;", "&", "&&", "||", "|"}
REDIRECTS = {">", "<", ">>", "<<", "<<-", "<&", ">&", "<>", ">|"}
JINJA_TAG = re.compile(r"\{[%#]-?\s*(\w*)")
JINJA_OPEN = {"if", "for", "macro", "call", "filter", "block", "raw", "with", "set"}
JINJA_MIDDLE = {"elif", "else"}


@dataclass
class Frame:
    """An open compound command (or Jinja block) that is skipped, not run."""

    kind: str
    closer: str
    label: str
    loc: Location
    length: int
    assigned: list[str] = field(default_factory=list)
    #: a function definition still waiting for its body
    pending: bool = False


@dataclass
class Command:
    items: list[Item]
    before: str
    after: str


def commands(items: list[Item]) -> Iterator[Command]:
    """Split at ; && || | & (keeping which separator was on each side)."""
    current: list[Item] = []
    before = ""
    for item in items:
        if isinstance(item, Op) and item.text in SEPARATORS:
            yield Command(current, before, item.text)
            current, before = [], item.text
        else:
            current.append(item)
    if current or before:
        yield Command(current, before, "")


def is_op(items: list[Item], text: str) -> bool:
    return bool(items) and isinstance(items[0], Op) and items[0].text == text


def closes(frame: Frame, closer: str) -> bool:
    return frame.kind != "jinja" and not frame.pending and frame.closer == closer


def conditional(names: list[str]) -> str:
    if not names:
        return "Nothing is assigned inside."
    return "Conditional, not applied: " + ", ".join(names) + "."


def skipped(frame: Frame, lines: str, names: list[str]) -> str:
    if frame.kind == "jinja":
        head = (
            f"{frame.label} ({lines}): this file is a template, not an rc.conf; render it "
            "and check the result. rcnet skips template blocks. "
        )
    else:
        head = (
            f"{frame.label} ({lines}) is not evaluated: rcnet never runs conditionals, loops "
            "or functions. "
        )
    return head + conditional(names)
