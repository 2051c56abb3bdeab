"""Build a host from rc.conf text (through the tests' tiny reader) and look at the result; run
`rcnet ARGS` in the test's own process."""

from __future__ import annotations

import io
from collections.abc import Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

from rcnet.build import build_host
from rcnet.cli import main
from rcnet.findings import Finding
from rcnet.model import Host

from .rcenv import loaded_from


def build(
    text: str,
    *,
    path: str = "host.conf",
    scopes: Mapping[str, str] | None = None,
    sysctls: Mapping[str, str] | None = None,
) -> tuple[Host, list[Finding]]:
    return build_host(loaded_from(text, path=path, scopes=scopes, sysctls=sysctls))


def addresses(host: Host, name: str) -> list[str]:
    iface = host.interface(name)
    assert iface is not None, f"{name} not in {[i.name for i in host.interfaces]}"
    return [f"{a.address}/{a.prefixlen}" for a in iface.addresses]


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


@dataclass(frozen=True)
class Ran:
    status: int
    out: str
    err: str


def rcnet(*args: str) -> Ran:
    """The exit status (argparse's SystemExit included) and both outputs of `rcnet ARGS`."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = main(list(args))
        except SystemExit as exc:
            status = int(exc.code or 0)
    return Ran(status, out.getvalue(), err.getvalue())
