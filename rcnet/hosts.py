"""HOST arguments to checked models: reader, builder and per-host lint in one call.

This is the one place that wires the front end together; commands call it. It imports
the front end and the model, never the protocol core.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rcnet.findings import Finding
from rcnet.frozen import record
from rcnet.model import Host
from rcnet.rcconf.env import HostError, LoadedHost
from rcnet.redact import clean, secrets_of


class DuplicateHostError(HostError):
    """Two HOST arguments that name the same host."""


@record
class CheckedHost:
    loaded: LoadedHost
    host: Host
    #: reader, builder and lint findings, each carrying this host's name (one line, no pass)
    findings: tuple[Finding, ...]
    #: the pass values written in the host's files, masked wherever text is shown
    secrets: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return self.host.name


def read_host(path: str) -> CheckedHost:
    """Load, build and lint one HOST (a file, an etc directory, or `-` for standard input);
    raises HostError."""
    from rcnet.rcconf.load import load_host, load_stdin

    with _no_cyclic_gc():
        if path == "-":
            return check_loaded(load_stdin(sys.stdin.buffer))
        return check_loaded(load_host(path))


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Reading a host allocates many small acyclic objects, and the cyclic collector's full
    passes grow with the heap: with it, 20,000 lines cost 5 x 5,000 lines instead of 4 x. The
    input is capped (1 MiB per file), so the garbage is bounded; collection resumes after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def check_loaded(loaded: LoadedHost) -> CheckedHost:
    """Build and lint a host already read (`rcnet sysrc` checks text it has not written)."""
    from rcnet.build import build_host
    from rcnet.lint import lint_host
    from rcnet.lint.names import without_follow_ons

    host, built = build_host(loaded)
    linted = lint_host(loaded, host)
    # one mistake, one finding: nothing the builder concluded from a misspelt name
    kept = without_follow_ons(built, [f for f in linted if f.code == "SH08"])
    found = [f.with_host(host.name) for f in (*loaded.findings, *kept, *linted)]
    secrets = secrets_of(loaded)
    return CheckedHost(loaded, host, tuple(clean(found, secrets)), secrets)


def read_hosts(paths: Sequence[str]) -> tuple[list[CheckedHost], list[HostError]]:
    """Every readable HOST, and an error for each one that is not.

    Two readable hosts with the same name give a DuplicateHostError for the second.
    """
    hosts: list[CheckedHost] = []
    errors: list[HostError] = []
    for path in paths:
        try:
            checked = read_host(path)
        except HostError as exc:
            errors.append(exc)
            continue
        clash = next((h for h in hosts if h.name == checked.name), None)
        if clash is not None:
            errors.append(
                DuplicateHostError(
                    path, f"names host {checked.name!r} like {clash.loaded.path}; names must differ"
                )
            )
            continue
        hosts.append(checked)
    return hosts, errors


def load_hosts(paths: Sequence[str]) -> tuple[list[Host], list[Finding]]:
    """Models for commands that run hosts (simulate, decode --rc, start).

    Raises the first HostError; returns every finding, cross-host ones included.
    """
    from rcnet.lint import lint_hosts

    checked, errors = read_hosts(paths)
    if errors:
        raise errors[0]
    findings = [f for c in checked for f in c.findings]
    findings.extend(lint_hosts(checked))
    return [c.host for c in checked], findings
