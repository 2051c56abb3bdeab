"""Which interfaces rc configures, under which names and in which order (rc.d/netif)."""

from __future__ import annotations

from .helpers import addresses, build, codes, only


def names(text: str) -> list[str]:
    host, _ = build(text)
    return [i.name for i in host.interfaces]


def test_auto_natural_order_then_cloned_in_their_order() -> None:
    text = (
        'cloned_interfaces="bridge1 bridge0"\n'
        'ifconfig_bridge1="up"\nifconfig_bridge0="up"\n'
        'ifconfig_em10="up"\nifconfig_em2="up"\nifconfig_igb0="up"\nifconfig_em1="up"\n'
    )
    assert names(text) == ["em1", "em2", "em10", "igb0", "bridge1", "bridge0"]


def test_lo0_first_and_only_when_configured() -> None:
    assert names('ifconfig_em0="up"\n') == ["em0"]
    host, _ = build('ifconfig_em0="up"\nifconfig_lo0_alias0="inet 127.0.0.2/32"\n')
    assert [i.name for i in host.interfaces] == ["lo0", "em0"]
    assert addresses(host, "lo0") == ["127.0.0.1/8", "127.0.0.2/32"]


def test_noauto_is_left_out_under_auto_only() -> None:
    assert names('ifconfig_em0="up"\nifconfig_em1="NOAUTO inet 10.0.0.1/24"\n') == ["em0"]
    listed = 'network_interfaces="em1 em0"\nifconfig_em0="up"\nifconfig_em1="noauto up"\n'
    assert names(listed) == ["em1", "em0"]


def test_listed_order_and_unlisted_interfaces() -> None:
    host, findings = build(
        'network_interfaces="lo0 em1 em0"\ncloned_interfaces="tap0"\n'
        'ifconfig_em0="up"\nifconfig_em1="up"\nifconfig_em2="inet 10.2.0.1/24"\n'
    )
    assert [i.name for i in host.interfaces] == ["lo0", "em1", "em0", "tap0"]
    (if13,) = only(findings, "IF13")
    assert if13.severity == "warning" and "em2" in if13.message and if13.loc
    assert if13.loc.line == 5


def test_default_applies_only_to_unset_variables() -> None:
    host, findings = build(
        'ifconfig_DEFAULT="inet6 accept_rtadv up"\n'
        'ifconfig_em0=""\nifconfig_em0_ipv6="inet6 2001:db8::1/64"\n'
        'ifconfig_em1_alias0="inet 10.1.0.5/24"\n'
    )
    lo0, em0, em1 = host.interfaces  # lo0 always exists: the default reaches it too
    assert lo0.name == "lo0" and "accept_rtadv" in lo0.left_to_system
    # em0: its own (empty) primary; its _ipv6 is set, so the default applies to neither
    assert "accept_rtadv" not in em0.left_to_system
    assert addresses(host, "em0") == ["2001:db8::1/64"]
    # em1: both unset, so the default is its primary and its _ipv6
    assert "accept_rtadv" in em1.left_to_system
    assert addresses(host, "em1") == ["10.1.0.5/24"]
    assert "LX01" in codes(findings)


def test_set_but_empty_configures_nothing() -> None:
    # em0's own empty value wins; lo0 exists and gets the default, but dhcpif skips lo
    assert names('ifconfig_DEFAULT="DHCP"\nifconfig_em0=""\n') == ["lo0"]


def test_down_does_not_stick() -> None:
    host, _ = build('ifconfig_em0="inet 10.0.0.1/24 down"\n')
    em0 = host.interface("em0")
    assert em0 is not None and em0.up  # rc runs `ifconfig em0 up` after the value


def test_rename_and_dead_variables() -> None:
    host, findings = build(
        'cloned_interfaces="tap0"\nifconfig_tap0_name="vm0"\n'
        'ifconfig_vm0="inet 10.5.0.1/24"\nifconfig_tap0="inet 10.6.0.1/24"\n'
    )
    vm0 = host.interface("vm0")
    assert vm0 is not None and vm0.cloned and vm0.kind == "tap" and vm0.renamed_from == "tap0"
    assert addresses(host, "vm0") == ["10.5.0.1/24"]
    assert host.interface("tap0") is None
    (rn01,) = only(findings, "RN01")
    assert rn01.loc is not None and rn01.loc.line == 4


def test_physical_rename() -> None:
    host, findings = build('ifconfig_em0_name="wan0"\nifconfig_wan0="inet 192.0.2.2/24"\n')
    assert [i.name for i in host.interfaces] == ["wan0"]
    assert findings == []


def test_sanitized_names_and_vlans() -> None:
    host, findings = build(
        'ifconfig_em0="up"\nvlans_em0="101 mgmt"\n'
        'ifconfig_em0_101="inet 10.101.0.1/24"\n'
        'create_args_mgmt="vlan 102"\nifconfig_mgmt="inet 10.102.0.1/24"\n'
        'ifconfig_igb0="up"\n'
    )
    assert [i.name for i in host.interfaces] == ["em0", "em0.101", "mgmt", "igb0"]
    assert addresses(host, "em0.101") == ["10.101.0.1/24"]
    vlan = host.interface("em0.101")
    assert vlan is not None and vlan.kind == "vlan" and vlan.cloned
    assert findings == []


def test_vlan_config_without_a_creator_is_cl02() -> None:
    host, findings = build('ifconfig_em0_101="inet 10.101.0.1/24"\n')
    assert host.interfaces == ()
    assert codes(findings) == ["CL02"]


def test_epair_makes_two_interfaces() -> None:
    host, findings = build(
        'cloned_interfaces="epair0"\nifconfig_epair0a="inet 10.0.0.1/30"\n'
        'ifconfig_epair0b="inet 10.0.0.2/30"\n'
    )
    assert [i.name for i in host.interfaces] == ["epair0a", "epair0b"]
    assert codes(findings).count("LX01") == 2
    assert "DU02" in codes(findings)  # one /30 on both halves of one host


def test_netif_disabled() -> None:
    host, findings = build('netif_enable="NO"\nifconfig_em0="inet 10.0.0.1/24"\n')
    assert host.interfaces == ()
    assert codes(findings) == ["GN02"]


def test_wlans_children_are_created() -> None:
    host, _ = build('wlans_iwm0="wlan0"\nifconfig_wlan0="WPA DHCP"\n')
    wlan0 = host.interface("wlan0")
    assert wlan0 is not None and wlan0.dhcp and wlan0.kind == "wlan"
    assert set(wlan0.left_to_system) == {"DHCP", "WPA", "wlan"}


def test_descr_variable_and_members() -> None:
    host, _ = build(
        'cloned_interfaces="bridge0"\nifconfig_bridge0="addm em0 addm em1 up"\n'
        'ifconfig_bridge0_descr="lan bridge"\nifconfig_em0="up mtu 9000"\n'
    )
    bridge = host.interface("bridge0")
    assert bridge is not None and bridge.members == ("em0", "em1")
    assert bridge.description == "lan bridge"
    em0 = host.interface("em0")
    assert em0 is not None and em0.mtu == 9000


def test_unknown_value_keeps_the_interface_without_conclusions() -> None:
    from rcnet.build import build_host
    from rcnet.rcconf.env import Value

    from .rcenv import loaded_from

    loaded = loaded_from('cloned_interfaces="bridge0"\nifconfig_bridge0="up"\n')
    netif = loaded.scopes["netif"]
    old = netif.values["ifconfig_bridge0"]
    netif.values["ifconfig_bridge0"] = Value(old.name, None, old.loc, old.value_loc)
    host, findings = build_host(loaded)
    assert [i.name for i in host.interfaces] == ["bridge0"]
    assert "CL01" not in codes(findings)


def test_a_listed_clone_nothing_creates_with_only_the_default() -> None:
    """Regression (hypothesis): network_interfaces="carp0" with ifconfig_DEFAULT raised
    KeyError; carp0 does not exist, so nothing is configured on it."""
    assert "carp0" not in names('ifconfig_DEFAULT="inet"\nnetwork_interfaces="carp0"\n')
