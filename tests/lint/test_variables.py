"""The registry of rc.conf variables (rcnet/rcconf/variables.py) and the tables derived from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rcnet.lint import names
from rcnet.netsubr import common, system
from rcnet.rcconf import defaults
from rcnet.rcconf.variables import CARRIED_DEFAULTS, VARIABLES, lookup, reader_of

ROOT = Path(__file__).resolve().parents[2]
#: how the builder reads a variable by name: env.text("x"), env.words("x"), env.value("x"),
#: checkyesno(env, "x"), env.if_var(ifname, "ifconfig_IF_ipv6")
_READS = re.compile(
    r"""(?:\.text|\.words|\.value|\.is_set|checkyesno)\((?:\w+, )?"(\w+)"|if_var\(\w+, "(\w+)\""""
)


def test_every_variable_the_code_reads_is_registered() -> None:
    read: set[str] = set()
    for path in (ROOT / "rcnet").rglob("*.py"):
        for plain, per_if in _READS.findall(path.read_text()):
            read.add(plain or per_if.replace("IF", "em0_101"))
    assert {"network_interfaces", "ifconfig_em0_101_ipv6", "ipv4_addrs_em0_101"} <= read
    assert sorted(n for n in read if lookup(n) is None) == []


def test_defaults_are_derived_from_the_registry() -> None:
    assert defaults.NETWORK_DEFAULTS == CARRIED_DEFAULTS
    assert dict(CARRIED_DEFAULTS) == common.NETWORK_DEFAULTS
    carried = {v.name: v.default for v in VARIABLES if v.carried}
    assert dict(CARRIED_DEFAULTS) == carried
    # /etc/defaults/rc.conf (libexec/rc/rc.conf): network_interfaces="auto", netif_enable="YES"
    assert carried["network_interfaces"] == "auto" and carried["netif_enable"] == "YES"
    # ifconfig_DEFAULT and ifconfig_lo0 stay unset (rcconf.md §8)
    assert "ifconfig_DEFAULT" not in carried and "ifconfig_lo0" not in carried


def test_lint_tables_are_derived_from_the_registry() -> None:
    assert {v.name for v in VARIABLES if not v.pattern} == names.KNOWN_NAMES
    assert "ifconfig_" in names.KNOWN_PREFIXES and "ipv4_addrs_" in names.KNOWN_PREFIXES
    assert all(any(v.prefix == p for v in VARIABLES) for p in names.KNOWN_PREFIXES)


@pytest.mark.parametrize(
    ("name", "pattern", "reader"),
    [
        ("ifconfig_em0", "ifconfig_<if>", "netif"),
        ("ifconfig_em0_101_alias3", "ifconfig_<if>_alias<n>", "netif"),
        ("ifconfig_em0_aliases", "ifconfig_<if>_aliases", "netif"),
        ("ipv4_addrs_em0", "ipv4_addrs_<if>", "netif"),
        ("route_ext", "route_<name>", "routing"),
        ("ipv6_route_ext", "ipv6_route_<name>", "routing"),
        ("defaultrouter", "defaultrouter", "routing"),
        ("hostname", "hostname", "hostname"),
        ("rc_conf_files", "rc_conf_files", "rc"),
    ],
)
def test_lookup_names_the_pattern_and_its_reader(name: str, pattern: str, reader: str) -> None:
    found = lookup(name)
    assert found is not None and found.name == pattern
    assert reader_of(name) == reader


def test_scope_consumer_comes_from_the_registry() -> None:
    assert system.consumer("defaultrouter") == "routing"
    assert system.consumer("ifconfig_em0_alias0") == "netif"
    assert system.consumer("hostname") == "hostname"
    # rc.d/netif's own rcvar (rc.subr load_rc_config netif reads rc.conf.d/netif only)
    assert system.consumer("netif_enable") == "netif"
    assert system.consumer("rc_conf_files") is None
    assert system.consumer("sshd_enable") is None
    assert lookup("sshd_enable") is None


def test_netif_enable_in_the_routing_file_is_rt04(tmp_path: Path) -> None:
    from rcnet.hosts import read_host

    etc = tmp_path / "etc"
    (etc / "rc.conf.d").mkdir(parents=True)
    (etc / "rc.conf").write_text('hostname="h.example.org"\nifconfig_em0="inet 10.0.0.1/24"\n')
    (etc / "rc.conf.d" / "routing").write_text('netif_enable="NO"\n')
    found = [f for f in read_host(str(etc)).findings if f.code == "RT04"]
    assert len(found) == 1 and "netif_enable" in found[0].message
