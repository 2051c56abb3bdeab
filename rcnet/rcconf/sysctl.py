"""`net.inet.carp.*` lines of sysctl.conf, read the way FreeBSD's rc.d/sysctl reads them.

rc.d/sysctl does `while read var comments`: the first blank-separated field of a line is
`MIB=VALUE` and the rest of the line is ignored; lines starting with `#` and blank lines are
skipped. Only `net.inet.carp.*` matters to rcnet. Findings: SY01 (warning) a CARP line sysctl
would reject at boot (no `=`, not an integer), SY02 (warning) a CARP name FreeBSD does not have.
The result maps the short name (`preempt`, as in model.CarpSysctls) to its Value; the
Value's `name` is the full MIB.
"""

from __future__ import annotations

import re

from rcnet.findings import Finding
from rcnet.model import CARP_SYSCTLS
from rcnet.rcconf.env import Value
from rcnet.rcconf.source import SourceFile

PREFIX = "net.inet.carp."
KNOWN = CARP_SYSCTLS
_FIELD = re.compile(r"[ \t]*([^ \t\n]+)")
_INTEGER = re.compile(r"-?[0-9]+\Z")


def read_sysctl(src: SourceFile, into: dict[str, Value], findings: list[Finding]) -> None:
    """Add the `net.inet.carp.*` settings of one sysctl.conf to `into` (last one wins)."""
    for number, line in enumerate(src.lines(), start=1):
        m = _FIELD.match(line)
        if m is None or m.group(1).startswith("#") or not m.group(1).startswith(PREFIX):
            continue
        field = m.group(1)
        col = m.start(1) + 1
        loc = src.loc(src.line_starts[number - 1] + col - 1)
        if "=" not in field:
            rest = line[m.end() :].strip()
            hint = " (no blanks around = in sysctl.conf)" if rest.startswith("=") else ""
            findings.append(
                Finding(
                    "SY01",
                    "warning",
                    f"`{field}` has no `=VALUE`{hint}: sysctl rejects the line at boot",
                    loc,
                    len(field),
                )
            )
            continue
        mib, text = field.split("=", 1)
        name = mib[len(PREFIX) :]
        value_at = src.line_starts[number - 1] + col - 1 + len(mib) + 1
        if name not in KNOWN:
            findings.append(
                Finding(
                    "SY02",
                    "warning",
                    f"unknown sysctl `{mib}`: FreeBSD's CARP has "
                    + ", ".join(PREFIX + k for k in KNOWN),
                    loc,
                    len(mib),
                )
            )
            continue
        if not _INTEGER.match(text):
            findings.append(
                Finding(
                    "SY01",
                    "warning",
                    f"`{field}`: {mib} takes a decimal integer; sysctl rejects `{text}` at boot "
                    "and FreeBSD's default stays",
                    src.loc(value_at),
                    max(1, len(text)),
                )
            )
            continue
        positions = tuple(src.run(value_at, len(text)))
        into[name] = Value(mib, text, loc, src.loc(value_at), positions, text)
