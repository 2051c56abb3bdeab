"""One ifconfig call: addresses, masks, CARP words and the findings ifconfig would cause."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rcnet.ifconfig import CallContext, parse_call
from rcnet.ifconfig.call import Call
from rcnet.ifconfig.words import eval_split, split_fields, strip_pseudo


def call(text: str, kind: str | None = None, alias: bool = False) -> Call:
    kept, _ = strip_pseudo(split_fields(text))
    words = eval_split(kept, "ifconfig_em0").words
    return parse_call(words, CallContext("em0", "ifconfig_em0", kind, alias))


def addrs(c: Call) -> list[str]:
    return [f"{a.address}/{a.prefixlen}" for a in c.addresses]


def codes(c: Call) -> list[str]:
    return [f.code for f in c.findings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("inet 198.51.100.10 netmask 0xffffff00", "198.51.100.10/24"),
        ("inet 198.51.100.10 netmask 255.255.255.0", "198.51.100.10/24"),
        ("inet 198.51.100.10/24", "198.51.100.10/24"),
        ("198.51.100.10/24", "198.51.100.10/24"),
        ("inet 10.0.0.1/24 netmask 255.255.0.0", "10.0.0.1/16"),
        ("inet netmask 255.255.0.0 10.0.0.1/24", "10.0.0.1/24"),
        ("inet 10.0.0.1 prefixlen 20", "10.0.0.1/20"),
        ("inet 10.0.0.1", "10.0.0.1/8"),
        ("inet 172.16.0.1", "172.16.0.1/16"),
        ("inet 192.0.2.1", "192.0.2.1/24"),
        ("inet6 2001:db8::1", "2001:db8::1/64"),
        ("inet6 2001:db8::1 prefixlen 48", "2001:db8::1/48"),
        ("inet6 2001:db8::1/56", "2001:db8::1/56"),
    ],
)
def test_mask_forms(text: str, expected: str) -> None:
    assert addrs(call(text)) == [expected]


def test_later_mask_wins_and_disagreement_is_if05() -> None:
    c = call("inet 10.0.0.1/24 netmask 255.255.0.0")
    assert codes(c) == ["IF05"] and c.findings[0].severity == "warning"
    assert codes(call("inet 10.0.0.1/24 netmask 255.255.255.0")) == []


def test_no_mask_warns_only_on_broadcast_interfaces() -> None:
    assert codes(call("inet 10.0.0.1")) == ["IF06"]
    assert codes(call("inet 127.0.0.2", kind="lo")) == []
    assert codes(call("inet 10.0.0.1 10.0.0.2", kind="gif")) == []


def test_point_to_point_destination() -> None:
    c = call("inet 198.18.2.205/24 198.18.2.203 tunnel 198.18.1.205 198.18.1.203", kind="ipsec")
    assert str(c.addresses[0].dest) == "198.18.2.203"
    assert codes(c) == []
    assert c.setting("tunnel") is not None


def test_second_address_on_ethernet_is_if07() -> None:
    assert codes(call("inet 10.0.0.1/24 10.0.0.2")) == ["IF07"]
    c = call("inet 10.0.0.1/24 inet 10.0.0.2/24")
    assert codes(c) == ["IF07"] and c.findings[0].severity == "error"
    # ifconfig reads a family only first: the second `inet` is a bad destination, it exits
    assert addrs(c) == [] and c.failure is not None and c.failure.word.text == "inet"


def test_invalid_address_prefix_and_mask() -> None:
    assert codes(call("inet 10.0.0.300/24")) == ["IF02"]
    assert codes(call("inet 10.0.0.1/33")) == ["IF02"]
    c = call("inet 10.0.0.1 netmask 255.0.255.0")
    assert codes(c) == ["IF04"] and addrs(c) == ["10.0.0.1/16"]  # ifconfig counts the bits
    assert call("inet 10.0.0.1/24").findings == ()


def test_inet_aton_shorthand_is_if03() -> None:
    c = call("inet 10.1/8")
    assert codes(c) == ["IF03"] and addrs(c) == ["10.0.0.1/8"]


def test_broadcast_check() -> None:
    assert codes(call("inet 10.0.0.1/24 broadcast 10.0.0.255")) == []
    assert codes(call("inet 10.0.0.1/24 broadcast 10.0.0.127")) == ["IF05"]


def test_delete_words_are_if09_and_add_nothing() -> None:
    for word in ("-alias", "delete", "remove"):
        c = call(f"inet 10.0.0.1/24 {word}")
        assert codes(c) == ["IF09"]
        assert c.addresses[0].delete


def test_alias_flag() -> None:
    assert call("inet 10.0.0.5/32 alias").addresses[0].alias
    assert call("inet 10.0.0.5/32 add").addresses[0].alias
    assert not call("inet 10.0.0.5/32").addresses[0].alias


def test_mtu_range() -> None:
    assert call("mtu 9000").mtu == 9000
    assert codes(call("mtu 9000")) == []
    c = call("mtu 40")
    assert codes(c) == ["IF11"] and c.mtu is None
    assert call("mtu big").findings[0].severity == "error"


def test_general_settings() -> None:
    c = call("description 'uplink port' up -tso4 -lro lladdr 02:00:00:00:00:01 name wan0")
    assert c.description == "uplink port"
    assert c.up is True
    assert c.lladdr == "02:00:00:00:00:01"
    assert c.rename == "wan0"
    assert c.findings == ()
    assert call("ether 00:28:f8:6c:de:69").lladdr == "00:28:f8:6c:de:69"
    assert call("addm em1 addm em2 up", kind="bridge").members == ("em1", "em2")


def test_near_miss_is_an_error_and_keeps_its_argument() -> None:
    c = call("inet 10.0.0.1/24 advksew 100")
    assert codes(c) == ["IF01"]
    f = c.findings[0]
    assert f.severity == "error" and "'advskew'" in f.message
    assert "100" not in [w.text for w in c.address_words]


def test_unknown_word_severity_depends_on_kind() -> None:
    # ifconfig takes it as the address and exits: `up` after it is not applied
    (f,) = call("frobnicate up").findings
    assert f.severity == "error" and "up after it is not applied" in f.message
    (f,) = call("up frobnicate").findings
    assert f.severity == "warning" and "nothing after it is lost" in f.message
    for kind in ("wlan", "lagg", "bridge", "gre", "vxlan"):
        assert call("frobnicate up", kind=kind).findings[0].severity == "info"


def test_missing_argument() -> None:
    c = call("inet 10.0.0.1/24 mtu")
    assert codes(c) == ["IF01"] and c.findings[0].severity == "error"


def test_host_name_address() -> None:
    c = call("inet gw.example.org")
    assert codes(c) == ["IF02"] and c.findings[0].severity == "warning"


def test_ipv6_after_inet() -> None:
    assert codes(call("inet 2001:db8::1/64")) == ["IF02"]
    assert codes(call("inet 2001:db8::1/64", alias=True)) == ["AL04"]


def test_carp_words() -> None:
    c = call("inet vhid 3 advskew 100 advbase 2 pass secret state backup alias 10.0.0.5/32")
    assert c.carp is not None
    assert (c.carp.vhid, c.carp.advskew, c.carp.advbase, c.carp.state) == (3, 100, 2, "backup")
    assert c.carp.passphrase == "secret"
    assert c.findings == ()
    assert "secret" not in repr(c.carp)


@pytest.mark.parametrize(
    ("text", "code", "severity"),
    [
        ("advskew 10 vhid 1", "CA01", "error"),
        ("pass x vhid 1", "CA01", "error"),
        ("state master vhid 1", "CA01", "error"),
        ("vhid 0", "CA02", "error"),
        ("vhid 256", "CA02", "error"),
        ("vhid 1 advskew 255", "CA02", "error"),
        ("vhid 1 advbase 256", "CA02", "error"),
        ("vhid 1 state primary", "CA02", "error"),
        ("vhid 1 carpver 4", "CA02", "error"),
        ("vhid 1 pass 12345678901234567890", "CA03", "warning"),
        ("vhid 1 peer not-an-address", "IF02", "error"),
    ],
)
def test_carp_findings(text: str, code: str, severity: str) -> None:
    c = call(text)
    assert [(f.code, f.severity) for f in c.findings] == [(code, severity)]


def test_carp_order_on_legacy_carp_is_a_warning() -> None:
    c = call("pass x vhid 1 192.0.2.50/24", kind="carp")
    assert [(f.code, f.severity) for f in c.findings] == [("CA01", "warning")]


def test_carp_unicast_and_vrrp() -> None:
    c = call("vhid 1 peer 192.0.2.9 carpver 3 vrrpprio 200 vrrpinterval 50")
    assert c.carp is not None
    assert str(c.carp.peer) == "192.0.2.9"
    assert (c.carp.version, c.carp.vrrp_prio, c.carp.vrrp_interval) == (3, 200, 50)
    assert call("vhid 1 peer 192.0.2.9 mcast").carp.mcast  # type: ignore[union-attr]


_PASS = "Zq9SECRETzq"


@settings(deadline=None, max_examples=300)
@given(
    st.lists(
        st.sampled_from(
            ["inet", "inet6", "vhid", "1", "256", "advskew", "advksew", "state", "10.0.0.1/24",
             "10.0.0.300", "netmask", "255.0.255.0", "alias", "-alias", "up", "mtu", "x",
             "2001:db8::1", "prefixlen", "broadcast", ";", f"pass {_PASS}", f"pas {_PASS}",
             f"Pass {_PASS}", f"pass {_PASS}-1", "description"]
        ),
        max_size=12,
    )
)  # fmt: skip
def test_never_crashes_and_never_prints_the_pass(words: list[str]) -> None:
    c = call(" ".join(words))
    for f in c.findings:
        assert _PASS not in f.message


_PART = st.one_of(
    st.integers(0, 300).map(str),
    st.sampled_from(["00", "01", "010", "0x0a", "0X1", "255", "256", "", "a", "²", "1 ", "1\n"]),
)
_LEN = st.sampled_from(["", "/0", "/8", "/24", "/29", "/30", "/32", "/33", "/08", "/3", "/", "/²"])


@settings(max_examples=1500, deadline=None)
@given(
    first=st.sampled_from(["inet", "inet", "inet", "inet6", "Inet", "", "alias"]),
    parts=st.one_of(
        st.lists(st.integers(0, 255).map(str), min_size=4, max_size=4),
        st.lists(_PART, min_size=1, max_size=5),
    ),
    plen=_LEN,
    extra=st.sampled_from(
        ["", "", "", " alias", " netmask 255.0.0.0", " 10.0.0.9", " vhid 1 alias", " vhid"]
        + [f" vhid {n}" for n in ("1", "9", "10", "99", "199", "255", "256", "0", "01", "²")]
        + [" vhid 1 advskew 100", " vhid 1 pass x", " advskew 1 vhid 2", " vhid 2 vhid 3"]
    ),
    kind=st.sampled_from([None, "carp", "lo", "gif", "bridge"]),
    alias=st.booleans(),
)
def test_plain_inet_shortcut_equals_full_parse(
    first: str, parts: list[str], plen: str, extra: str, kind: str | None, alias: bool
) -> None:
    """parse_call's shortcut for `inet A.B.C.D/len` (every line of a big alias list) makes
    exactly the Call of the full argument walk and address resolution, and any other call
    goes the full way."""
    text = f"{first} {'.'.join(parts)}{plen}{extra}"
    kept, _ = strip_pseudo(split_fields(text))
    words = eval_split(kept, "ifconfig_em0").words
    ctx = CallContext("em0", "ifconfig_em0", kind, alias)
    quick, full = parse_call(words, ctx), parse_call(words, ctx, quick=False)
    assert quick == full
    assert repr(quick) == repr(full)
    assert [a.word for a in quick.addresses] == [a.word for a in full.addresses]


def test_plain_inet_shortcut_is_taken() -> None:
    """The shortcut's test above compares something: these calls take it, these do not."""
    from rcnet.ifconfig.parse import plain_inet

    for text in ("inet 10.0.0.1/32", "inet 192.0.2.255/0", "inet 1.2.3.4/29 vhid 255"):
        kept, _ = strip_pseudo(split_fields(text))
        words = tuple(eval_split(kept, "ifconfig_em0").words)
        assert plain_inet(words, CallContext("em0", "ifconfig_em0")) is not None
    for text in ("inet 10.0.0.1", "inet 010.0.0.1/32", "inet 10.0.0.1/08", "inet 1.2.3.4/8 vhid 0"):
        kept, _ = strip_pseudo(split_fields(text))
        words = tuple(eval_split(kept, "ifconfig_em0").words)
        assert plain_inet(words, CallContext("em0", "ifconfig_em0")) is None
