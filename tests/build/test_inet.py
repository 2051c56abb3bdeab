"""Addresses and masks the way ifconfig's inet_aton reads them."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rcnet.hosts import check_loaded
from rcnet.ifconfig.inet import (
    aton_parts,
    classful_prefixlen,
    inet_aton,
    mask_prefixlen,
    parse_inet,
    parse_inet6,
    parse_mask,
)
from rcnet.rcconf.load import load_text


@pytest.mark.parametrize(
    ("text", "address", "shorthand", "octal"),
    [
        ("192.0.2.1", "192.0.2.1", False, False),
        ("10.1", "10.0.0.1", True, False),
        ("127.1", "127.0.0.1", True, False),
        ("010.0.0.1", "8.0.0.1", False, True),
        ("0xc0.0.2.1", "192.0.2.1", False, False),
        ("3232235777", "192.168.1.1", True, False),
    ],
)
def test_inet_aton(text: str, address: str, shorthand: bool, octal: bool) -> None:
    aton = inet_aton(text)
    assert aton is not None
    assert str(aton.address) == address
    assert aton.shorthand is shorthand
    assert aton.octal is octal


@pytest.mark.parametrize("text", ["256.0.0.1", "1.2.3.4.5", "09.1.1.1", "1..2.3", "a.b.c.d", ""])
def test_inet_aton_rejects(text: str) -> None:
    assert inet_aton(text) is None


@pytest.mark.parametrize(
    ("text", "plen", "noncontiguous"),
    [
        ("255.255.255.0", 24, False),
        ("0xffffff00", 24, False),
        ("0xfffffff0", 28, False),
        ("255.255.255.255", 32, False),
        ("0.0.0.0", 0, False),
        ("255.0.255.0", 16, True),
        ("0xff00ff00", 16, True),
    ],
)
def test_masks(text: str, plen: int | None, noncontiguous: bool) -> None:
    mask = parse_mask(text)
    assert mask.prefixlen == plen
    assert mask.noncontiguous is noncontiguous


def test_not_a_mask() -> None:
    assert parse_mask("ffffff00").error is not None


def test_address_words() -> None:
    assert parse_inet("192.0.2.1/33").error is not None
    assert parse_inet("192.0.2.1/24").prefixlen == 24
    assert parse_inet("gw.example.org").hostname == "gw.example.org"
    assert parse_inet("192.0.2.300").error is not None
    six = parse_inet6("fe80::1%em0/64")
    assert six.scope == "em0" and six.prefixlen == 64
    assert parse_inet6("2001:db8::1/129").error is not None


@pytest.mark.parametrize(("addr", "plen"), [("10.1.2.3", 8), ("172.16.0.1", 16), ("192.0.2.1", 24)])
def test_classful(addr: str, plen: int) -> None:
    assert classful_prefixlen(ipaddress.IPv4Address(addr)) == plen


@settings(deadline=None)
@given(st.integers(0, 32))
def test_contiguous_masks_round_trip(plen: int) -> None:
    mask = int(ipaddress.IPv4Network(f"0.0.0.0/{plen}").netmask)
    assert mask_prefixlen(mask) == plen
    assert parse_mask(str(ipaddress.IPv4Address(mask))).prefixlen == plen
    assert parse_mask(f"0x{mask:08x}").prefixlen == plen


@settings(deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_masks_with_holes_are_rejected(mask: int) -> None:
    contiguous = any(mask == int(ipaddress.IPv4Network(f"0.0.0.0/{p}").netmask) for p in range(33))
    assert (mask_prefixlen(mask) is not None) == contiguous


@settings(deadline=None)
@given(st.ip_addresses(v=4), st.integers(0, 32))
def test_dotted_addresses_round_trip(addr: ipaddress.IPv4Address, plen: int) -> None:
    parsed = parse_inet(f"{addr}/{plen}")
    assert parsed.address == addr and parsed.prefixlen == plen


_part = st.one_of(
    st.integers(0, 300).map(str),
    st.sampled_from(["0", "00", "01", "007", "08", "0x", "0xff", "0XA", "255", "256", "", " 1"]),
    st.integers(0, 1 << 33).map(str),
)


@settings(deadline=None, max_examples=500)
@given(st.lists(_part, min_size=1, max_size=5).map(".".join), st.sampled_from(["", "/", "x"]))
def test_dotted_quad_shortcut_reads_as_every_part_does(text: str, tail: str) -> None:
    """inet_aton reads a plain dotted quad without the part-by-part reading: same result."""
    assert inet_aton(text + tail) == aton_parts(text + tail)


@settings(deadline=None, max_examples=300)
@example("0x\n")
@example("10.0x\n")
@given(st.text(st.sampled_from("0123456789xXaAfF.\n\u00b2\u0663 "), max_size=12))
def test_inet_aton_never_raises(text: str) -> None:
    """`0x` followed by a newline (the parts' pattern allowed a trailing newline) made int()
    raise; anything that is not an address is None."""
    aton = inet_aton(text)
    assert aton is None or 0 <= aton.value < 1 << 32


@pytest.mark.parametrize("digit", ["\u00b2", "\u0663"])  # superscript two, Arabic-Indic three
def test_only_ascii_digits_are_numbers(digit: str) -> None:
    """ifconfig reads numbers with strtol/atoi: ASCII digits only. str.isdigit took `²` (and
    int() then raised: a traceback) and `٣` (read as 3)."""
    assert parse_inet(f"10.0.0.1/{digit}").error == f"prefix length /{digit} is not 0-32"
    assert parse_inet6(f"fe80::1/{digit}").address is None
    text = "\n".join(
        [
            f'ifconfig_em0="inet 10.0.0.1/{digit}"',
            f'ifconfig_em1="inet 10.0.1.1/24 mtu {digit}"',
            f'ifconfig_em1_alias0="inet 10.0.2.1 prefixlen {digit}"',
            f'ifconfig_em1_alias1="inet 10.0.3.1-2{digit}/24"',
            f'netif_ipexpand_max="{digit}"',
            f'network_interfaces="em0 em1 em{digit} em0{digit}"',
        ]
    )
    checked = check_loaded(load_text(text))  # no traceback
    codes = {(f.loc.line if f.loc else 0, f.code) for f in checked.findings}
    assert {(1, "IF02"), (2, "IF11"), (3, "IF02"), (4, "AL07")} <= codes
    addresses = [str(a.interface) for i in checked.host.interfaces for a in i.addresses]
    assert addresses == ["10.0.1.1/24"]
