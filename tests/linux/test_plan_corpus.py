"""Hosts read from real rc.conf files plan without a traceback (PlanError at worst)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lab import corpus
from lab.hosts import handbook_provider

from rcnet.linux.plan import PlanError, plan_host
from rcnet.linux.system import Link, SystemState

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "fixtures" / "handbook").glob("*.conf"))
#: every fixture and every corpus file; an absent corpus is one case that skips, saying where
CASES = [pytest.param(p, id=p.name) for p in FIXTURES] + (
    [pytest.param(p, id=f"corpus/{p.name}") for p in corpus.FILES]
    or [pytest.param(None, id="corpus", marks=pytest.mark.skip(reason=corpus.ABSENT))]
)


def nics_for(host_interfaces: list[str]) -> SystemState:
    links = [Link(i + 2, name, up=True, carrier=True) for i, name in enumerate(host_interfaces)]
    return SystemState(links=(Link(1, "lo", up=True), *links))


@pytest.mark.parametrize("path", CASES)
def test_plans_or_refuses_in_one_line_each(path: Path) -> None:
    from rcnet.hosts import read_host

    host = read_host(str(path)).host
    state = nics_for([i.name for i in host.interfaces if not i.cloned and i.name != "lo0"])
    try:
        changes = plan_host(host, state)
    except PlanError as refused:
        assert refused.problems and all("\n" not in p for p in refused.problems)
        return
    assert all(c.describe() and "\n" not in c.describe() for c in changes)


def test_handbook_fixture_plans_like_the_hand_built_provider() -> None:
    from rcnet.hosts import read_host

    fixture = ROOT / "fixtures" / "handbook" / "provider.conf"
    state = nics_for(["fxp0"])
    assert plan_host(read_host(str(fixture)).host, state) == plan_host(handbook_provider(), state)
