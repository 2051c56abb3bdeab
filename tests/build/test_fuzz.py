"""Whatever rc.conf text the builder gets, it returns a model and findings: no traceback,
and no pass value in any message."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .helpers import build

SECRET = "Xy7SECRETq"

_IFCONFIG = st.sampled_from(
    ["ifconfig_em0", "ifconfig_em1", "ifconfig_em0_alias0", "ifconfig_em0_alias1",
     "ifconfig_em0_alias3", "ifconfig_em0_aliases", "ifconfig_em0_ipv6", "ifconfig_carp0",
     "ifconfig_DEFAULT"]
)  # fmt: skip
_OTHER = st.sampled_from(
    ["cloned_interfaces", "network_interfaces", "ipv4_addrs_em1", "defaultrouter",
     "static_routes", "route_a", "ifconfig_em0_name", "vlans_em0", "ipv6_defaultrouter",
     "hostname", "gateway_enable", "netif_ipexpand_max"]
)  # fmt: skip
_WORDS = ["inet", "inet6", "alias", "-alias", "vhid", "1", "300", "advskew", "10.0.0.1/24",
          "10.0.0.5-9/32", "10.0.0.9-1", "2001:db8::1/64", "2001:db8::1-3", "netmask",
          "255.255.255.0", "0xffffff00", "DHCP", "NOAUTO", "WPA", "up", "carp0", "em0", "a",
          "a:em0", "-net", "10.1.0.0/16", "-interface", "mtu", "9000", "auto", "web-1", "--",
          "lo0", "epair0", "bridge0", "addm", "NO", "YES", "x y", "description",
          "state"]  # fmt: skip
_PASSES = [f"pass {SECRET}", f"pass ab-{SECRET}", f"pas {SECRET}", f"pass {SECRET}-1.2"]

_ASSIGNMENT = st.one_of(
    st.tuples(_IFCONFIG, st.lists(st.sampled_from(_WORDS + _PASSES), max_size=7)),
    st.tuples(_OTHER, st.lists(st.sampled_from(_WORDS), max_size=4)),
)


@settings(deadline=None, max_examples=200)
@given(st.lists(_ASSIGNMENT, max_size=8))
def test_any_configuration_builds(assignments: list[tuple[str, list[str]]]) -> None:
    text = "".join(f'{name}="{" ".join(words)}"\n' for name, words in assignments)
    host, findings = build(text)
    assert host.name
    for f in findings:
        assert SECRET not in f.message
        assert f.severity in ("error", "warning", "info")
