"""Suppressions: `--exclude CODE,...` and inline `# rcnet: disable=CODE[,CODE]` comments.

A comment disables the codes it names for findings on its own line; a line that holds only
such a comment disables them for the line below as well (the usual place above a long
assignment). The `#` must start a comment as sh reads the line: one inside quotes is text.

Neither silences an error. An error is what blocks `start` (and a reload): a comment that
let check exit 0 on such a host would make the CI gate and start disagree, and one that let
start proceed would let a hostname the kernel refuses, control characters or an expansion
bomb through. Warnings and info are advice, and only they can be silenced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from rcnet.findings import Finding

_DIRECTIVE = re.compile(r"rcnet:\s*disable\s*=\s*([A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*)")


def comment_start(line: str) -> int | None:
    """Offset of the `#` that starts a comment on this line (sh's rule: at the start of a
    word, outside quotes), or None."""
    quote = ""
    escaped = False
    for i, c in enumerate(line):
        if escaped:
            escaped = False
        elif c == "\\" and quote != "'":
            escaped = True
        elif quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t;&|()"):
            return i
    return None


def disabled_codes(line: str) -> tuple[frozenset[str], bool]:
    """The codes a line's comment disables, and whether the line is only that comment."""
    if "rcnet:" not in line:
        return frozenset(), False
    start = comment_start(line)
    if start is None:
        return frozenset(), False
    m = _DIRECTIVE.search(line, start)
    if m is None:
        return frozenset(), False
    codes = frozenset(c.strip().upper() for c in m.group(1).split(","))
    return codes, not line[:start].strip()


class Suppressions:
    """Which findings the command line and the files' comments silence."""

    def __init__(self, sources: Mapping[str, Sequence[str]], exclude: Iterable[str] = ()):
        self.exclude = frozenset(c.upper() for c in exclude)
        #: (file, line) -> codes disabled there
        self.inline: dict[tuple[str, int], frozenset[str]] = {}
        for name, lines in sources.items():
            for number, line in enumerate(lines, start=1):
                codes, alone = disabled_codes(line)
                if not codes:
                    continue
                for at in (number, number + 1) if alone else (number,):
                    key = (name, at)
                    self.inline[key] = self.inline.get(key, frozenset()) | codes

    def silenced(self, finding: Finding) -> bool:
        if finding.severity == "error":
            return False
        if finding.code in self.exclude:
            return True
        loc = finding.loc
        return loc is not None and finding.code in self.inline.get((loc.file, loc.line), ())

    def keep(self, findings: Iterable[Finding]) -> list[Finding]:
        return [f for f in findings if not self.silenced(f)]
