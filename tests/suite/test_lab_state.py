"""tests/lab/state.py compares what rcnet could change and nothing the kernel changes on its own
(the start-refusal test compared whole `ip addr` outputs and failed wherever IPv6 DAD finished
between two snapshots)."""

from __future__ import annotations

import time

import pytest
from lab.netns import Lab, handbook
from lab.state import configuration

from rcnet.linux.owned import RCNET_PROTO

pytestmark = pytest.mark.netns


def test_dad_finishing_changes_the_text_but_not_the_configuration(lab: Lab) -> None:
    handbook(lab, addresses=False)
    lab.ip("hosta", "addr", "add", "2001:db8::3/64", "dev", "fxp0")
    text = lab.ip("hosta", "addr", "show", "dev", "fxp0").stdout
    before = configuration(lab, "hosta")
    assert "tentative" in text  # DAD still runs: the kernel will change this address's flags
    deadline = time.monotonic() + 10
    while "tentative" in lab.ip("hosta", "addr", "show", "dev", "fxp0").stdout:
        assert time.monotonic() < deadline, "DAD did not finish in 10 s"
        time.sleep(0.1)
    assert lab.ip("hosta", "addr", "show", "dev", "fxp0").stdout != text
    assert configuration(lab, "hosta") == before


def test_what_rcnet_could_change_shows(lab: Lab) -> None:
    handbook(lab, addresses=False)
    first = configuration(lab, "hosta")
    lab.ip("hosta", "addr", "add", "192.168.1.50/24", "dev", "fxp0")
    with_address = configuration(lab, "hosta")
    added = set(with_address["addresses"]) - set(first["addresses"])
    assert added == {("fxp0", "inet", "192.168.1.50", 24, None, "fxp0")}
    lab.ip("hosta", "route", "add", "10.0.0.0/8", "via", "192.168.1.1", "proto", str(RCNET_PROTO))
    routes = configuration(lab, "hosta")["routes"]
    assert [(r[0], r[1], r[2]) for r in routes] == [("-4", "10.0.0.0/8", "192.168.1.1")]
    lab.ip("hosta", "route", "add", "10.1.0.0/16", "via", "192.168.1.1")  # not rcnet's protocol
    assert configuration(lab, "hosta")["routes"] == routes
    lab.ip("hosta", "link", "set", "fxp0", "mtu", "1400")
    assert configuration(lab, "hosta")["links"] != with_address["links"]
