"""bench.peers: the generated configurations say what the benchmark claims they say."""

from __future__ import annotations

import os
import shutil
import subprocess
from ipaddress import IPv4Address, IPv4Interface
from pathlib import Path

import pytest

from bench.peers import (
    Keepalived,
    Rcnet,
    Role,
    Setup,
    Ucarp,
    carp_bound_us,
    carp_interval_us,
    vrrp_bound_us,
)

ROLES = {
    "m": Role("m", IPv4Interface("10.9.0.1/16"), 0),
    "b": Role("b", IPv4Interface("10.9.0.2/16"), 100),
}


def test_bounds_follow_carp_and_vrrp() -> None:
    assert carp_bound_us(1, 100) == 3_390_625  # carp.md §4.1: tv(3, 100)
    assert carp_bound_us(1, 0) == 3_000_000
    assert vrrp_bound_us(1, 100) == 3_609_375  # 3 + 156/256 s
    assert vrrp_bound_us(1, 200) == 3_218_750
    assert carp_interval_us(1, 100) == 1_390_625


def test_many_vhids_have_distinct_addresses() -> None:
    setup = Setup.many(255)
    assert sorted(setup.vips) == list(range(1, 256))
    assert len({v.ip for v in setup.vips.values()}) == 255
    assert all(v.network.prefixlen == 32 for v in setup.vips.values())


@pytest.mark.parametrize("count", [1, 255])
def test_rcnet_rc_conf_reads_back_as_count_vhids(tmp_path: Path, count: int) -> None:
    from rcnet.hosts import read_host

    impl = Rcnet(tmp_path, Setup.many(count), ROLES)
    impl.configure()
    for host, skew in (("m", 0), ("b", 100)):
        checked = read_host(str(impl.conf_path(host)))
        assert [f for f in checked.findings if f.severity == "error"] == []
        vhids = checked.host.vhids
        assert len(vhids) == count
        assert {v.parent for v in vhids} == {"fxp0"}
        assert {v.advskew for v in vhids} == {skew}
        assert {v.advbase for v in vhids} == {1}
        assert not any(v.legacy for v in vhids)
        assert vhids[-1].addresses[0].ip == Setup.many(count).vips[count].ip


def test_rcnet_states_come_from_its_log(tmp_path: Path) -> None:
    impl = Rcnet(tmp_path, Setup.many(2), ROLES)
    log = tmp_path / "m.log"
    log.write_text(
        "19:00:00.001 carp: 1@fxp0: INIT -> BACKUP (initialization complete)\n"
        "19:00:00.001 carp: 2@fxp0: INIT -> BACKUP (initialization complete)\n"
        "19:00:03.001 carp: 1@fxp0: BACKUP -> MASTER (master timed out)\n"
    )
    impl.logs["m"] = log
    assert impl.states("m") == {1: "MASTER", 2: "BACKUP"}
    assert (impl.masters("m"), impl.backups("m")) == (1, 1)
    assert impl.states("b") == {}


def test_keepalived_conf_is_vrrp_nopreempt_with_priorities(tmp_path: Path) -> None:
    impl = Keepalived(tmp_path, Setup({1: IPv4Interface("192.168.1.50/24")}), ROLES)
    impl.configure()
    text = impl.conf_path("b").read_text()
    assert "virtual_router_id 1" in text and "priority 100" in text and "nopreempt" in text
    assert "192.168.1.50/24 dev fxp0" in text
    assert "auth_type PASS" in text and "auth_pass benchpas\n" in text  # 8 characters kept
    assert impl.bound_us("b") == 3_609_375
    assert impl.bow_out_wait_us("b") == 609_375  # Skew_Time after a priority-0 advert
    impl.logs["b"] = tmp_path / "ka.log"
    impl.logs["b"].write_text("(VI_1) Entering BACKUP STATE (init)\n(VI_1) Entering MASTER STATE\n")
    assert impl.states("b") == {1: "MASTER"}


@pytest.mark.skipif(
    shutil.which("keepalived") is None, reason="keepalived is not installed (make deps installs it)"
)
def test_keepalived_accepts_the_generated_conf(tmp_path: Path) -> None:
    vrrp_roles = {h: Role(h, r.address, 200 if h == "m" else 100) for h, r in ROLES.items()}
    impl = Keepalived(tmp_path, Setup.many(64), vrrp_roles)
    impl.configure()
    done = subprocess.run(
        ["keepalived", "-t", "-f", str(impl.conf_path("m"))],
        capture_output=True,
        text=True,
        timeout=30,
    )
    # run here, outside a namespace with an fxp0, its only complaint may be the missing fxp0
    complaints = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.strip() and "fxp0" not in line and "Non-existent interface" not in line
    ]
    assert complaints == []


def test_ucarp_scripts_move_the_vip_and_record_the_state(tmp_path: Path) -> None:
    impl = Ucarp(tmp_path, Setup({3: IPv4Interface("192.168.1.50/24")}), ROLES)
    impl.configure()
    # a stand-in `ip` records its arguments: nothing touches this machine's network
    stub = tmp_path / "bin"
    stub.mkdir()
    (stub / "ip").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/ip.calls\n')
    (stub / "ip").chmod(0o755)
    env = {**os.environ, "PATH": f"{stub}:{os.environ['PATH']}"}
    for up in (True, False):
        script = impl._script("m", up)
        subprocess.run([str(script), "fxp0", "192.168.1.50", "3/24"], env=env, check=True)
    calls = (tmp_path / "ip.calls").read_text().splitlines()
    assert calls == ["addr add 192.168.1.50/24 dev fxp0", "addr del 192.168.1.50/24 dev fxp0"]
    assert impl.states("m") == {3: "BACKUP"}
    assert (tmp_path / "ucarp-m.state").read_text() == "3 MASTER\n3 BACKUP\n"


def test_vip_addresses_are_ipv4(tmp_path: Path) -> None:
    impl = Rcnet(tmp_path, Setup.many(1), ROLES)
    assert impl.setup.vips[1].ip == IPv4Address("10.9.1.2")
