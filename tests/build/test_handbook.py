"""The Handbook's provider gives exactly the `show --json` model of cli.md (on its keys)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rcnet.build import build_host
from rcnet.model import carp_key

from .helpers import build

ROOT = Path(__file__).resolve().parents[2]
HANDBOOK = ROOT / "fixtures" / "handbook"

#: cli.md "rcnet show", verbatim
PROVIDER_SHOW: dict[str, Any] = {
    "hostname": "provider.example.org",
    "interfaces": [
        {
            "name": "fxp0",
            "cloned": False,
            "up": True,
            "mtu": None,
            "addresses": [
                {"family": "inet", "address": "192.168.1.5", "prefixlen": 24, "vhid": None}
            ],
        },
        {
            "name": "carp0",
            "cloned": True,
            "up": True,
            "mtu": None,
            "addresses": [
                {"family": "inet", "address": "192.168.1.50", "prefixlen": 24, "vhid": 1}
            ],
        },
        {
            "name": "carp1",
            "cloned": True,
            "up": True,
            "mtu": None,
            "addresses": [
                {"family": "inet", "address": "192.168.1.51", "prefixlen": 24, "vhid": 2}
            ],
        },
    ],
    "vhids": [
        {
            "vhid": 1,
            "interface": "carp0",
            "parent": "fxp0",
            "advbase": 1,
            "advskew": 100,
            "addresses": ["192.168.1.50/24"],
            "pass_set": True,
        },
        {
            "vhid": 2,
            "interface": "carp1",
            "parent": "fxp0",
            "advbase": 1,
            "advskew": 100,
            "addresses": ["192.168.1.51/24"],
            "pass_set": True,
        },
    ],
}


def project(actual: Any, shape: Any) -> Any:
    """`actual` reduced to the keys `shape` has (lists element by element)."""
    if isinstance(shape, dict):
        assert isinstance(actual, dict)
        return {k: project(actual[k], v) for k, v in shape.items()}
    if isinstance(shape, list) and shape and isinstance(shape[0], dict):
        assert isinstance(actual, list) and len(actual) == len(shape)
        return [project(a, s) for a, s in zip(actual, shape, strict=True)]
    return actual


def test_provider_show_json() -> None:
    host, findings = build((HANDBOOK / "provider.conf").read_text(), path="provider.conf")
    assert project(host.to_json(), PROVIDER_SHOW) == PROVIDER_SHOW
    assert [f.severity for f in findings] == ["info", "info"]  # CL05 for each carpN
    for vhid in host.vhids:
        assert vhid.key == carp_key("testpass")
        assert vhid.segment is not None and str(vhid.segment) == "192.168.1.0/24"
        assert vhid.legacy


@pytest.mark.parametrize(("name", "vhid", "skew"), [("hosta", 1, 0), ("hostb", 2, 0)])
def test_masters(name: str, vhid: int, skew: int) -> None:
    host, findings = build((HANDBOOK / f"{name}.conf").read_text(), path=f"{name}.conf")
    assert host.name == f"{name}.example.org"
    assert [(v.vhid, v.interface, v.parent, v.advskew) for v in host.vhids] == [
        (vhid, "carp0", "fxp0", skew)
    ]
    assert all(f.severity == "info" for f in findings)


def test_provider_through_the_reader() -> None:
    from rcnet.rcconf.load import load_host

    host, findings = build_host(load_host(str(HANDBOOK / "provider.conf")))
    assert project(host.to_json(), PROVIDER_SHOW) == PROVIDER_SHOW
    assert all(f.severity == "info" for f in findings)
