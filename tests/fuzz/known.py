"""Bugs the fuzzers found that are still open, so the properties can step past them.

Each entry is tested on its own in test_known_bugs.py, marked xfail(strict=True): when the bug
is fixed that test passes, strict xfail turns it into a failure, and the entry here should go.
Until then the hypothesis properties treat a violation that matches an entry as known rather
than failing on it again; any other violation still fails them.
"""

from __future__ import annotations

import re

from tools.fuzz.oracle_rcconf import PropertyViolation

#: SH01 (rcnet/rcconf/explain.py, _value_with_blanks) quotes the value as written, unclipped
SH01_QUOTE = "unquoted blank in the value of"
#: explain.py's messages quote source text (SH01, SH02, SH04 through source.clip) with the pass
_QUOTES_SOURCE = re.compile(r"sh (sets|runs) |runs sysrc")
#: check's caret line (rcnet/commands/check.py, _PASS_RE) leaves a quoted pass unmasked
_QUOTED_PASS = re.compile(r"\bpass\s+[\"'\\]")


def known_bug(exc: PropertyViolation) -> bool:
    """Is this violation one of the open bugs above?"""
    text = str(exc)
    if exc.name == "finding-message-newline[SH01]":
        return SH01_QUOTE in text
    if exc.name == "pass-value-printed[message]":
        return bool(_QUOTES_SOURCE.search(text))
    if exc.name == "pass-value-printed[source-line]":
        return bool(_QUOTED_PASS.search(text))
    return False
