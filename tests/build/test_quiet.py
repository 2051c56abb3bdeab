"""Each rule fires on a small mistake and stays quiet on the corrected line."""

from __future__ import annotations

import pytest

from .helpers import build, codes

E0 = 'ifconfig_em0="inet 10.0.0.2/24"\n'
V6 = 'ifconfig_em0_ipv6="inet6 2001:db8::2/64"\n'

CASES = [
    ("SH07", 'ifconfig_em0="inet 10.0.0.2/24 descr a;b"\n',
     "ifconfig_em0=\"inet 10.0.0.2/24 descr 'a;b'\"\n"),
    ("IF01", 'ifconfig_em0="inet 10.0.0.2/24 -tso4 -lr0"\n',
     'ifconfig_em0="inet 10.0.0.2/24 -tso4 -lro"\n'),
    ("IF02", 'ifconfig_em0="inet 10.0.0.256/24"\n', E0),
    ("IF03", 'ifconfig_em0="inet 10.2/24"\n', E0),
    ("IF04", 'ifconfig_em0="inet 10.0.0.2 netmask 255.255.0.255"\n',
     'ifconfig_em0="inet 10.0.0.2 netmask 255.255.255.0"\n'),
    ("IF05", 'ifconfig_em0="inet 10.0.0.2/24 netmask 255.255.255.128"\n',
     'ifconfig_em0="inet 10.0.0.2/25 netmask 255.255.255.128"\n'),
    ("IF06", 'ifconfig_em0="inet 10.0.0.2"\n', E0),
    ("IF07", 'ifconfig_em0="inet 10.0.0.2/24 inet 10.0.0.3/24"\n',
     E0 + 'ifconfig_em0_alias0="inet 10.0.0.3/32"\n'),
    ("IF09", 'ifconfig_em0="inet 10.0.0.2/24 delete"\n', E0),
    ("IF10", 'ifconfig_em0="inet6 2001:db8::2/64"\n', V6),
    ("IF11", E0 + V6 + 'ifconfig_em0_alias0="inet 10.0.0.9/32 mtu 1200"\n',
     E0 + V6 + 'ifconfig_em0_alias0="inet 10.0.0.9/32 mtu 1280"\n'),
    ("IF12", 'ifconfig_em0="DHCP inet 10.0.0.2/24"\n', 'ifconfig_em0="DHCP"\n'),
    ("AL01", E0 + 'ifconfig_em0_alias1="inet 10.0.0.5/32"\n',
     E0 + 'ifconfig_em0_alias0="inet 10.0.0.5/32"\n'),
    ("AL02", E0 + 'ifconfig_em0_alias0=""\nifconfig_em0_alias1="inet 10.0.0.5/32"\n',
     E0 + 'ifconfig_em0_alias0="inet 10.0.0.5/32"\nifconfig_em0_alias1=""\n'),
    ("AL03", E0 + 'ifconfig_em0_alias0="10.0.0.5/32"\n',
     E0 + 'ifconfig_em0_alias0="inet 10.0.0.5/32"\n'),
    ("AL04", E0 + V6 + 'ifconfig_em0_alias0="inet 2001:db8::5/64"\n',
     E0 + V6 + 'ifconfig_em0_alias0="inet6 2001:db8::5/64"\n'),
    ("AL06", E0 + 'ifconfig_em0_alias0="inet vhid 1 pass a-b 10.0.0.5/32"\n',
     E0 + 'ifconfig_em0_alias0="inet vhid 1 pass a_b 10.0.0.5/32"\n'),
    ("AL07", E0 + 'ifconfig_em0_alias0="inet 10.0.0.9-5/32"\n',
     E0 + 'ifconfig_em0_alias0="inet 10.0.0.5-9/32"\n'),
    ("AL08", E0 + 'ifconfig_em0_alias0="inet6 2001:db8::5/64"\n',
     E0 + V6 + 'ifconfig_em0_alias0="inet6 2001:db8::5/64"\n'),
    ("DU01", E0 + 'ifconfig_em1="inet 10.0.0.2/24"\n', E0 + 'ifconfig_em1="inet 10.1.0.2/24"\n'),
    ("DU02", E0 + 'ifconfig_em1="inet 10.0.0.3/24"\n', E0 + 'ifconfig_em1="inet 10.1.0.3/24"\n'),
    ("CL01", 'cloned_interfaces="bridge0"\n',
     'cloned_interfaces="bridge0"\nifconfig_bridge0="up"\n'),
    ("CL02", 'ifconfig_bridge0="up"\n', 'cloned_interfaces="bridge0"\nifconfig_bridge0="up"\n'),
    ("CL03", 'cloned_interfaces="bridge"\nifconfig_bridge="up"\n',
     'cloned_interfaces="bridge0"\nifconfig_bridge0="up"\n'),
    ("RN01", 'ifconfig_em0_name="wan0"\nifconfig_em0="inet 10.0.0.2/24"\n',
     'ifconfig_em0_name="wan0"\nifconfig_wan0="inet 10.0.0.2/24"\n'),
    ("CA01", E0 + 'ifconfig_em0_alias0="inet advskew 9 vhid 1 alias 10.0.0.5/32"\n',
     E0 + 'ifconfig_em0_alias0="inet vhid 1 advskew 9 alias 10.0.0.5/32"\n'),
    ("CA02", E0 + 'ifconfig_em0_alias0="inet vhid 256 alias 10.0.0.5/32"\n',
     E0 + 'ifconfig_em0_alias0="inet vhid 255 alias 10.0.0.5/32"\n'),
    ("CA03", E0 + 'ifconfig_em0_alias0="inet vhid 1 pass 12345678901234567890 10.0.0.5/32"\n',
     E0 + 'ifconfig_em0_alias0="inet vhid 1 pass 1234567890123456789 10.0.0.5/32"\n'),
    ("CA04", E0 + 'ifconfig_em0_alias0="inet vhid 1 advskew 1 alias 10.0.0.5/32"\n'
     'ifconfig_em0_alias1="inet vhid 1 advskew 2 alias 10.0.0.6/32"\n',
     E0 + 'ifconfig_em0_alias0="inet vhid 1 advskew 1 alias 10.0.0.5/32"\n'
     'ifconfig_em0_alias1="inet vhid 1 advskew 1 alias 10.0.0.6/32"\n'),
    ("CA08", 'ifconfig_em0="inet vhid 1 10.0.0.2/24"\n',
     E0 + 'ifconfig_em0_alias0="inet vhid 1 alias 10.0.0.5/32"\n'),
    ("CA09", E0 + 'ifconfig_em0_alias0="inet vhid 1 alias 10.9.0.5/32"\n',
     E0 + 'ifconfig_em0_alias0="inet vhid 1 alias 10.0.0.5/32"\n'),
    ("RT01", E0 + 'static_routes="a"\n',
     E0 + 'static_routes="a"\nroute_a="-net 10.8.0.0/16 10.0.0.1"\n'),
    ("RT02", E0 + 'defaultrouter="10.9.0.1"\n', E0 + 'defaultrouter="10.0.0.1"\n'),
    ("GN01", 'gateway_enable="Y"\n', 'gateway_enable="yes"\n'),
    ("GN04", 'hostname="a_very bad name"\n', 'hostname="good-name.example.org"\n'),
    ("LX01", 'ifconfig_em0="DHCP"\n', E0),
    ("CL05", 'ifconfig_em0="inet 10.0.0.2/24"\ncloned_interfaces="carp0"\n'
     'ifconfig_carp0="vhid 1 10.0.0.5/24"\n',
     E0 + 'ifconfig_em0_alias0="inet vhid 1 alias 10.0.0.5/32"\n'),
]  # fmt: skip


@pytest.mark.parametrize(("code", "loud", "quiet"), CASES, ids=[c[0] for c in CASES])
def test_fires_and_stays_quiet(code: str, loud: str, quiet: str) -> None:
    _, findings = build(loud)
    assert code in codes(findings)
    _, findings = build(quiet)
    assert code not in codes(findings)
    assert [f.code for f in findings if f.severity != "info"] == []
