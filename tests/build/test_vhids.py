"""CARP vhids from the configuration: legacy carpN and modern vhid-on-alias."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from rcnet.model import Address, carp_key
from rcnet.netsubr.configure import Configured, Placed
from rcnet.netsubr.vhids import _static, own_networks

from .helpers import build, codes, only

LAN = 'ifconfig_em0="inet 192.168.1.5/24"\n'


def test_legacy_parent_is_the_longest_prefix_match() -> None:
    host, _ = build(
        'ifconfig_em0="inet 10.0.0.5/8"\nifconfig_em1="inet 10.1.0.5/16"\n'
        'cloned_interfaces="carp0"\nifconfig_carp0="vhid 7 pass p 10.1.2.3/16"\n'
    )
    (vhid,) = host.vhids
    assert (vhid.interface, vhid.parent, vhid.legacy) == ("carp0", "em1", True)
    assert vhid.segment == ipaddress.ip_network("10.1.0.0/16")
    assert [str(a) for a in vhid.addresses] == ["10.1.2.3/16"]  # the prefix as written


def test_legacy_without_parent() -> None:
    host, findings = build(
        LAN + 'cloned_interfaces="carp0"\nifconfig_carp0="vhid 1 172.16.0.1/24"\n'
    )
    # FreeBSD <= 9 refuses the address (carp_set_addr finds no parent): nothing configured
    assert host.vhids == ()
    carp0 = host.interface("carp0")
    assert carp0 is not None and carp0.addresses == ()
    assert [f.severity for f in only(findings, "CA09")] == ["error"]


def test_legacy_aliases_join_the_vhid() -> None:
    host, _ = build(
        LAN + 'cloned_interfaces="carp0"\nifconfig_carp0="vhid 1 pass p 192.168.1.50/24"\n'
        'ifconfig_carp0_alias0="inet 192.168.1.52/24"\n'
    )
    assert [str(a) for a in host.vhids[0].addresses] == ["192.168.1.50/24", "192.168.1.52/24"]
    carp0 = host.interface("carp0")
    assert carp0 is not None and {a.vhid for a in carp0.addresses} == {1}


def test_legacy_without_vhid_is_ca02() -> None:
    host, findings = build(LAN + 'cloned_interfaces="carp0"\nifconfig_carp0="192.168.1.50/24"\n')
    assert host.vhids == ()
    assert "CA02" in codes(findings)


def test_modern_vhid_merges_lines_and_keys_the_pass() -> None:
    host, findings = build(
        LAN
        + 'ifconfig_em0_alias0="inet vhid 3 advskew 20 advbase 2 pass pw alias 192.168.1.50/32"\n'
        'ifconfig_em0_alias1="inet vhid 3 advskew 20 advbase 2 pass pw alias 192.168.1.51/32"\n'
        'ifconfig_em0_alias2="inet vhid 4 state backup peer 192.168.1.6 alias 192.168.1.52/32"\n'
    )
    assert findings == []
    v3, v4 = host.vhids
    assert (v3.interface, v3.parent, v3.advskew, v3.advbase) == ("em0", "em0", 20, 2)
    assert v3.key == carp_key("pw") and v3.pass_set and not v3.legacy
    assert [str(a) for a in v3.addresses] == ["192.168.1.50/32", "192.168.1.51/32"]
    assert v3.key_id == "3@192.168.1.0/24"
    assert not v4.pass_set and v4.state == "backup" and str(v4.peer) == "192.168.1.6"
    assert "pw" not in repr(v3)


def test_modern_segment_needs_a_static_parent_address() -> None:
    host, _ = build('ifconfig_em0="DHCP"\nifconfig_em0_alias0="inet vhid 1 alias 10.0.0.9/32"\n')
    assert host.vhids[0].segment is None


def test_ca04_conflicts_and_duplicate_vhids() -> None:
    _, findings = build(
        LAN + 'ifconfig_em0_alias0="inet vhid 3 pass pwalpha alias 192.168.1.50/32"\n'
        'ifconfig_em0_alias1="inet vhid 3 pass pwbeta alias 192.168.1.51/32"\n'
    )
    (ca04,) = only(findings, "CA04")
    assert "pass" in ca04.message
    assert "pwalpha" not in ca04.message and "pwbeta" not in ca04.message
    _, findings = build(
        LAN + 'cloned_interfaces="carp0 carp1"\n'
        'ifconfig_carp0="vhid 1 192.168.1.50/24"\nifconfig_carp1="vhid 1 192.168.1.51/24"\n'
    )
    assert codes(findings).count("CA04") == 1


def test_ca08_only_on_a_physical_primary() -> None:
    _, findings = build('ifconfig_em0="inet vhid 1 pass x 192.168.1.5/24"\n')
    assert "CA08" in codes(findings)
    _, findings = build(
        LAN + 'cloned_interfaces="carp0"\nifconfig_carp0="vhid 1 192.168.1.50/24"\n'
    )
    assert "CA08" not in codes(findings)


def test_ca09_quiet_when_the_vip_is_in_a_prefix() -> None:
    _, findings = build(LAN + 'ifconfig_em0_alias0="inet vhid 1 alias 192.168.1.50/32"\n')
    assert findings == []


def test_ca09_names_each_vip_outside_the_interfaces_prefixes() -> None:
    """CA09 per VIP (IPv4 and IPv6, a scoped one shown without its zone, as before the test
    took the addresses' integers), none for the VIP inside 192.168.1.0/24."""
    _, findings = build(
        LAN + 'ipv6_network_interfaces="em0"\nifconfig_em0_ipv6="inet6 2001:db8::1/64"\n'
        'ifconfig_em0_alias0="inet 10.0.0.5/32 vhid 3"\n'
        'ifconfig_em0_alias1="inet6 fe80::5%em0/64 vhid 4"\n'
        'ifconfig_em0_alias2="inet6 2001:db8::7/64 vhid 5"\n'
        'ifconfig_em0_alias3="inet 192.168.1.9/32 vhid 6"\n'
    )
    shown = [f.message.split(" is in no prefix")[0] for f in only(findings, "CA09")]
    assert shown == ["the VIP 10.0.0.5", "the VIP fe80::5"]


def test_du02_skips_carp_addresses() -> None:
    _, findings = build(
        LAN + 'ifconfig_em1="inet 10.0.0.1/24"\n'
        'ifconfig_em1_alias0="inet vhid 1 alias 192.168.1.50/24"\n'
        'cloned_interfaces="carp0"\nifconfig_carp0="vhid 2 192.168.1.51/24"\n'
    )
    assert "DU02" not in codes(findings)


def test_cl05_shows_the_modern_line_without_the_pass() -> None:
    _, findings = build(
        LAN + 'cloned_interfaces="carp0"\n'
        'ifconfig_carp0="vhid 1 advskew 100 pass topsecret 192.168.1.50/24"\n'
    )
    (cl05,) = only(findings, "CL05")
    assert cl05.severity == "info"
    assert 'ifconfig_em0_aliasN="inet vhid 1 advskew 100 pass ******** alias 192.168.1.50/32"' in (
        cl05.message
    )
    assert "topsecret" not in cl05.message


_ADDRESS = st.one_of(
    st.tuples(st.just("inet"), st.integers(0, 2**32 - 1), st.integers(0, 32)),
    st.tuples(st.just("inet6"), st.integers(0, 2**128 - 1), st.integers(0, 128)),
)

_TYPES = {"inet": ipaddress.IPv4Address, "inet6": ipaddress.IPv6Address}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_ADDRESS, st.none() | st.integers(1, 255)), max_size=12))
def test_own_networks_are_those_of_the_static_interfaces(
    addresses: list[tuple[tuple[str, int, int], int | None]],
) -> None:
    """vhids.own_networks (the CA09 test's prefixes, from the addresses' integers) equals the
    networks of the ipaddress interfaces of the static addresses, per family."""
    placed = tuple(
        Placed(Address(fam, _TYPES[fam](n), plen, vhid), None, None)  # type: ignore[arg-type]
        for (fam, n, plen), vhid in addresses
    )
    c = Configured(None, None, placed, None, None, None, ())  # type: ignore[arg-type]
    for family in ("inet", "inet6"):
        expected: dict[int, set[int]] = {}
        for own in _static(c, family):
            expected.setdefault(own.network.prefixlen, set()).add(int(own.network.network_address))
        assert own_networks(c, family) == expected
