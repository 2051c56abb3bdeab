"""The commonest line of an rc.conf, `NAME="value"`, read straight from the scanner's match.

Most lines of a large rc.conf are a one-line assignment whose value is its own text: no `$`,
backslash, backquote, template mark or typographic quote (scan.LITERAL_LINE). The scanner
keeps such a line as its regex match, and `assign_line` records its Value from the match
alone: no Statement, no second regex (expand.LITERAL), no offset mapping, no location cache.
It makes what `Expander.assign_literal` makes of the line's Statement, the Value equal in
every field (tests/rcconf/test_literal.py compares both ways on generated files).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rcnet.findings import Location
from rcnet.rcconf.env import LazyPositions, Value
from rcnet.rcconf.expand import Expander


def assign_line(x: Expander, m: re.Match[str]) -> None:
    """Record the assignment of a line LITERAL_LINE matched (applied: no frame is open)."""
    name, dq, sq, plain = m.group(1, 2, 3, 4)
    start = m.start(1)  # where the statement (the name) starts in the file
    after = start + len(name) + 1  # just after `=`
    if plain is not None:
        text, at, end = plain, after, after + len(plain)
    else:
        text = dq if dq is not None else sq
        at, end = after + 1, after + len(text) + 2
    src = x.src
    positions: Sequence[Location] = ()
    if text and len(text) <= x.budget:
        positions = LazyPositions(lambda: tuple(src.run(at, len(text))), len(text))
        x.budget -= len(text)
    line, column = src.line_col(start)
    value = Value(
        name,
        text,
        Location(src.name, line, column),
        Location(src.name, line, column + after - start),  # one line: no newline before it
        positions,
        m.string[after:end],
        False,
        x.defaults,
    )
    env = x.env
    history = env.history.get(name)
    if history is None:
        env.history[name] = [value]
    else:
        history.append(value)
    env.values[name] = value
