"""The one status renderer (rcnet.daemon.status), from the one full JSON form of the engine's
status: what `rcnet status`, `rcnet ifconfig` and SIGUSR1 print. No kernel needed."""

from __future__ import annotations

import random
from dataclasses import replace
from ipaddress import IPv4Address
from pathlib import Path

from lab.hosts import handbook_provider

from rcnet.carp.engine import Engine
from rcnet.daemon.status import render_status, state_lines


def answer(engine: Engine, now: int) -> dict[str, object]:
    return {
        "vhids": [s.to_json(now) for s in engine.status()],
        "counters": engine.counters.to_json(),
    }


def test_carp_vhids_render_as_ifconfig_and_netstat() -> None:
    e = Engine(handbook_provider(), random.Random(1), 0)
    e.start(0)
    text = render_status(answer(e, 2_000_000))
    assert text.splitlines()[:5] == [
        "carp0: vhid 1 parent fxp0",
        "\tinet 192.168.1.50/24 vhid 1",
        "\tcarp: BACKUP vhid 1 advbase 1 advskew 100",
        "\tsince 2.0 s",
        "carp1: vhid 2 parent fxp0",
    ]
    assert "carp:" in text.splitlines() and "\t0 packets received (IPv4)" in text.splitlines()


def test_peers_and_vrrp_lines() -> None:
    host = handbook_provider()
    v1 = replace(host.vhids[0], peer=IPv4Address("192.168.1.3"))
    v2 = replace(host.vhids[1], version=3, vrrp_prio=150, vrrp_interval=50)
    e = Engine(replace(host, vhids=(v1, v2)), random.Random(1), 0)
    first, second = (s.to_json(0) for s in e.status())
    assert state_lines(first) == [
        "carp: INIT vhid 1 advbase 1 advskew 100",
        "      peer 192.168.1.3 peer6 ff02::12",
    ]
    assert first["peer"] == "192.168.1.3" and first["peer6"] is None
    assert state_lines(second) == ["vrrp: INIT vrid 2 prio 150 interval 50"]
    assert "\tvrrp: INIT vrid 2 prio 150 interval 50" in render_status(answer(e, 0)).splitlines()


def test_one_list_of_carp_sysctls(tmp_path: Path) -> None:
    """net.inet.carp.dscp was accepted by the daemon, warned about by check (SY02) and refused
    by the `rcnet sysctl` client: every list now derives from model.CarpSysctls."""
    from rcnet.carp.engine import SYSCTL_NAMES
    from rcnet.commands.control import SYSCTLS
    from rcnet.hosts import read_host
    from rcnet.model import CARP_SYSCTLS, CarpSysctls
    from rcnet.rcconf.sysctl import KNOWN

    assert "dscp" in CARP_SYSCTLS
    assert SYSCTL_NAMES == SYSCTLS == KNOWN == CARP_SYSCTLS
    assert tuple(CarpSysctls().to_json()) == CARP_SYSCTLS
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "rc.conf").write_text('hostname="h.example.org"\n')
    (etc / "sysctl.conf").write_text("net.inet.carp.dscp=46\n")
    checked = read_host(str(etc))
    assert [f.code for f in checked.findings if f.code.startswith("SY")] == []
    assert checked.host.sysctls.dscp == 46
    e = Engine(checked.host, random.Random(1), 0)
    assert e.sysctl("dscp") == 46 and e.sysctls()["net.inet.carp.dscp"] == 46


def test_a_newline_in_a_field_cannot_start_a_line() -> None:
    # the daemon's answer is not trusted: a field holding "\n" printed a line of its own
    e = Engine(handbook_provider(), random.Random(1), 0)
    e.start(0)
    data = answer(e, 1_000_000)
    vhids = data["vhids"]
    assert isinstance(vhids, list)
    vhids[0]["parent"] = "fxp0\ncarp: MASTER vhid 9 forged\x1b]0;x\x07"
    lines = render_status(data).splitlines()
    assert lines[0] == "carp0: vhid 1 parent fxp0\\ncarp: MASTER vhid 9 forged\\x1b]0;x\\x07"
    assert not any(line.startswith("carp: MASTER vhid 9") for line in lines)
