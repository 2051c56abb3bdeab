"""SH08: misspelt networking variables, and no false alarms on service variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from rcnet.hosts import read_host
from rcnet.lint.names import suggest_name


@pytest.mark.parametrize(
    ("name", "better"),
    [
        ("ifconfig_em0_alais0", "ifconfig_em0_alias0"),
        ("ifconfig_em0_aliasses", "ifconfig_em0_aliases"),
        ("ifconfig_em0_nmae", "ifconfig_em0_name"),
        ("ifconifg_em0", "ifconfig_em0"),
        ("defaultroutr", "defaultrouter"),
        ("gateway_enabel", "gateway_enable"),
        ("cloned_interface", "cloned_interfaces"),
        ("static_route", "static_routes"),
        ("ipv6_defaultroutr", "ipv6_defaultrouter"),
    ],
)
def test_misspellings_get_the_intended_name(name: str, better: str) -> None:
    assert suggest_name(name) == better


@pytest.mark.parametrize(
    "name",
    [
        "ifconfig_em0",
        "ifconfig_em0_alias12",
        "ifconfig_em0_aliases",
        "ifconfig_em0_ipv6",
        "ifconfig_em0_101",
        "ifconfig_DEFAULT",
        "routed_enable",
        "route6d_enable",
        "sshd_enable",
        "kld_list",
        "rtsold_enable",
        "natd_interface",
        "sshd_flags",
        "svc1234_enable",
        "route_lan",
        "create_args_wlan0",
    ],
)
def test_real_variables_are_left_alone(name: str) -> None:
    assert suggest_name(name) is None


def test_sh08_finding_has_location_and_suggestion(tmp_path: Path) -> None:
    conf = tmp_path / "rc.conf"
    conf.write_text(
        'hostname="x.example.org"\n'
        'ifconfig_em0="inet 10.0.0.2/24"\n'
        'ifconfig_em0_alais0="inet 10.0.0.10/32"\n'
    )
    found = [f for f in read_host(str(conf)).findings if f.code == "SH08"]
    assert len(found) == 1
    f = found[0]
    assert f.severity == "error"
    assert f.loc is not None and (f.loc.line, f.loc.column) == (3, 1)
    assert "ifconfig_em0_alias0" in f.message
