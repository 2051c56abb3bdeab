"""A reload whose netlink apply fails part-way is rolled back: what was applied before the failing
change is undone, the answer says so, and the running configuration (the engine's) is the one
the kernel has again. Before, the earlier changes stayed applied under a "refused" answer."""

from __future__ import annotations

from .rig import MASTER_DOWN, Rig

# the kernel refuses a route whose gateway is on no connected network (ENETUNREACH); check
# accepts it (the gateway may be reachable on the real host), so the plan fails at its last
# change, after the bridge and the alias were made
FAILING = {
    "cloned_interfaces": "carp0 bridge0",
    "ifconfig_bridge0": "up",
    "ifconfig_fxp0_alias0": "inet 192.168.1.33/24",
    "static_routes": "far",
    "route_far": "-net 198.51.100.0/24 203.0.113.1",
}


def test_failed_apply_is_rolled_back_and_said(rig: Rig) -> None:
    conf = rig.conf("hosta", "hosta.conf")
    original = conf.read_text()
    rig.start("hosta", conf)
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)

    conf.write_text(rig.conf("hosta", "next.conf", **FAILING).read_text())
    out = rig.rcnet("hosta", "reload")
    assert out.returncode == 1, out.stdout + out.stderr
    # nothing of the failed reload is left in the kernel
    assert not rig.has_address("hosta", "192.168.1.33/24")
    assert rig.lab.ip("hosta", "link", "show", "dev", "bridge0", check=False).returncode != 0
    # and the answer says what failed and that what came before it was undone
    line = out.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert "applying failed at ip route add 198.51.100.0/24 via 203.0.113.1" in line
    assert "changes applied before it were undone" in line
    assert line.endswith("the running configuration is kept")
    # and the daemon runs what it ran: the old file reloads as "no change", diff finds none
    assert rig.daemons["hosta"].state(1) == "MASTER"
    conf.write_text(original)
    again = rig.rcnet("hosta", "reload")
    assert (again.returncode, again.stdout) == (0, "no change\n"), again.stderr
    diff = rig.rcnet("hosta", "diff", str(conf))
    assert diff.returncode == 0, diff.stdout + diff.stderr
