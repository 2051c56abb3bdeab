"""One way to show text rcnet did not write: control characters escaped.

File content (values, host names, descriptions), a hook's output and a daemon's answer reach
terminals and logs. A character that a terminal or a log reader acts on instead of showing it
is written as a backslash escape, so that no such text can move the cursor, set a window title,
reorder what is shown or start a forged log line: C0 controls but tab (`\\n`, `\\r`, `\\x1b`),
DEL and the C1 controls (`\\x7f`, `\\x9b`), Unicode line separators and bidirectional
overrides (`\\u2028`, `\\u202e`). Imports nothing of rcnet.
"""

from __future__ import annotations

import re

#: what `escape` rewrites
_ESCAPED = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: control characters in the sense of rc.conf checks: below 0x20 but tab, and DEL
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _one(m: re.Match[str]) -> str:
    c = m.group()
    named = _NAMED.get(c)
    if named is not None:
        return named
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def escape(text: str) -> str:
    """`text` with every control character written as an escape (one line, no ESC)."""
    return _ESCAPED.sub(_one, text) if _ESCAPED.search(text) else text


def escape_bytes(data: bytes) -> str:
    """Bytes from elsewhere (a hook's output), decoded leniently and escaped."""
    return escape(data.decode("utf-8", errors="replace"))


def has_control_characters(text: str) -> bool:
    """Whether `control_characters(text)` is not empty (one regex search, no list)."""
    return _CONTROL.search(text) is not None


def control_characters(text: str) -> list[str]:
    """The distinct control characters (below 0x20 but tab, and DEL) in `text`, escaped."""
    return sorted({escape(c) for c in _CONTROL.findall(text)})
