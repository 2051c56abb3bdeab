"""Shared fixtures, and the rule that a skipped test is never silent.

The kernel fixtures build namespaces with tests/lab and skip, saying why, when this machine cannot
(not root, no `ip netns`); tests/lab/loudskip.py makes every skip loud (as root, a run with a skip
fails unless RCNET_ALLOW_SKIP names it).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lab.netns import Lab, Segment, handbook, sweep_leftovers, unavailable_reason

pytest_plugins = ["lab.loudskip", "pytester"]

_netns_checked: list[str | None] = []


def _netns_skip_reason() -> str | None:
    if not _netns_checked:
        reason = unavailable_reason()
        if reason is None:
            sweep_leftovers()
        _netns_checked.append(reason)
    return _netns_checked[0]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # a test that uses a namespace fixture is a netns test even if its module forgot the marker
    for item in items:
        if {"lab", "handbook_segment"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.netns)


@pytest.fixture
def lab() -> Iterator[Lab]:
    """A fresh Lab; everything it made is removed afterwards, pass or fail."""
    reason = _netns_skip_reason()
    if reason is not None:
        pytest.skip(reason)
    with Lab() as made:
        yield made


@pytest.fixture
def handbook_segment(lab: Lab) -> Segment:
    """The Handbook's three hosts on one bridge, NICs named fxp0, addresses .3/.4/.5."""
    return handbook(lab)
