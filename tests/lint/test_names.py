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


def _prefix_as_written_first(name: str) -> str | None:
    """names._suggest_prefix as it was first written (every split of the name, _close on
    each): the reference for its quicker form."""
    import re

    from rcnet.lint import names

    head, _, rest = name.partition("_")
    if rest and names._close(head, ("ifconfig",), 0.75):
        return "ifconfig_" + rest
    parts = name.split("_")
    for k in range(1, len(parts)):
        start, rest = "_".join(parts[:k]) + "_", "_".join(parts[k:])
        if not re.match(r"^[a-z]+[0-9]+(_[A-Za-z0-9]+)*$", rest):
            continue
        fixed = names._close(start, names.INTERFACE_PREFIXES, 0.85)
        if fixed is not None:
            return fixed + rest
    return None


def _plain_as_written_first(name: str) -> str | None:
    """names._suggest_plain as first written (every known name of the first letter)."""
    from rcnet.lint import names

    stem, _, suffix = name.rpartition("_")
    candidates = tuple(
        k for k in names._BY_FIRST.get(name[:1], ()) if names._same_service(stem, suffix, k)
    )
    return names._close(name, candidates, 0.85)


_name_piece = st.sampled_from(
    ["_", "i", "if", "ifconfg", "ifconfig", "ipv4_addr", "ipv6_prefx", "vlan", "wlan", "em0",
     "lagg0", "vlan5", "101", "svc", "svc998", "enable", "enabel", "flags", "static_route",
     "defaultroutr", "gateway", "cloned_interface", "clone", "s", "x", "network", "interfaces",
     "hostnme", "routing", "A", "Em0", "0", "rtadv", "netf", "gatway", "ipv6", "_enable",
     "_flags", "_program", "_pairs"]
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(_name_piece, min_size=1, max_size=5).map("".join))
def test_quick_prefix_and_plain_suggestions_equal_the_first_ones(name: str) -> None:
    """The suggestion helpers' quicker forms (one regex for the interface-name splits; only
    known names of the same service suffix, length test before _same_service) suggest what
    the first forms did."""
    from rcnet.lint import names

    assert names._suggest_prefix(name) == _prefix_as_written_first(name)
    assert names._suggest_plain(name) == _plain_as_written_first(name)


def test_quick_suggestions_still_suggest() -> None:
    """The reference comparison above sees names that get a suggestion, too."""
    from rcnet.lint import names

    assert names._suggest_prefix("ipv4_addr_em0") == "ipv4_addrs_em0"
    assert names._suggest_prefix("ifconfg_em0") == "ifconfig_em0"
    assert names._suggest_plain("defaultroutr") == "defaultrouter"
    assert names._suggest_plain("svc998_enable") is None
    assert names._suggest_plain("rtadv_enable") == "rtadvd_enable"  # a service suffix
