"""One file's text, decoded the way the reader sees it, with offset -> Location.

Decoding normalises what a text editor hides but sh does not: a UTF-8 byte-order mark and
CR line ends. Both are reported (SH03, `encoding_findings`, when the file is scanned); the
text the reader goes on with has neither, so that line and column numbers match what an
editor shows and the rest of the file can still be checked.
"""

from __future__ import annotations

import bisect
import re

from rcnet.findings import Finding, Location

BOM = "\ufeff"
#: typographic quotes (a word processor's): sh takes them as ordinary characters
TYPOGRAPHIC = "\u201c\u201d\u2018\u2019"
_NEWLINE = re.compile("\n")


class SourceFile:
    """A decoded file: `text` (LF line ends, no BOM) and where each offset is."""

    __slots__ = ("_cache", "bom", "cr_lines", "line_starts", "name", "text")

    def __init__(self, name: str, raw: str) -> None:
        self.name = name
        self.bom = raw.startswith(BOM)
        if self.bom:
            raw = raw[1:]
        #: 1-based numbers of the lines that ended with CR (or were split by a lone CR)
        self.cr_lines: tuple[int, ...] = ()
        if "\r" in raw:
            self.cr_lines = _cr_lines(raw)
            raw = raw.replace("\r\n", "\n").replace("\r", "\n")
        self.text = raw
        self.line_starts = [0, *(m.end() for m in _NEWLINE.finditer(raw))]
        self._cache: dict[int, Location] = {}

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> SourceFile:
        # sh does not care about encodings; undecodable bytes only matter for display
        return cls(name, data.decode("utf-8", errors="replace"))

    def lines(self) -> tuple[str, ...]:
        lines = self.text.split("\n")
        if lines and lines[-1] == "" and len(lines) > 1:
            lines.pop()
        return tuple(lines)

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of a text offset."""
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def loc(self, offset: int) -> Location:
        found = self._cache.get(offset)
        if found is None:
            line, col = self.line_col(offset)
            found = self._cache[offset] = Location(self.name, line, col)
        return found

    def run(self, offset: int, count: int) -> list[Location]:
        """Locations of `count` consecutive characters from `offset` (lines may change)."""
        starts = self.line_starts
        name = self.name
        line = bisect.bisect_right(starts, offset)
        first = offset - starts[line - 1] + 1
        if line == len(starts) or offset + count <= starts[line]:  # all on one line
            return [Location(name, line, col) for col in range(first, first + count)]
        out: list[Location] = []
        end = offset + count
        while offset < end:
            stop = min(end, starts[line]) if line < len(starts) else end
            first = offset - starts[line - 1] + 1
            out.extend([Location(name, line, col) for col in range(first, first + stop - offset)])
            offset = stop
            line += 1
        return out


def encoding_findings(src: SourceFile) -> list[Finding]:
    """The SH03 findings of what decoding normalised: a byte-order mark, CR line ends."""
    found: list[Finding] = []
    if src.bom:
        first = src.lines()[0] if src.text else ""
        found.append(
            Finding(
                "SH03",
                "error",
                "the file starts with a UTF-8 byte-order mark: sh reads it as part of the "
                f"first word, so `{clip(first)}` runs as a command and sets nothing; "
                "rcnet reads the file without it. Save the file without BOM",
                src.loc(0),
            )
        )
    if src.cr_lines:
        line = src.cr_lines[0]
        start = src.line_starts[line - 1]
        end = src.text.find("\n", start)
        end = len(src.text) if end < 0 else end
        count = len(src.cr_lines)
        lines = "1 line ends" if count == 1 else f"{count} lines end"
        found.append(
            Finding(
                "SH03",
                "error",
                f"{lines} with CR (DOS line ends, first on line {line}): sh keeps the CR "
                "in the last word of each line, so `YES\\r` is not YES and addresses get a "
                "trailing CR; rcnet reads the file as if the lines ended with LF. Convert "
                "it (tr -d '\\r' or dos2unix)",
                src.loc(end),
            )
        )
    return found


def clip(text: str, width: int = 48) -> str:
    """Source text for a message: blanks and newlines squeezed, at most `width` characters."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _cr_lines(raw: str) -> tuple[int, ...]:
    lines: list[int] = []
    line = 1
    i = 0
    while True:
        j = raw.find("\r", i)
        if j < 0:
            return tuple(lines)
        line += raw.count("\n", i, j)
        lines.append(line)
        if raw.startswith("\r\n", j):
            j += 1
        line += 1
        i = j + 1
