"""Build a host from rc.conf text (through the tests' tiny reader) and look at the result."""

from __future__ import annotations

from collections.abc import Mapping

from rcnet.build import build_host
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
