"""Bugs the fuzzers found that are still open, so the properties can step past them.

Each open bug is also a test of its own in test_found_bugs.py, marked xfail(strict=True): when
it is fixed that test passes, strict xfail turns that into a failure, and its entry here goes.
Until then the hypothesis properties treat a violation that matches an entry as known instead
of failing on it again; any other violation still fails them.

Open now: none. Fixed: passes in SH01/SH02/SH04/IF01 messages and in check's source lines,
multi-line SH01/SH02/CL01/CA05 messages (304fa68); a pass written into the hostname printed by
`rcnet show` (82f2a06).
"""

from __future__ import annotations

import re

from tools.fuzz.oracle_rcconf import PropertyViolation

#: (property name as PropertyViolation.name gives it, pattern its message matches)
OPEN: tuple[tuple[str, re.Pattern[str]], ...] = ()


def known_bug(exc: PropertyViolation) -> bool:
    """Is this violation one of the open bugs above?"""
    return any(exc.name == name and pattern.search(str(exc)) for name, pattern in OPEN)
