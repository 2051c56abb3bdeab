"""The literal-line shortcut (scan.LITERAL_LINE, rcconf.literal.assign_line) equals the full
path: the same statements, the same Values (every field, positions included), the same
history and findings."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from rcnet.findings import Finding
from rcnet.rcconf.env import Environment
from rcnet.rcconf.evaluate import evaluate_file
from rcnet.rcconf.scan import literal_statement, scan, scan_literals
from rcnet.rcconf.source import SourceFile


def test_a_literal_line_stays_its_match() -> None:
    src = SourceFile("f", " \n\ta=\"x y\"  # note\n\nb=1\nc=$d\nf='q'")
    found, findings = scan_literals(src)
    assert findings == []
    matches = [s for s in found if isinstance(s, re.Match)]
    assert [m.group(1) for m in matches] == ["a", "b", "f"]  # c=$d expands: not literal
    assert [literal_statement(m).text for m in matches] == ['a="x y"  ', "b=1", "f='q'"]
    assert scan(src) == scan(src, quick=False)


def test_values_of_literal_lines_equal_the_full_path() -> None:
    text = 'x="a b"\n  y=c # c\nx=\'d\' \n\nz=\nw=""  #\n'
    env = _evaluated(text, quick=True)[0]
    assert env == _evaluated(text, quick=False)[0]
    x = env.history["x"]
    assert [(v.loc.line, v.loc.column, v.value_loc.column, v.raw) for v in x] == [
        (1, 1, 3, '"a b"'),
        (3, 1, 3, "'d'"),
    ]
    assert [(p.line, p.column) for p in x[0].positions] == [(1, 4), (1, 5), (1, 6)]
    assert env.values["y"].loc.column == 3 and env.values["y"].text == "c"
    assert env.values["z"].text == "" and env.values["w"].raw == '""'


_value = st.lists(
    st.sampled_from(
        ["a", " ", "\t", "x y", "10.0.0.1/24", "#", "=", "{", "}", "{{", "$x", "\\", "`", ";",
         "'", '"', "\u201c", "(", "|", "é", "\n"]
    ),
    max_size=4,
).map("".join)  # fmt: skip
_line = st.tuples(
    st.sampled_from(["", " ", "\t", "\n", " \n\t "]),
    st.sampled_from(["x", "y", "ifconfig_em0", "_1"]),
    st.sampled_from(['"', "'", ""]),
    _value,
    st.sampled_from(["", " ", "\t ", " # note", "# not a comment", " #"]),
).map(lambda t: f"{t[0]}{t[1]}={t[2]}{t[3]}{t[2]}{t[4]}")
_other = st.sampled_from(["if true; then", "fi", "{", "}", "f() {", "x=1; y=2", "{% if a %}"])


@settings(deadline=None, max_examples=500)
@given(st.lists(_line | _other, max_size=8), st.booleans(), st.sampled_from(["", "\n"]))
def test_literal_line_shortcut_equals_the_full_path(
    lines: list[str], defaults: bool, end: str
) -> None:
    """Blank lines before, blanks and comments after, quotes, characters that are not literal,
    open frames, the last line without a newline, defaults files: one result either way."""
    text = "\n".join(lines) + end
    quick, full = (_evaluated(text, quick=q, defaults=defaults) for q in (True, False))
    assert quick == full
    assert repr(quick[0]) == repr(full[0])
    for name, values in quick[0].history.items():
        for v, w in zip(values, full[0].history[name], strict=True):
            assert tuple(v.positions) == tuple(w.positions)
            assert (v.loc, v.value_loc, v.raw, v.default) == (w.loc, w.value_loc, w.raw, w.default)


def _evaluated(
    text: str, *, quick: bool, defaults: bool = False
) -> tuple[Environment, list[Finding]]:
    env, findings = Environment(), []
    evaluate_file(SourceFile("f", text), env, findings, defaults=defaults, quick=quick)
    return env, findings
