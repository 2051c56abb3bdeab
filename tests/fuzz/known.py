"""Bugs the fuzzers found that are still open, so the properties can step past them.

Each entry is tested on its own in test_known_bugs.py, marked xfail(strict=True): when the bug
is fixed that test passes, strict xfail turns it into a failure, and the entry here should go.
Until then the hypothesis properties treat a violation that matches an entry as known rather
than failing on it again; any other violation still fails them.
"""

from __future__ import annotations

import re

from tools.fuzz.oracle_rcconf import PropertyViolation

#: explain.py's messages quote source text (SH01, SH02, SH04 through source.clip) with the pass
_QUOTES_SOURCE = re.compile(r"sh (sets|runs) |runs sysrc")
#: messages that quote the file's text or names with their newlines: SH01 and SH02
#: (explain.py), CL01 (a renamed interface, netsubr/rules.py), CA05-CA07 (a host named by a
#: multi-line hostname, lint/crosshost.py)
NEWLINE_CODES = {
    f"finding-message-newline[{code}]" for code in ("SH01", "SH02", "CL01", "CA05", "CA06", "CA07")
}
#: check's caret line (rcnet/commands/check.py, _PASS_RE) leaves a quoted pass unmasked
_QUOTED_PASS = re.compile(r"\bpass\s+[\"'\\]")


def known_bug(exc: PropertyViolation) -> bool:
    """Is this violation one of the open bugs above?"""
    if exc.name in NEWLINE_CODES:
        return True
    if exc.name == "pass-value-printed[message]":
        return bool(_QUOTES_SOURCE.search(str(exc)))
    if exc.name == "pass-value-printed[source-line]":
        return bool(_QUOTED_PASS.search(str(exc)))
    return False
