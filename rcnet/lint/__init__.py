"""Lint rules that need more than one variable at a time, and the cross-host rules.

Most findings come from the reader (sh level) and the builder (network.subr level);
this package adds the variable-name registry (SH08), control characters in values (SH10)
and the rules that compare hosts (CA05-CA07). It reads the front end's data and the
model; it never imports the protocol core, scapy or pyroute2.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rcnet.findings import Finding
from rcnet.lint.control import control_findings
from rcnet.lint.crosshost import cross_host_findings
from rcnet.lint.names import misspelt_names
from rcnet.model import Host
from rcnet.rcconf.env import LoadedHost
from rcnet.redact import clean

if TYPE_CHECKING:
    from rcnet.hosts import CheckedHost


def lint_host(loaded: LoadedHost, host: Host) -> list[Finding]:
    """Per-host rules not already given by the reader or the builder."""
    return [*misspelt_names(loaded), *control_findings(loaded)]


def lint_hosts(hosts: Sequence[CheckedHost]) -> list[Finding]:
    """Rules across several hosts given together (empty for fewer than two)."""
    if len(hosts) < 2:
        return []
    secrets = frozenset().union(*(h.secrets for h in hosts))
    return clean(cross_host_findings(hosts), secrets)
