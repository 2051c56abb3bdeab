"""`rcnet show`'s text form: what the JSON says of a vhid is in the text too."""

from __future__ import annotations

from pathlib import Path

from rcnet.commands.show import render_text
from rcnet.hosts import read_host

# FreeBSD sbin/ifconfig/ifcarp.c: `carpver 3` selects VRRPv3, `vrrpprio` its priority and
# `vrrpinterval` its advertisement interval in centiseconds (setvrrp_prio, setvrrp_interval)
VRRP = """hostname="vr.example.org"
ifconfig_em0="inet 192.168.1.3/24"
ifconfig_em0_alias0="inet vhid 7 carpver 3 vrrpprio 150 vrrpinterval 200 192.168.1.50/32"
ifconfig_em0_alias1="inet vhid 8 advskew 20 192.168.1.51/32"
"""


def test_vrrp_vhid_text_has_carpver_and_vrrpprio(tmp_path: Path) -> None:
    rc = tmp_path / "vr.conf"
    rc.write_text(VRRP)
    checked = read_host(str(rc))
    json_vhids = {v["vhid"]: v for v in checked.host.to_json()["vhids"]}
    assert (json_vhids[7]["version"], json_vhids[7]["vrrpprio"]) == (3, 150)
    carp = [ln.strip() for ln in render_text(checked.host).splitlines() if "carp:" in ln]
    assert carp == [
        "carp: vhid 7 advbase 1 advskew 0 parent em0 segment 192.168.1.0/24"
        " carpver 3 vrrpprio 150 vrrpinterval 200",
        # a CARP vhid's line is unchanged (spec/cli.md: existing output is fixed)
        "carp: vhid 8 advbase 1 advskew 20 parent em0 segment 192.168.1.0/24",
    ]
