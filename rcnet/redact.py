"""Every message rcnet prints about a file passes through here: one line, no pass in it.

Findings quote source text (a value, a word, a host name) and a value may hold `pass P` or
span lines. Rather than trust each rule to remember, the front end sends every finding
through `clean`, with the passes the host's files contain. Imports nothing of rcnet but
the findings and the reader's contract.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from rcnet.findings import Finding
from rcnet.rcconf.env import LoadedHost
from rcnet.text import escape

MASK = "********"
#: `pass P`, `pass "P"`, `pass \"P\"` and `pass 'P'` (P may hold backslash escapes): the mask
#: keeps the quotes
PASS_WORD = re.compile(r"""(\bpass\s+)((?:\\?["'])?)((?:\\[^\s"']|[^\s"'\\])+)""")
_NEWLINES = re.compile(r"\r\n|\r|\n")


def secrets_of(loaded: LoadedHost) -> frozenset[str]:
    """Every word written after `pass` in any value or source line of the host's files."""
    envs = {id(e): e for e in (loaded.base, *loaded.scopes.values())}  # scopes may share one
    values = [v for env in envs.values() for vs in env.history.values() for v in vs]
    # only texts that hold `pass` can give one (comprehensions: a large file has thousands)
    texts = [v.text for v in values if v.text and "pass" in v.text]
    texts += [v.raw for v in values if "pass" in v.raw]
    texts += [line for lines in loaded.sources.values() for line in lines if "pass" in line]
    found: set[str] = set()
    for text in texts:
        found.update(m.group(3) for m in PASS_WORD.finditer(text))
    return frozenset(found)


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """A source line with every pass value replaced by ********: the word after `pass`, and
    any of the host's pass values wherever else it stands."""
    return mask_secrets(PASS_WORD.sub(lambda m: m.group(1) + m.group(2) + MASK, text), secrets)


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    """`text` (a message: prose, so `pass` may be followed by any word) with the host's pass
    values replaced by ********."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and secret != MASK:
            text = re.sub(rf"(?<![\w.:/-]){re.escape(secret)}(?![\w.:/-])", MASK, text)
    return text


def one_line(text: str) -> str:
    """Line breaks inside a quoted value shown as \\n and every other control character
    escaped (rcnet.text), so a finding is one line and never drives a terminal."""
    return escape(_NEWLINES.sub(r"\\n", text))


def clean(findings: Iterable[Finding], secrets: Iterable[str] = ()) -> list[Finding]:
    keys = tuple(secrets)
    out: list[Finding] = []
    for f in findings:
        message = mask_secrets(one_line(f.message), keys)
        host = one_line(f.host) if f.host else f.host
        out.append(
            f if (message, host) == (f.message, f.host) else replace(f, message=message, host=host)
        )
    return out


def mask_json(data: Any, secrets: Iterable[str]) -> Any:
    """JSON-like data with the pass values masked in every string (numbers left alone)."""
    keys = tuple(secrets)
    if not keys:
        return data
    if isinstance(data, str):
        return mask_secrets(data, keys)
    if isinstance(data, list):
        return [mask_json(item, keys) for item in data]
    if isinstance(data, dict):
        return {k: mask_json(v, keys) for k, v in data.items()}
    return data
