"""Small helpers for the reader's tests: read text, look at values and findings."""

from __future__ import annotations

from rcnet.findings import Finding
from rcnet.rcconf.env import LoadedHost, Value
from rcnet.rcconf.load import load_text

FILE = "t.conf"


def read(*lines: str) -> LoadedHost:
    return load_text("\n".join(lines) + "\n", FILE)


def value(host: LoadedHost, name: str) -> Value:
    found = host.base.get(name)
    assert found is not None, f"{name} is not set"
    return found


def text(host: LoadedHost, name: str) -> str | None:
    return value(host, name).text


def findings(host: LoadedHost, code: str | None = None) -> list[Finding]:
    return [f for f in host.findings if code is None or f.code == code]


def codes(host: LoadedHost) -> list[str]:
    return sorted(f.code for f in host.findings)


def columns(v: Value) -> list[tuple[int, int]]:
    return [(p.line, p.column) for p in v.positions]
