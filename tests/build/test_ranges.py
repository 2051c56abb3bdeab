"""Alias ranges as network.subr expands them, including the ways they go wrong."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .helpers import addresses, build, codes


def em0(aliases: str, extra: str = "") -> tuple[list[str], list[str]]:
    host, findings = build(
        f'ifconfig_em0="inet 10.0.0.2/24"\nifconfig_em0_aliases="{aliases}"\n{extra}'
    )
    return addresses(host, "em0")[1:], codes(findings)


def test_first_keeps_the_prefix_others_get_32() -> None:
    assert em0("inet 10.0.0.5-7/24") == (["10.0.0.5/24", "10.0.0.6/32", "10.0.0.7/32"], [])


def test_without_prefix_all_are_32() -> None:
    assert em0("inet 10.0.0.5-6")[0] == ["10.0.0.5/32", "10.0.0.6/32"]


def test_netmask_applies_to_each() -> None:
    assert em0("inet 10.0.0.5-6 netmask 255.255.255.0")[0] == ["10.0.0.5/24", "10.0.0.6/24"]


def test_range_in_an_inner_octet() -> None:
    assert em0("inet 10.1-2.0.1/32")[0] == ["10.1.0.1/32", "10.2.0.1/32"]


def test_extra_words_apply_to_each_address() -> None:
    host, findings = build(
        'ifconfig_em0="inet 10.0.0.2/24"\n'
        'ifconfig_em0_alias0="inet 10.0.0.20-21/32 vhid 7 pass secret"\n'
    )
    assert [v.vhid for v in host.vhids] == [7]
    assert [str(a) for a in host.vhids[0].addresses] == ["10.0.0.20/32", "10.0.0.21/32"]
    assert findings == []


def test_ipv4_addrs_ranges() -> None:
    host, _ = build('cloned_interfaces="lo1"\nipv4_addrs_lo1="10.0.1.1-3/24 10.0.2.1/24"\n')
    assert addresses(host, "lo1") == ["10.0.1.1/24", "10.0.1.2/32", "10.0.1.3/32", "10.0.2.1/24"]


def test_limit_is_netif_ipexpand_max_as_the_code_counts() -> None:
    # rc appends before it checks, so it adds low..low+max+1 and then warns
    got, found = em0("inet 10.0.0.10-50/32", 'netif_ipexpand_max="3"\n')
    assert got == [f"10.0.0.{n}/32" for n in range(10, 15)]
    assert found == ["AL07"]


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("inet 10.0.0.9-5/32", "AL07"),  # low > high
        ("inet 10.0.0.1--3/32", "AL07"),  # `--`
        ("inet 10.0.0.250-256/32", "AL07"),  # past 255
        ("inet web-1.example.org", "AL06"),
        ("inet 10.0.0.1/32 vhid 1 pass ab-cd", "AL06"),
    ],
)
def test_bad_ranges(word: str, code: str) -> None:
    _, found = em0(word)
    assert code in found


def test_inet6_ranges() -> None:
    host, findings = build(
        'ifconfig_em0_ipv6="inet6 2001:db8::1/64"\n'
        'ifconfig_em0_aliases="inet6 2001:db8:1-3::1/64"\n'
    )
    assert addresses(host, "em0") == [
        "2001:db8::1/64",
        "2001:db8:1::1/64",
        "2001:db8:2::1/64",
        "2001:db8:3::1/64",
    ]
    assert findings == []


def test_inet6_range_default_prefix() -> None:
    host, _ = build(
        'ifconfig_em0_ipv6="inet6 auto_linklocal"\nifconfig_em0_alias0="inet6 2001:db8::a-b"\n'
    )
    assert addresses(host, "em0") == ["2001:db8::a/64", "2001:db8::b/64"]


@settings(deadline=None, max_examples=60)
@given(st.integers(0, 255), st.integers(0, 255), st.integers(8, 32))
def test_any_valid_range(low: int, high: int, plen: int) -> None:
    got, found = em0(f"inet 10.9.9.{low}-{high}/{plen}")
    if low > high:
        assert got == [] and found == ["AL07"]
    else:
        want = [f"10.9.9.{n}/{plen if n == low else 32}" for n in range(low, high + 1)]
        assert got == want
        assert found == []
