"""SH08: misspelt networking variables, and no false alarms on service variables."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rcnet.hosts import read_host
from rcnet.lint.names import suggest_name, suggestion


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
        # per-interface suffixes and prefixes (issue 8)
        ("ifconfig_em0_aliases0", "ifconfig_em0_alias0"),
        ("ifconfig_em0_alias_0", "ifconfig_em0_alias0"),
        ("ifconfig_em0_101_alias_12", "ifconfig_em0_101_alias12"),
        ("ifconfig_em0_ipv66", "ifconfig_em0_ipv6"),
        ("ipv4_addr_em0", "ipv4_addrs_em0"),
        ("ipv6_addrs_em0", "ifconfig_em0_ipv6"),
        ("vlan_em0", "vlans_em0"),
        ("create_arg_lagg0", "create_args_lagg0"),
        # the same suffix word, a near-miss stem
        ("clone_interfaces", "cloned_interfaces"),
        ("netwait_enabel", "netwait_enable"),
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
        "ifconfig_em0_5",
        "ifconfig_lagg0_vlan5",
        "ipv4_addrs_em0",
        "ipv6_prefix_em0",
        "vlans_em0",
        "routed_flags",
        "ntpd_enable",
        "rtsold_enable",
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


def test_ipv6_addrs_says_how_to_write_it() -> None:
    from rcnet.lint.names import suggestion

    assert suggestion("ipv6_addrs_em0") == (
        "ifconfig_em0_ipv6",
        "(`inet6 ADDR/LEN`; more addresses go in ifconfig_em0_aliases)",
    )


@pytest.mark.parametrize(
    ("line", "better"),
    [
        ('ifconfig_em0_aliases0="inet 10.0.0.2/32"', "ifconfig_em0_alias0"),
        ('ifconfig_em0_alias_0="inet 10.0.0.2/32"', "ifconfig_em0_alias0"),
        ('ifconfig_em0_alais0="inet 10.0.0.2/32"', "ifconfig_em0_alias0"),
        ('ifconfig_em0_ipv66="inet6 2001:db8::1/64"', "ifconfig_em0_ipv6"),
        ('ipv4_addr_em0="10.0.0.2/32"', "ipv4_addrs_em0"),
        ('ipv6_addrs_em0="2001:db8::2/64"', "ifconfig_em0_ipv6"),
        ('clone_interfaces="bridge0"', "cloned_interfaces"),
    ],
)
def test_one_mistake_one_finding(tmp_path: Path, line: str, better: str) -> None:
    """A misspelt name gives its SH08 and nothing computed from it: before, the builder took
    `ifconfig_em0_aliases0` for the interface em0_aliases0 and added "em0_aliases0 is not in
    network_interfaces" (IF13)."""
    conf = tmp_path / "rc.conf"
    conf.write_text(
        'hostname="x.example.org"\n'
        'network_interfaces="em0 lo0"\n'
        'ifconfig_em0="inet 10.0.0.1/24"\n'
        f"{line}\n"
    )
    found = read_host(str(conf)).findings
    assert [(f.code, f.loc.line if f.loc else None) for f in found] == [("SH08", 4)]
    assert f"did you mean {better}?" in found[0].message


def test_follow_on_filter_keeps_other_mistakes(tmp_path: Path) -> None:
    """Findings not drawn from the misspelt name stay: a bad mask elsewhere, an sh error on
    the same line."""
    conf = tmp_path / "rc.conf"
    conf.write_text(
        'hostname="x.example.org"\n'
        'ifconfig_em0="inet 10.0.0.1"\n'
        'ifconfig_em0_alais0="inet 10.0.0.2/32" ; ifconfig_em1_alais0=inet 10.0.1.2/32\n'
    )
    codes = sorted(f.code for f in read_host(str(conf)).findings)
    assert codes == ["IF06", "SH01", "SH08"]


@settings(max_examples=500, deadline=None)
@given(
    st.from_regex(r"ifconfig_[A-Za-z0-9_]{0,14}_alias[0-9]{1,5}", fullmatch=True)
    | st.from_regex(
        r"ifconfig_[a-z]{1,5}[0-9]{0,3}_(alias|aliases|alais|alias_)[0-9]{0,3}", fullmatch=True
    )
)
def test_alias_names_shortcut_equals_the_full_lookup(name: str) -> None:
    """An `ifconfig_<if>_alias<N>` name is never a misspelling (suggestion's shortcut): the full
    lookup says the same for it, and near misses still go the full way."""
    assert suggestion(name) == suggestion(name, quick=False)
