"""The one "startable" policy: would `start` apply everything this host's files configure?

`check` exits 0 only when every host is startable; `start` (and the daemon's reload)
refuse a host that is not. Both ask `blockers`, so they can never disagree.

A host is startable when no finding is an error. The builder makes every part of the
file that would not come up an error finding (a VIP whose ifconfig call fails, a carp
interface nothing creates, a legacy carpN outside every subnet); `model_blockers` adds
what the model itself shows start cannot run (a vhid without a parent), so a gap in the
builder's findings still cannot let such a host start.

Front end: imports the model and findings only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rcnet.findings import Finding
from rcnet.model import Host


def model_blockers(host: Host) -> list[Finding]:
    """Errors the model itself shows: a vhid start could not run."""
    out: list[Finding] = []
    for vhid in host.vhids:
        if vhid.parent is None:
            out.append(
                Finding(
                    "CA09",
                    "error",
                    f"vhid {vhid.vhid} on {vhid.interface}: no physical interface holds its"
                    " address, so it has no parent to run on and its VIP never comes up;"
                    " put the address in the subnet of a configured interface",
                )
            )
    return out


def blockers(
    findings: Iterable[Finding], host: Host | None = None, *, strict: bool = False
) -> list[Finding]:
    """Why start would not apply everything: error findings (and warnings when `strict`),
    plus the model's own blockers not already reported."""
    failing = ("error", "warning") if strict else ("error",)
    out = [f for f in findings if f.severity in failing]
    if host is not None:
        seen = {(f.code, f.message) for f in out}
        out += [f for f in model_blockers(host) if (f.code, f.message) not in seen]
    return out


def startable(findings: Sequence[Finding], host: Host | None = None) -> bool:
    """True when start would apply everything the host's files configure."""
    return not blockers(findings, host)
