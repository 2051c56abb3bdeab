"""Diagnostics of the front end: a place in a file and a finding at it.

Used by the rc.conf reader, the model builder and the lint rules. Imports nothing of rcnet but
`rcnet.frozen` (which imports nothing of rcnet).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from rcnet.frozen import record

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@record(order=True)
class Location:
    """1-based line and column (columns count characters) in a file."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@record
class Finding:
    code: str
    severity: Severity
    message: str
    loc: Location | None = None
    #: how many characters the caret line underlines at loc
    length: int = 1
    #: the host this finding belongs to (filled in by the checker)
    host: str | None = None

    def with_host(self, host: str) -> Finding:
        return replace(self, host=host)

    def sort_key(self) -> tuple[str, int, int, int, str]:
        if self.loc is None:
            return ("", 0, 0, SEVERITY_ORDER[self.severity], self.code)
        return (
            self.loc.file,
            self.loc.line,
            self.loc.column,
            SEVERITY_ORDER[self.severity],
            self.code,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "file": self.loc.file if self.loc else None,
            "line": self.loc.line if self.loc else None,
            "column": self.loc.column if self.loc else None,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }

    def format(self, fallback: str | None = None) -> str:
        """`FILE:LINE:COL: severity: message [CODE]`; fallback names a finding with no place."""
        where = str(self.loc) if self.loc else (fallback or self.host or "-")
        return f"{where}: {self.severity}: {self.message} [{self.code}]"
