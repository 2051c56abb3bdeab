"""One logical statement -> words and operators, with the grammar in grammar/rcconf.lark.

The Lark parser is built once per process and cached on disk (lark's `cache`), in a
directory only this user can write, because the cache is a pickle: a cache file another
user could plant would run code as whoever runs rcnet (often root).

Parts keep offsets into the statement's text, never Locations: turning offsets into
Locations is left to the evaluator, for the few parts that end up in a value.
`propagate_positions` is off on purpose: every part is built from tokens, which carry their
positions anyway, and propagating them to tree nodes costs about 70% more parse time.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rcnet.grammar_path import grammar_file

if TYPE_CHECKING:
    from lark import Lark, Token, Tree
    from lark.exceptions import UnexpectedInput

# lark is imported on first use: most statements take the shortcut (_simple_assignment), and
# importing lark was a third of a cold `rcnet check`


@dataclass(frozen=True, slots=True)
class Lit:
    """Literal text; character k was written at offset `at + k` (a single escaped
    character sits at its backslash). `quoted`: written inside quotes or escaped."""

    text: str
    at: int
    quoted: bool


@dataclass(frozen=True, slots=True)
class Param:
    """`$NAME`, `${NAME}` (op ""), `${NAME<op>word}` or `${#NAME}` (op "#len")."""

    name: str
    op: str
    word: tuple[Part, ...] | None
    at: int
    end: int


@dataclass(frozen=True, slots=True)
class Opaque:
    """Something the reader never evaluates: `$(...)`, `$((...))`, backticks, `$1`, `$@`."""

    kind: str
    at: int
    end: int


Part = Lit | Param | Opaque


@dataclass(frozen=True, slots=True)
class Word:
    """Parts written next to each other, without blanks between them."""

    parts: tuple[Part, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Op:
    """An operator: `;` `&&` `|` `(` `>` ..."""

    text: str
    start: int
    end: int


Item = Word | Op


class ParseError(Exception):
    """A statement the grammar does not accept; `offset` is where it stopped."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def parse_statement(text: str) -> list[Item]:
    """The words and operators of one logical statement (see scan.Statement)."""
    fast = _simple_assignment(text)
    if fast is not None:
        return fast
    return parse_with_grammar(text)


def parse_with_grammar(text: str) -> list[Item]:
    """parse_statement without the shortcut (the tests compare the two)."""
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        pos = getattr(exc, "pos_in_stream", None) or 0
        raise ParseError(_describe(exc, text, pos), pos) from None
    except LarkError as exc:  # pragma: no cover - lark's other errors should not happen
        raise ParseError(str(exc).splitlines()[0], 0) from None
    return _items(tree.children)


def _describe(exc: UnexpectedInput, text: str, pos: int) -> str:
    from lark.exceptions import UnexpectedCharacters

    if isinstance(exc, UnexpectedCharacters):
        return f"unexpected {text[pos : pos + 1]!r}"
    token = getattr(exc, "token", None)
    if token is None or token.type == "$END":
        return "unexpected end of statement"
    return f"unexpected {str(token)[:20]!r}"


# The one statement shape most rc.conf lines have, `NAME=value` with a plain double- or
# single-quoted or unquoted value in which only `$NAME` and `${NAME}` expand, is read here
# without the parser: it takes most of the parse time off a large file. The character
# classes are the grammar's (LIT, DQS, DQ_TEXT, SQ, VAR); a test checks that both give the
# same items.
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_EXP = rf"\$(?:{_NAME}|\{{{_NAME}\}})"
_SIMPLE = re.compile(
    rf"""({_NAME}=)(?:"((?:[^"\\$`]|{_EXP})*)"|'([^']*)'|((?:[^ \t\n'"\\$`;&|<>()]|{_EXP})*))"""
    r"[ \t]*\Z"
)
_EXPANSION = re.compile(rf"\$(?:({_NAME})|\{{({_NAME})\}})")


def _simple_assignment(text: str) -> list[Item] | None:
    m = _SIMPLE.match(text)
    if m is None:
        return None
    head, dq, sq, plain = m.groups()
    if plain is not None:
        return [Word(tuple(_pieces(head + plain, 0, False)), 0, m.end(4))]
    at = len(head) + 1
    inner = dq if dq is not None else sq
    if sq is not None or "$" not in inner:
        return [Word((Lit(head, 0, False), Lit(inner, at, True)), 0, at + len(inner) + 1)]
    parts = [Lit(head, 0, False), *_pieces(inner, at, True)]
    return [Word(tuple(parts), 0, at + len(inner) + 1)]


def _pieces(text: str, base: int, quoted: bool) -> list[Part]:
    """Literal text and `$NAME`/`${NAME}` expansions, as the grammar's tokens split them."""
    parts: list[Part] = []
    pos = 0
    for m in _EXPANSION.finditer(text):
        if m.start() > pos:
            parts.append(Lit(text[pos : m.start()], base + pos, quoted))
        name = m.group(1) or m.group(2)
        parts.append(Param(name, "", None, base + m.start(), base + m.end()))
        pos = m.end()
    if pos < len(text):
        parts.append(Lit(text[pos:], base + pos, quoted))
    return parts


# --- tree -> items ------------------------------------------------------------------------


def _items(children: list[Any]) -> list[Item]:
    from lark import Token

    items: list[Item] = []
    parts: list[Part] = []
    start = end = -1
    for child in children:
        if isinstance(child, Token) and child.type == "OP":
            if parts:
                items.append(Word(tuple(parts), start, end))
                parts = []
            items.append(Op(str(child), child.start_pos, child.end_pos))  # type: ignore[arg-type]
            continue
        c_start, c_end = _span(child)
        if parts and c_start != end:
            items.append(Word(tuple(parts), start, end))
            parts = []
        if not parts:
            start = c_start
        end = c_end
        parts.extend(_part(child))
    if parts:
        items.append(Word(tuple(parts), start, end))
    return items


def _span(node: Token | Tree[Any]) -> tuple[int, int]:
    from lark import Token, Tree

    if isinstance(node, Token):
        return node.start_pos, node.end_pos  # type: ignore[return-value]
    first = node.children[0]
    last = node.children[-1]
    while isinstance(last, Tree):
        last = last.children[-1]
    assert isinstance(first, Token) and isinstance(last, Token)
    return first.start_pos, last.end_pos  # type: ignore[return-value]


def _part(node: Token | Tree[Any]) -> list[Part]:
    from lark import Token

    if isinstance(node, Token):
        return [_token_part(node)]
    kind = node.data[:-2] if node.data[-2:-1] == "_" else node.data
    start, end = _span(node)
    if kind == "dq":
        return [p for child in node.children[1:-1] for p in _part(child)]
    if kind == "param":
        return [_param(node.children, start, end)]
    if kind == "cmdsub":
        arith = len(node.children) > 1 and getattr(node.children[1], "type", "") == "LPAR"
        return [Opaque("arith" if arith else "cmdsub", start, end)]
    if kind == "backq":
        return [Opaque("backquote", start, end)]
    raise AssertionError(f"unexpected node {node.data}")  # pragma: no cover


def _token_part(tok: Token) -> Part:
    text = str(tok)
    at: int = tok.start_pos  # type: ignore[assignment]
    kind = tok.type
    if kind in ("LIT", "PW_TEXT"):
        return Lit(text, at, False)
    if kind == "DQ_TEXT":
        return Lit(text, at, True)
    if kind in ("SQ", "DQS"):
        return Lit(text[1:-1], at + 1, True)
    if kind in ("ESC", "DQ_ESC"):
        # a lone backslash at the very end of the input stays a backslash
        return Lit(text[1:] or "\\", at, True)
    if kind == "DQ_BS":
        return Lit("\\", at, True)
    if kind == "DOLLAR":
        return Lit("$", at, False)
    if kind == "VAR":
        return Param(text[1:], "", None, at, tok.end_pos)  # type: ignore[arg-type]
    if kind == "SPECIAL":
        return Opaque("special", at, tok.end_pos)  # type: ignore[arg-type]
    raise AssertionError(f"unexpected token {kind}")  # pragma: no cover


def _param(children: list[Any], start: int, end: int) -> Part:
    from lark import Tree

    name = ""
    op = ""
    word: tuple[Part, ...] | None = None
    for child in children[1:-1]:
        if isinstance(child, Tree):  # pword
            word = tuple(p for c in child.children for p in _part(c))
        elif child.type == "PNAME":
            name = str(child)
        elif child.type == "PLEN":
            op = "#len"
        else:  # POP
            op = str(child)
            word = ()
    if not name[:1].isalpha() and name[:1] != "_":
        return Opaque("special", start, end)
    return Param(name, op, word, start, end)


# --- the parser, built once ---------------------------------------------------------------


@cache
def _parser() -> Lark:
    from lark import Lark

    path = grammar_file("rcconf.lark")
    options: dict[str, Any] = {
        "parser": "lalr",
        "lexer": "contextual",
        "propagate_positions": False,
        "maybe_placeholders": False,
    }
    cache_file = _cache_file()
    if cache_file is not None:
        options["cache"] = str(cache_file)
    return Lark(path.read_text(encoding="utf-8"), **options)


def _cache_file() -> Path | None:
    """A cache path in a directory that only the current user can write, or None."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "rcnet"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.stat()
    except OSError:
        return None
    if st.st_uid != os.geteuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    import lark

    return folder / f"rcconf-lark{lark.__version__}.cache"
