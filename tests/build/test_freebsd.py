"""The model is the replay of the ifconfig calls FreeBSD's rc makes (issue 8).

Each fixture in fixtures/freebsd/ cites, in its leading comment, the FreeBSD source the
behaviour comes from; the tests read it through the real reader, as `check` does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rcnet.findings import Finding
from rcnet.hosts import CheckedHost, read_host
from rcnet.startable import startable

from .helpers import rcnet

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "freebsd"


def host(name: str) -> CheckedHost:
    return read_host(str(FIXTURES / f"{name}.conf"))


def addrs(checked: CheckedHost, ifname: str) -> list[str]:
    iface = checked.host.interface(ifname)
    assert iface is not None, [i.name for i in checked.host.interfaces]
    return [f"{a.address}/{a.prefixlen}" for a in iface.addresses]


def errors(checked: CheckedHost) -> list[Finding]:
    return [f for f in checked.findings if f.severity == "error"]


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.conf")), ids=lambda p: p.stem)
def test_every_fixture_cites_freebsd(path: Path) -> None:
    head = path.read_text().split("\n", 1)[0]
    assert head.startswith("# FreeBSD: "), path.name


def test_a_second_family_keyword_sets_no_address() -> None:
    h = host("second-inet")
    assert addrs(h, "em0") == []
    (f,) = errors(h)
    assert f.code == "IF07" and "ifconfig exits here" in f.message and "no address" in f.message


def test_an_unknown_word_exits_after_mtu_before_the_address() -> None:
    h = host("unknown-word")
    em0 = h.host.interface("em0")
    assert em0 is not None and em0.mtu == 9000 and em0.addresses == ()
    assert addrs(h, "em1") == []  # `UP` is not `up`: keywords are case-sensitive
    assert sorted(f.code for f in errors(h)) == ["IF01", "IF01"]
    assert any("(what came before it, mtu, stays applied)" in f.message for f in errors(h))


def test_a_misspelt_carp_keyword_sets_no_vhid_and_no_vip() -> None:
    h = host("misspelt-carp")
    assert addrs(h, "em0") == ["192.0.2.10/24"] and h.host.vhids == ()
    (f,) = errors(h)
    assert f.code == "IF01" and "no address and no vhid" in f.message and "advskew" in f.message


def test_masks_the_later_wins_noncontiguous_counted_classful_default() -> None:
    h = host("masks")
    assert addrs(h, "em0") == ["192.0.2.10/16"]
    assert addrs(h, "em1") == ["10.1.0.1/24"]
    assert addrs(h, "em2") == ["10.2.0.1/16"]
    assert addrs(h, "em3") == ["172.16.3.1/16"]
    assert errors(h) == []


def test_an_address_added_again_is_one_address_with_the_later_mask() -> None:
    h = host("readd")
    assert addrs(h, "em0") == ["192.0.2.10/28", "192.0.2.20/30"]
    assert startable(h.findings, h.host)


def test_modern_carp_calls_that_fail_set_neither_address_nor_vhid() -> None:
    h = host("carp-fails")
    assert addrs(h, "em0") == ["192.0.2.10/24", "192.0.2.53/32"]
    assert [(v.vhid, v.advskew) for v in h.host.vhids] == [(4, 254)]
    assert sorted(f.code for f in errors(h)) == ["CA01", "CA02", "CA02"]
    for f in errors(h):
        assert "no address and no vhid of this line is set" in f.message


def test_legacy_carp_outside_every_subnet_configures_nothing() -> None:
    h = host("carp-legacy-outside")
    assert addrs(h, "carp0") == [] and addrs(h, "carp1") == ["192.0.2.51/24"]
    assert [(v.vhid, v.parent) for v in h.host.vhids] == [(2, "em0")]
    assert [f.code for f in errors(h)] == ["CA09"]
    assert not startable(h.findings, h.host)


def test_a_listed_interface_renamed_before_configuration() -> None:
    h = host("rename-listed")
    assert [i.name for i in h.host.interfaces] == ["lo0"]
    (f,) = errors(h)
    assert f.code == "RN01" and "interface em0 does not exist" in f.message


def test_ifconfig_default_reaches_every_interface_without_its_own_lo0_included() -> None:
    h = host("default")
    mtus = {i.name: i.mtu for i in h.host.interfaces}
    # em0 has its own ifconfig_em0, but no ifconfig_em0_ipv6: the default stands in there
    assert mtus == {"lo0": 9000, "em0": 9000, "em1": 9000}
    assert addrs(h, "em0") == ["192.0.2.10/24"] and addrs(h, "em1") == ["198.51.100.1/24"]
    assert addrs(h, "lo0") == ["127.0.0.1/8"]


def test_get_if_var_maps_punctuation_to_underscores() -> None:
    h = host("get-if-var")
    assert addrs(h, "fxp0.5") == ["192.0.2.10/24"]
    assert not [f for f in h.findings if f.code == "IF13"]


def test_a_file_sh_cannot_parse_gives_an_empty_model() -> None:
    h = host("unterminated")
    assert h.host.interfaces == () and h.host.vhids == () and h.host.hostname is None
    sh03 = [f for f in errors(h) if f.code == "SH03"]
    assert sh03 and "rcnet's model is empty" in sh03[0].message
    shown = rcnet("show", "--json", str(FIXTURES / "unterminated.conf"))
    assert shown.status == 0 and json.loads(shown.out)["interfaces"] == []


def test_no_hostname_means_none_in_show_text_and_json() -> None:
    path = str(FIXTURES / "no-hostname.conf")
    assert host("no-hostname").host.hostname is None
    shown = rcnet("show", "--json", path)
    assert shown.status == 0 and json.loads(shown.out)["hostname"] is None
    shown = rcnet("show", path)
    assert shown.status == 0 and shown.out.splitlines()[0] == "hostname (unset)"
    assert "no-hostname" not in shown.out


def test_a_carp_interface_nothing_creates_fails_check() -> None:
    h = host("carp-not-created")
    assert h.host.interface("carp0") is None and h.host.vhids == ()
    assert "CL02" in [f.code for f in errors(h)]
    assert rcnet("check", str(FIXTURES / "carp-not-created.conf")).status == 1


def test_a_variable_naming_no_interface_is_no_interface() -> None:
    h = host("bad-suffix")
    assert [i.name for i in h.host.interfaces] == ["em0"]


def test_one_address_on_two_hosts_of_one_segment_is_an_error() -> None:
    a, b = (str(FIXTURES / f"crosshost-{x}.conf") for x in "ab")
    both = rcnet("check", a, b)
    assert both.status == 1
    lines = [line for line in both.out.splitlines() if "[DU01]" in line]
    assert len(lines) == 2 and all("192.0.2.10 on em0 is also configured" in x for x in lines)
    assert lines[0].startswith(f"{a}:4:20:") and lines[1].startswith(f"{b}:3:20:")
    assert rcnet("check", a).status == 0
