"""The grammar and the statement scanner: words, operators, statements, and where they are."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rcnet import grammar_path
from rcnet.rcconf import parse
from rcnet.rcconf.parse import Lit, Op, Opaque, Param, ParseError, Word, parse_statement
from rcnet.rcconf.scan import scan
from rcnet.rcconf.source import SourceFile


def words(text: str) -> list[str]:
    return [text[i.start : i.end] for i in parse_statement(text)]


def test_blanks_separate_words_and_operators_stand_alone() -> None:
    assert words("a=1  b='x y'\tc=\"p q\";d=2&&e") == [
        "a=1",
        "b='x y'",
        'c="p q"',
        ";",
        "d=2",
        "&&",
        "e",
    ]
    assert words("f() { a=1; }") == ["f", "(", ")", "{", "a=1", ";", "}"]
    assert words("x=1 >>/tmp/f 2>&1") == ["x=1", ">>", "/tmp/f", "2", ">&", "1"]


def test_parts_of_a_word() -> None:
    (word,) = parse_statement("a=x'y'\"z$v${w:-d}\\$\"\\ `c`$(d)$((1))$1$")
    assert isinstance(word, Word)
    kinds = [
        (type(p).__name__, getattr(p, "text", getattr(p, "name", getattr(p, "kind", ""))))
        for p in word.parts
    ]
    assert kinds == [
        ("Lit", "a=x"),
        ("Lit", "y"),
        ("Lit", "z"),
        ("Param", "v"),
        ("Param", "w"),
        ("Lit", "$"),
        ("Lit", " "),
        ("Opaque", "backquote"),
        ("Opaque", "cmdsub"),
        ("Opaque", "arith"),
        ("Opaque", "special"),
        ("Lit", "$"),
    ]
    param = word.parts[4]
    assert isinstance(param, Param) and param.op == ":-"
    assert param.word == (Lit("d", 15, False),)


def test_nested_quotes_inside_expansions() -> None:
    (word,) = parse_statement('a="${x:-"q r"}"$(echo "a)" \'b(\')')
    assert isinstance(word, Word)
    param, cmdsub = word.parts[1], word.parts[2]
    assert isinstance(param, Param) and param.word == (Lit("q r", 9, True),)
    assert isinstance(cmdsub, Opaque) and cmdsub.kind == "cmdsub"
    assert cmdsub.end == len('a="${x:-"q r"}"$(echo "a)" \'b(\')')


@pytest.mark.parametrize("text", ["a=${}", "a=${x y}", "${#x y}"])
def test_statements_the_grammar_rejects(text: str) -> None:
    with pytest.raises(ParseError):
        parse_statement(text)


# The shortcut for `NAME="plain $x ${y}"` must give what the grammar gives.
_name = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
_expansion = st.one_of(_name.map(lambda n: "$" + n), _name.map(lambda n: "${" + n + "}"))


def _mixed(chars: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    piece = st.one_of(st.text(chars, max_size=6), _expansion)
    return st.lists(piece, max_size=5).map("".join)


_in_quotes = st.characters(blacklist_characters="\"'\\$`\n", codec="utf-8")
_unquoted = st.characters(blacklist_characters=" \t\n'\"\\$`;&|<>()", codec="utf-8")


@settings(deadline=None, max_examples=400)
@given(
    _name,
    st.one_of(
        _mixed(_in_quotes).map(lambda s: f'"{s}"'),
        st.text(_in_quotes, max_size=12).map(lambda s: f"'{s}'"),
        _mixed(_unquoted),
    ),
    st.sampled_from(["", " ", "\t  "]),
)
def test_shortcut_matches_the_grammar(name: str, value: str, tail: str) -> None:
    text = f"{name}={value}{tail}"
    assert parse._simple_assignment(text) is not None
    assert parse.parse_statement(text) == parse.parse_with_grammar(text)


def test_shortcut_leaves_everything_else_to_the_grammar() -> None:
    for text in ['a="$1"', "a=b c", 'a="x\\$"', "a=$(x)", 'a="${b:-c}"', "a=1;", "f=a'b'"]:
        assert parse._simple_assignment(text) is None, text


def test_statements_of_a_file() -> None:
    src = SourceFile(
        "f",
        "a=1 # c\n\n   b='x\ny' c=\"$(echo \\\nz)\"\nd=one\\\ntwo\n{% if x %}e=1\n",
    )
    statements, found = scan(src)
    assert found == []
    assert [s.text for s in statements] == [
        "a=1 ",
        "b='x\ny' c=\"$(echo z)\"",
        "d=onetwo",
        "{% if x %}",
        "e=1",
    ]
    d = statements[2]
    assert [d.file_offset(k) for k in (0, 5)] == [src.text.index("d=one"), src.text.index("two")]
    assert statements[3].template


def test_unterminated_quote_is_closed_at_the_end_of_its_line() -> None:
    src = SourceFile("f", 'a="x\nb="y"\nc=1')
    statements, found = scan(src)
    assert [s.text for s in statements] == ['a="x"', 'b="y"', "c=1"]
    assert statements[0].file_offset(4) == 4  # the added quote sits at the end of line 1
    assert [f.code for f in found] == ["SH03"]


def test_grammar_file_prefers_the_installed_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "site" / "rcnet"
    (package / "grammar").mkdir(parents=True)
    (tmp_path / "site" / "grammar").mkdir()
    installed = package / "grammar" / "g.lark"
    checkout = tmp_path / "site" / "grammar" / "g.lark"
    checkout.write_text("")
    monkeypatch.setattr(grammar_path, "_PACKAGE", package)
    assert grammar_path.grammar_file("g.lark") == checkout
    installed.write_text("")
    assert grammar_path.grammar_file("g.lark") == installed
    with pytest.raises(FileNotFoundError, match=r"other\.lark"):
        grammar_path.grammar_file("other.lark")


def test_the_real_grammar_is_found() -> None:
    assert grammar_path.grammar_file("rcconf.lark").name == "rcconf.lark"


def test_parser_cache_lives_in_a_private_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = parse._cache_file()
    assert path is not None and path.parent == tmp_path / "rcnet"
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    os.chmod(path.parent, 0o777)  # someone else could plant a pickle: no cache then
    assert parse._cache_file() is None


def test_operator_items_keep_positions() -> None:
    items = parse_statement("a=1 ; b")
    assert items[1] == Op(";", 4, 5)


_line_piece = st.sampled_from(
    ["a", "b_1", "=", '"', "'", " ", "\t", "#", "$", "${x}", "$(", ")", "\\", "`", ";", "x y",
     "\n", "{%", "%}", "{#", "10.0.0.1/24", "inet", "\u201c"]
)  # fmt: skip


@settings(deadline=None, max_examples=600)
@given(st.lists(st.lists(_line_piece, max_size=8).map("".join), max_size=6))
def test_one_line_shortcut_scans_as_the_scanner_does(lines: list[str]) -> None:
    """A one-line `NAME=value` is read by one regex match (scan's shortcut): the statements
    and findings are those of the character-by-character scan."""
    for text in ("\n".join(lines), "\n".join(f"v{n}={line}" for n, line in enumerate(lines))):
        src = SourceFile("f", text)
        assert scan(src) == scan(src, quick=False)


@settings(deadline=None, max_examples=400)
@given(st.lists(st.lists(_line_piece | st.just("\r\n"), max_size=8).map("".join), max_size=6))
def test_loc_after_is_loc(lines: list[str]) -> None:
    """Expander.loc_after (a value's location from its name's, without the line search) is
    Expander.loc for every pair of offsets of every statement: backslash-newlines, quotes
    over lines, CRs and the closers the scanner adds included."""
    from rcnet.rcconf.env import Environment
    from rcnet.rcconf.expand import Expander

    for text in ("\n".join(lines), "\n".join(f"v{n}={line}" for n, line in enumerate(lines))):
        src = SourceFile("f", text)
        x = Expander(Environment(), src, [], defaults=False)
        for statement in scan(src)[0]:
            top = len(statement.text) + 1
            for a in range(top):
                at = x.loc(statement, a)
                for b in range(a, top):
                    assert x.loc_after(statement, at, a, b) == x.loc(statement, b)


_value_piece = st.sampled_from(
    ["a", " ", "\t", "x y", "10.0.0.1/24", "inet", "#", "=", "-", "{", "}", "{{", "{%", "$x",
     "${x}", "\\", "`", ";", "'", '"', "\u201c", "\u2019", "\n", "*", "~", "é"]
)  # fmt: skip
_literalish = st.tuples(
    st.sampled_from(["x", "y", "ifconfig_em0", "_1"]),
    st.sampled_from(['"', "'", ""]),
    st.lists(_value_piece, max_size=5).map("".join),
    st.sampled_from(["", " ", "\t ", " # note"]),
).map(lambda t: f"{t[0]}={t[1]}{t[2]}{t[1]}{t[3]}")
_statement_line = _literalish | st.sampled_from(
    ["if true; then", "fi", "{", "}", "f() {", "x=1; y=2", "export z=3", "unset x", ": ${x:=d}",
     "y=$x", "case a in", "esac", "{% if a %}", "{% endif %}", "a=b && c=d"]
)  # fmt: skip


@settings(deadline=None, max_examples=500)
@given(st.lists(_statement_line, max_size=8), st.booleans())
def test_literal_assignment_shortcut_equals_the_full_path(lines: list[str], defaults: bool) -> None:
    """Expander.assign_literal (a `NAME=value` whose value is its own text, read without the
    parser) gives the values, history and findings of the full path: quotes, blanks,
    comments, `{`, `$`, backslashes, typographic quotes and open frames included."""
    from rcnet.rcconf.env import Environment
    from rcnet.rcconf.evaluate import evaluate_file

    src = SourceFile("f", "\n".join(lines) + "\n")
    results = []
    for quick in (True, False):
        env, findings = Environment(), []
        evaluate_file(src, env, findings, defaults=defaults, quick=quick)
        results.append((env.values, env.history, findings, repr(env)))
    assert results[0] == results[1]
