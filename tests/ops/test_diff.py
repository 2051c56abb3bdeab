"""`rcnet diff HOST`: a real daemon in a namespace against its file, then drift made three ways
(an address someone added, a sysctl changed at run time, the file edited without a reload)."""

from __future__ import annotations

import json

import pytest
from daemon.rig import MASTER_DOWN, Rig

from rcnet.commands.diff import Difference, daemon_differences
from rcnet.hosts import read_host

from .test_sysrc import PROVIDER


def test_daemon_differences_name_vhids_and_sysctls() -> None:
    host = read_host(str(PROVIDER)).host
    status = {
        "vhids": [
            {"vhid": 1, "interface": "carp0", "parent": "fxp0", "advbase": 1, "advskew": 100,
             "addresses": ["192.168.1.50/24"]},
            {"vhid": 3, "interface": "carp3", "parent": "fxp0", "advbase": 1, "advskew": 0,
             "addresses": []},
        ]
    }  # fmt: skip
    found = daemon_differences(host, status, ["net.inet.carp.preempt: 1"])
    assert [str(d) for d in found] == [
        "carp1: carp: vhid 2 advbase 1 advskew 100 -> (none)",
        "carp3: (none) -> carp: vhid 3 advbase 1 advskew 0",
        "net.inet.carp.preempt: 0 -> 1",
    ]
    assert found[0] == Difference("carp1", "vhid", "carp: vhid 2 advbase 1 advskew 100", "(none)")


@pytest.mark.netns
def test_diff_in_sync_then_drift(rig: Rig) -> None:
    conf = rig.conf("provider", "provider.conf")
    rig.start("provider", conf)
    rig.wait_state("provider", 1, "MASTER", MASTER_DOWN[100] + 2)

    synced = rig.rcnet("provider", "diff", str(conf))
    assert (synced.returncode, synced.stdout) == (0, ""), synced.stdout + synced.stderr

    rig.lab.ip("provider", "addr", "add", "10.9.9.9/24", "dev", "fxp0")
    assert rig.rcnet("provider", "sysctl", "net.inet.carp.preempt=1").returncode == 0
    edit = rig.rcnet("provider", "sysrc", "-f", str(conf),
                     "ifconfig_carp1=vhid 2 advskew 50 pass testpass 192.168.1.51/24",
                     control=False)  # fmt: skip
    assert edit.returncode == 0, edit.stderr

    drift = rig.rcnet("provider", "diff", str(conf))
    assert drift.returncode == 1, drift.stderr
    assert drift.stdout.splitlines() == [
        "fxp0: (none) -> inet 10.9.9.9 netmask 0xffffff00 broadcast 10.9.9.255",
        "carp1: carp: vhid 2 advbase 1 advskew 50 -> carp: vhid 2 advbase 1 advskew 100",
        "net.inet.carp.preempt: 0 -> 1",
        "3 differences (file -> running)",
    ]
    doc = json.loads(rig.rcnet("provider", "diff", str(conf), "--json").stdout)
    assert doc["in_sync"] is False and doc["daemon"] is True and len(doc["differences"]) == 3
    assert doc["differences"][0] == {
        "interface": "fxp0",
        "what": "address",
        "file": "(none)",
        "running": "inet 10.9.9.9 netmask 0xffffff00 broadcast 10.9.9.255",
    }

    # the kernel's part alone when no daemon answers: drift is still drift (exit 1) ...
    alone = rig.rcnet("provider", "diff", str(conf), "--control", str(rig.tmp / "none.sock"),
                      control=False)  # fmt: skip
    assert alone.returncode == 1 and "not compared" in alone.stderr
    assert alone.stdout.splitlines()[0].startswith("fxp0: (none) -> inet 10.9.9.9")
    # ... and without it, 3: nothing to say about vhids
    rig.lab.ip("provider", "addr", "del", "10.9.9.9/24", "dev", "fxp0")
    alone = rig.rcnet("provider", "diff", str(conf), "--control", str(rig.tmp / "none.sock"),
                      control=False)  # fmt: skip
    assert (alone.returncode, alone.stdout) == (3, ""), alone.stdout


def test_lo0_is_compared_with_lo() -> None:
    """FreeBSD's lo0 is Linux's lo (the plan's BUILTIN_MAP): no false drift for it."""
    import ipaddress

    from rcnet.commands.diff import kernel_differences
    from rcnet.hosts import check_loaded
    from rcnet.linux.plan import BUILTIN_MAP
    from rcnet.linux.system import Addr, Link, SystemState
    from rcnet.rcconf.load import load_text

    host = check_loaded(load_text('ifconfig_lo0="inet 127.0.0.1/8"\n', "h.conf")).host
    state = SystemState(
        links=(Link(1, "lo", up=True, carrier=True),),
        addrs=(
            Addr(1, ipaddress.ip_interface("127.0.0.1/8")),
            Addr(1, ipaddress.ip_interface("::1/128")),
        ),
    )
    found = [str(d) for d in kernel_differences(host, state, BUILTIN_MAP)]
    # ::1 is the kernel's on both systems (FreeBSD: sys/netinet6/in6_ifattach.c,
    # in6_ifattach_loopback)
    assert found == []
    extra = SystemState(
        links=state.links, addrs=(*state.addrs, Addr(1, ipaddress.ip_interface("127.0.0.2/8")))
    )
    assert [str(d) for d in kernel_differences(host, extra, BUILTIN_MAP)] == [
        "lo0: (none) -> inet 127.0.0.2 netmask 0xff000000 broadcast 127.255.255.255"
    ]


def test_a_missing_interface_is_named_once() -> None:
    # printed 'fxp0: fxp0: configured -> (none)' before
    from rcnet.commands.diff import kernel_differences
    from rcnet.hosts import check_loaded
    from rcnet.linux.plan import BUILTIN_MAP
    from rcnet.linux.system import SystemState
    from rcnet.rcconf.load import load_text

    host = check_loaded(load_text('ifconfig_fxp0="inet 10.0.0.1/24"\n', "h.conf")).host
    found = [str(d) for d in kernel_differences(host, SystemState(links=(), addrs=()), BUILTIN_MAP)]
    assert found == ["fxp0: configured -> (none)"]
