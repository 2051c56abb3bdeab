"""`rcnet start --dry-run` plans exactly the model (issue 8), through the CLI, in a namespace.

For each fixture a fresh namespace gets the fixture's NICs (veth pairs, bare: no address), then
`python -m rcnet start --dry-run FILE` runs inside it. The `ip addr add` lines of the plan must
be exactly the addresses of `rcnet show --json` (per interface, with their prefix lengths), and
the namespace must be as it was (links, addresses, rcnet's routes and rules, the ARP sysctls the
plan sets). A host with a failing ifconfig call is refused by start as by check (one startable
policy): it plans and changes nothing, and its model holds no address of the failing lines.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from lab.netns import Lab
from lab.state import configuration

pytestmark = pytest.mark.netns

ROOT = Path(__file__).resolve().parents[2]
#: fixtures as the commands are given them (they run in ROOT): locations name them so
FIXTURES = Path("fixtures")
_ADDR_ADD = re.compile(r"^ip (?:-6 )?addr add (\S+) .*\bdev (\S+) ")
_ARP = [f"net.ipv4.conf.all.arp_{w}" for w in ("ignore", "announce")]


def rcnet(lab: Lab, args: list[str]) -> subprocess.CompletedProcess[str]:
    """`python -m rcnet ARGS` in the lab's namespace `h`, this checkout's rcnet."""
    env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "RCNET_CONTROL")}
    return subprocess.run(
        ["ip", "netns", "exec", lab.name("h"), sys.executable, "-m", "rcnet", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )


def bare_nics(lab: Lab, nics: list[str]) -> None:
    lab.add_ns("h")
    for nic in nics:
        lab.ip("h", "link", "add", nic, "type", "veth", "peer", "name", f"p{nic}")
        lab.ip("h", "link", "set", nic, "up")


def state(lab: Lab, nics: list[str]) -> list[object]:
    arp = [f"net.ipv4.conf.{n}.arp_{w}" for n in nics for w in ("ignore", "announce")]
    return [configuration(lab, "h"), lab.run("h", ["sysctl", *_ARP, *arp]).stdout]


def model_addresses(path: Path) -> Counter[tuple[str, str]]:
    shown = subprocess.run(
        [sys.executable, "-m", "rcnet", "show", "--json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=True,
    )
    model = json.loads(shown.stdout)
    return Counter(
        (iface["name"], f"{a['address']}/{a['prefixlen']}")
        for iface in model["interfaces"]
        for a in iface["addresses"]
    )


@pytest.mark.parametrize(
    ("fixture", "nics"),
    [
        ("freebsd/readd.conf", ["em0"]),  # aliases re-adding an address: the later mask
        ("freebsd/masks.conf", ["em0", "em1", "em2", "em3"]),  # /len, netmask, classful
        ("handbook/provider.conf", ["fxp0"]),  # cloned legacy carp0 and carp1
    ],
)
def test_dry_run_plans_exactly_the_models_addresses(
    lab: Lab, fixture: str, nics: list[str]
) -> None:
    path = FIXTURES / fixture
    bare_nics(lab, nics)
    before = state(lab, nics)
    done = rcnet(lab, ["start", "--dry-run", str(path)])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1].endswith("--dry-run made none"), done.stdout
    planned = Counter(
        (m.group(2), m.group(1)) for m in map(_ADDR_ADD.match, lines) if m is not None
    )
    model = model_addresses(path)
    assert model, "the fixture configures addresses"
    assert planned == model, done.stdout
    assert state(lab, nics) == before


def test_a_failing_ifconfig_call_is_refused_and_changes_nothing(lab: Lab) -> None:
    # carp-fails.conf: three alias calls on which FreeBSD's ifconfig exits (advskew before
    # vhid, vhid 256, advskew 255: sbin/ifconfig/carp.c, sys/netinet/ip_carp.c), one that works
    path = FIXTURES / "freebsd" / "carp-fails.conf"
    bare_nics(lab, ["em0"])
    before = state(lab, ["em0"])
    done = rcnet(lab, ["start", "--dry-run", str(path)])
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout == ""  # no plan at all
    assert "3 error(s) in the configuration; nothing was changed" in done.stderr
    assert [ln.split(": error: ")[0] for ln in done.stderr.splitlines()[:3]] == [
        f"{path}:8:27",
        f"{path}:9:32",
        f"{path}:10:42",
    ]
    # the model holds no address of the failing lines (.50, .51, .52)
    assert model_addresses(path) == Counter(
        {("em0", "192.0.2.10/24"): 1, ("em0", "192.0.2.53/32"): 1}
    )
    assert state(lab, ["em0"]) == before
