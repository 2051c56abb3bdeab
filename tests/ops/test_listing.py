"""`rcnet ifconfig` (no action) like `ifconfig -a` / `ifconfig carp0`, and `rcnet sysctl -a` /
`rcnet sysctl net.inet.carp`, against a running daemon in a namespace.

Formats: FreeBSD sbin/ifconfig/af_inet.c in_status() (`inet A netmask 0x... broadcast B`,
then ` vhid N` when the address belongs to a vhid), sbin/ifconfig/ifcarp.c carp_status()
(`carp: STATE vhid N advbase N advskew N`), sbin/sysctl/sysctl.c (`name: value`).
"""

from __future__ import annotations

import pytest
from daemon.rig import MASTER_DOWN, Rig

from rcnet.commands.listing import address_line, flags_word

pytestmark = pytest.mark.netns


def test_formats() -> None:
    assert address_line("192.168.1.50/24", 1) == (
        "\tinet 192.168.1.50 netmask 0xffffff00 broadcast 192.168.1.255 vhid 1"
    )
    assert address_line("2001:db8::1/64") == "\tinet6 2001:db8::1 prefixlen 64"
    # a FreeBSD em0 that is up: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST>
    assert flags_word(True, True, False) == "flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST>"
    assert flags_word(True, True, True) == "flags=8049<UP,LOOPBACK,RUNNING,MULTICAST>"


def test_ifconfig_and_sysctl_listings(rig: Rig) -> None:
    rig.start("provider")
    rig.wait_state("provider", 1, "MASTER", MASTER_DOWN[100] + 2)

    every = rig.rcnet("provider", "ifconfig")
    assert every.returncode == 0, every.stderr
    lines = every.stdout.splitlines()
    heads = [ln.split(":")[0] for ln in lines if not ln.startswith("\t")]
    assert heads[:3] == ["fxp0", "carp0", "carp1"]
    assert "lo" in heads  # the kernel's other interfaces too, like ifconfig -a
    assert not [h for h in heads if h.startswith("rc")]  # rcnet's macvlans are not interfaces
    assert "\tinet 192.168.1.5 netmask 0xffffff00 broadcast 192.168.1.255" in lines
    assert lines[0].startswith("fxp0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0")

    one = rig.rcnet("provider", "ifconfig", "carp0")
    assert one.returncode == 0, one.stderr
    shown = one.stdout.splitlines()
    assert shown[0].startswith("carp0: flags=") and "UP" in shown[0]
    assert "\tinet 192.168.1.50 netmask 0xffffff00 broadcast 192.168.1.255 vhid 1" in shown
    assert "\tcarp: MASTER vhid 1 advbase 1 advskew 100" in shown
    assert not [ln for ln in shown[1:] if not ln.startswith("\t")]  # only carp0

    missing = rig.rcnet("provider", "ifconfig", "carp9")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert "carp9 does not exist" in missing.stderr

    sub = rig.rcnet("provider", "sysctl", "net.inet.carp")
    assert sub.returncode == 0, sub.stderr
    names = [ln.split(":")[0] for ln in sub.stdout.splitlines()]
    assert "net.inet.carp.preempt" in names and "net.inet.carp.demotion" in names
    assert all(n.startswith("net.inet.carp.") for n in names)
    assert rig.rcnet("provider", "sysctl", "-a").stdout == sub.stdout
    # the existing forms are unchanged
    assert rig.rcnet("provider", "sysctl", "net.inet.carp.preempt").stdout == (
        "net.inet.carp.preempt: 0\n"
    )
    assert rig.rcnet("provider", "sysctl", "net.inet").stdout == sub.stdout
