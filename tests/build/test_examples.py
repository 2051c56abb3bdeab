"""The worked examples of rcconf.md §9 give exactly the addresses and findings stated there."""

from __future__ import annotations

from rcnet.findings import Location

from .helpers import addresses, build, codes, only


def test_uplink_with_hex_netmask_and_default_route() -> None:
    host, findings = build(
        'hostname="gw1.example.net"\n'
        'ifconfig_em0="inet 198.51.100.10 netmask 0xffffff00"   # uplink\n'
        'defaultrouter="198.51.100.1"\n'
    )
    assert host.name == host.hostname == "gw1.example.net"
    assert addresses(host, "em0") == ["198.51.100.10/24"]
    em0 = host.interface("em0")
    assert em0 is not None and em0.up
    assert [(r.name, r.destination, str(r.gateway)) for r in host.routes] == [
        ("default", None, "198.51.100.1")
    ]
    assert findings == []


ALIASES = """\
ifconfig_em0="inet 10.0.0.2/24"
ifconfig_em0_alias0="inet 10.0.0.10/32"
ifconfig_em0_alias1="inet 10.0.0.11/32"
ifconfig_em0_alias3="inet 10.0.0.13/32"
ifconfig_em0_alias4=""
ifconfig_em0_alias5="inet 10.0.0.15/32"
"""


def test_alias_gap_applies_and_empty_alias_stops() -> None:
    host, findings = build(ALIASES)
    assert addresses(host, "em0") == ["10.0.0.2/24", "10.0.0.10/32", "10.0.0.11/32", "10.0.0.13/32"]
    assert codes(findings) == ["AL01", "AL02"]
    al01, al02 = findings
    assert al01.loc == Location("host.conf", 4, 1) and al01.severity == "warning"
    assert "current rc applies" in al01.message and "rc.conf(5)" in al01.message
    assert al02.loc == Location("host.conf", 5, 1) and al02.severity == "error"
    assert "ifconfig_em0_alias5" in al02.message


def test_aliases_with_a_range_and_a_netmask() -> None:
    host, findings = build(
        'ifconfig_em1_aliases="\\\n'
        "\tinet 192.0.2.20-22/28 \\\n"
        '\tinet 192.0.2.40 netmask 255.255.255.255"\n'
    )
    assert addresses(host, "em1") == [
        "192.0.2.20/28",
        "192.0.2.21/32",
        "192.0.2.22/32",
        "192.0.2.40/32",
    ]
    assert findings == []


def test_carp_alias_examples() -> None:
    host, findings = build(
        'ifconfig_em0="inet 192.168.1.5/24"\n'
        'ifconfig_em0_alias0="inet 192.168.1.60/32 pass Secr3t vhid 3"\n'
        'ifconfig_em0_alias1="inet vhid 4 pass ab-cd 192.168.1.61/32"\n'
        'ifconfig_em0_alias2="inet vhid 5 advskew 255 192.168.1.62/32"\n'
    )
    assert [(f.code, f.loc.line if f.loc else 0) for f in findings] == [
        ("CA01", 2),
        ("AL06", 3),
        ("CA02", 4),
    ]
    ca01, al06, ca02 = findings
    assert ca01.severity == al06.severity == ca02.severity == "error"
    assert ca01.loc == Location("host.conf", 2, 43)  # the `pass` word
    assert al06.loc == Location("host.conf", 3, 39)  # the value with `b-`
    assert ca02.loc == Location("host.conf", 4, 42)  # 255
    for f in findings:
        assert "Secr3t" not in f.message and "ab-cd" not in f.message
    # rc loops forever on alias1, so nothing of it is in the model; alias0 (pass before
    # vhid) and alias2 (advskew 255: SIOCSVH fails) make ifconfig exit before the address
    # and the vhid are set (sbin/ifconfig/carp.c, sys/netinet/ip_carp.c)
    assert addresses(host, "em0") == ["192.168.1.5/24"]
    assert host.vhids == ()


def test_values_built_by_the_reader() -> None:
    # the §9 block that needs the sh reader: `${net}` expanded before the builder sees it
    host, findings = build('ifconfig_em3="inet 10.9.8.1/24"\ncloned_interfaces=" gif0"\n')
    assert addresses(host, "em3") == ["10.9.8.1/24"]
    assert [f.code for f in only(findings, "CL01")] == ["CL01"]
