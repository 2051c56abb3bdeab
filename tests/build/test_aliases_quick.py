"""alias_calls' plain lane (issue 8): a value that is a plain `inet A.B.C.D/len [vhid N]`
becomes its call without the pass's word lists, segments, range search and shell-syntax
scan, and the other words are cut per variable. Both must give exactly what rc's way gives
(all words of a pass joined, then cut): alias_calls(quick=False)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rcnet.netsubr.aliases import alias_calls
from rcnet.netsubr.common import Env, Report
from rcnet.rcconf.load import load_text

_ADDRESS = st.sampled_from(
    ["10.0.0.1/32", "10.1.2.3/24", "192.0.2.255/0", "255.255.255.255/32", "10.0.0.1",
     "010.0.0.1/32", "10.0.0.256/32", "10.0.0.1/33", "10.0.0.1/032", "10.0.0.1/24;ls",
     "10.0.0.5-9/32", "10.1", "2001:db8::1/64", "fe80::1%em0", "10.0.0.1/24 up"]
)  # fmt: skip
_VHID = st.sampled_from(
    [
        "",
        " vhid 1",
        " vhid 255",
        " vhid 0",
        " vhid 256",
        " vhid 07",
        " vhid",
        " vhid 3 advskew 100",
        " vhid 1 vhid 2",
        " advskew 1 vhid 2",
    ]
)
_PLAIN_ISH = st.tuples(
    st.sampled_from(["inet ", "inet  ", "inet\t", " inet ", "", "inet6 ", "Inet "]), _ADDRESS, _VHID
).map("".join)
_OTHER = st.sampled_from(
    ["", "inet6 2001:db8::5/64", "link 00:11:22:33:44:55", "ether 00:11:22:33:44:66",
     "inet 10.0.0.9/32 inet6 2001:db8::9/64", "inet 10.0.0.1/32 netmask 255.0.0.0",
     "10.0.0.7/32", "inet 10.0.0.1/32 alias", "inet 10.0.0.20-22/32", "inet `x`"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_PLAIN_ISH | _OTHER, max_size=7),
    st.sampled_from([None, "", "inet 10.9.0.1/24 inet 10.9.0.2/32", "up inet 10.9.0.3/32"]),
    st.sampled_from([None, "", "10.8.0.1/24 10.8.0.2/32", "inet"]),
    st.sampled_from([None, "vlan", "carp"]),
    st.booleans(),
)
def test_plain_lane_equals_rcs_way(
    values: list[str], aliases: str | None, ipv4_addrs: str | None, kind: str | None, gap: bool
) -> None:
    lines = ['ifconfig_em0="inet 10.0.0.254/8"', 'ipv6_network_interfaces="em0"']
    lines += ['ifconfig_em0_ipv6="inet6 auto_linklocal"']
    lines += [
        f'ifconfig_em0_alias{n + (2 if gap and n else 0)}="{v}"' for n, v in enumerate(values)
    ]
    if aliases is not None:
        lines.append(f'ifconfig_em0_aliases="{aliases}"')
    if ipv4_addrs is not None:
        lines.append(f'ipv4_addrs_em0="{ipv4_addrs}"')
    loaded = load_text("\n".join(lines) + "\n")
    results = []
    for quick in (True, False):
        report = Report()
        calls = alias_calls(Env(loaded.netif), "em0", kind, report, quick=quick)
        results.append((calls, repr(calls), report.items))
    assert results[0] == results[1]


def test_plain_values_take_the_lane() -> None:
    from rcnet.netsubr.aliases import _plain_calls

    loaded = load_text(
        'ifconfig_em0_alias0="inet 10.0.0.1/32"\nifconfig_em0_alias1="inet 10.0.0.2/32 vhid 3"\n'
        'ifconfig_em0_alias2="inet 10.0.0.3/32  vhid 3"\nifconfig_em0_alias3="inet 010.0.0.4/32"\n'
    )
    env = Env(loaded.netif)
    plain = _plain_calls(env, "em0", None)
    taken = [n for n in range(4) if id(env.value(f"ifconfig_em0_alias{n}")) in plain]
    assert taken == [0, 1]


@pytest.mark.parametrize(
    "text",
    ["inet x", "inet6 x", "inet", "inet6", "link x", "ether  y", "ether", "Inet x", " inet x",
     "inetx", "inet6x", "inet\tx", "", "linkx x", "inet6  x"],
)  # fmt: skip
def test_family_is_the_first_keyword_followed_by_a_space(text: str) -> None:
    from rcnet.netsubr.aliases import FAMILY_WORDS, _family

    assert _family(text) == next((f for f in FAMILY_WORDS if text.startswith(f"{f} ")), None)


_PER_IF_NAMES = st.tuples(
    st.sampled_from(["ifconfig_", "ipv4_addrs_", "ipv6_prefix_", "ipv6_ifconfig_", "ifconfig",
                     "Ifconfig_", "ipv6_", "hostname", ""]),
    st.text(alphabet="em0123_aliasipv6DEFAULTnamedscr\n", max_size=16),
).map("".join) | st.sampled_from(
    ["ifconfig_em0_alias12", "ifconfig_em0_alias", "ifconfig_em0_aliases", "ifconfig_em0_name",
     "ifconfig_em0_ipv6_alias3", "ifconfig_DEFAULT_ipv6", "ifconfig_em0_descr", "ifconfig__ipv6",
     "ipv6_ifconfigx", "ipv4_addrs", "ipv6_prefix_", "ifconfig_"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(_PER_IF_NAMES)
def test_per_interface_variable_is_read_in_one_match(name: str) -> None:
    """collect_names' one regex splits a name as rc's prefix, then the name and suffix do
    (the prefix a listed one; the rest as `^(?P<vif>.+?)(?P<suffix>...)?$` splits it)."""
    import re

    from rcnet.netsubr.interfaces import _PER_IF_PREFIXES, _PER_IF_VAR

    prefix = next((p for p in _PER_IF_PREFIXES if name.startswith(p)), None)
    two_steps = None
    if prefix is not None:
        rest = re.match(
            r"^(?P<vif>.+?)(?P<suffix>_ipv6|_alias\d.*|_aliases|_name|_descr)?$",
            name[len(prefix) :],
        )
        two_steps = (prefix, rest.group("vif"), rest.group("suffix")) if rest else None
    m = _PER_IF_VAR.match(name)
    assert (m.group(1, "vif", "suffix") if m else None) == two_steps
