"""`rcnet metrics` and `rcnet start --metrics`: OpenMetrics from real daemons in namespaces,
parsed back with prometheus-client's own OpenMetrics parser; and the check path stays light."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from daemon.rig import MASTER_DOWN, Rig, run_rcnet
from prometheus_client.openmetrics.parser import text_string_to_metric_families

from .test_sysrc import PROVIDER, ROOT

PORT = 9842


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an OpenMetrics text (the parser rejects a malformed one)."""
    assert text.endswith("# EOF\n")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(
    found: dict[tuple[str, frozenset[tuple[str, str]]], float], metric: str, **labels: str
) -> float:
    matches = [v for (n, lab), v in found.items() if n == metric and set(labels.items()) <= lab]
    assert len(matches) == 1, (metric, labels, [k for k in found if k[0] == metric])
    return matches[0]


def test_check_and_sysrc_import_no_metrics_library() -> None:
    probe = (
        "import sys; from rcnet.cli import main; main(sys.argv[1:]); "
        "print(sorted(m for m in sys.modules if m.startswith('prometheus_client')))"
    )
    for args in (["check", str(PROVIDER)], ["sysrc", "-f", str(PROVIDER), "hostname"]):
        out = subprocess.run(
            [sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=ROOT
        )
        assert out.stdout.splitlines()[-1] == "[]", out.stdout + out.stderr


@pytest.mark.netns
def test_metrics_from_running_daemons(rig: Rig) -> None:
    rig.start("provider", args=["--metrics", f"127.0.0.1:{PORT}"])
    rig.wait_state("provider", 1, "MASTER", MASTER_DOWN[100] + 2)
    rig.start("hosta")
    rig.wait_state("hosta", 1, "BACKUP", 2)
    time.sleep(1.5)  # a few more adverts

    printed = rig.rcnet("provider", "metrics")
    assert printed.returncode == 0, printed.stderr
    found = samples(printed.stdout)
    one = {"vhid": "1", "interface": "carp0", "parent": "fxp0"}
    assert value(found, "rcnet_carp_state", **one, rcnet_carp_state="MASTER") == 1
    assert value(found, "rcnet_carp_state", **one, rcnet_carp_state="BACKUP") == 0
    assert value(found, "rcnet_carp_transitions_total", **one, reason="master timed out") == 1
    assert value(found, "rcnet_carp_adverts_sent_total", **one) >= 2
    assert value(found, "rcnet_carp_advskew", **one) == 100
    assert value(found, "rcnet_carp_statistics_total", counter="sent-inet-packets") >= 2
    assert value(found, "rcnet_carp_sysctl", name="net.inet.carp.demotion") == 0

    backup = samples(rig.rcnet("hosta", "metrics").stdout)
    assert value(backup, "rcnet_carp_state", vhid="1", rcnet_carp_state="BACKUP") == 1
    heard = value(backup, "rcnet_carp_adverts_received_total", vhid="1")
    # provider advertises every 1.39 s; hosta counts vhid 1's among all it received
    assert (
        1 <= heard <= value(backup, "rcnet_carp_statistics_total", counter="received-inet-packets")
    )
    assert value(backup, "rcnet_carp_adverts_sent_total", vhid="1") == 0

    url = f"http://127.0.0.1:{PORT}/metrics"
    fetch = f"import urllib.request as u; print(u.urlopen({url!r}).read().decode(), end='')"
    served = rig.lab.run("provider", [sys.executable, "-c", fetch])
    # the HTTP server answers the Prometheus text format by default: same families and values
    assert "rcnet_carp_state" in served.stdout and 'reason="master timed out"' in served.stdout

    nobody = run_rcnet(rig.lab, "provider", ["metrics", "--control", str(rig.tmp / "none.sock")])
    assert (nobody.returncode, nobody.stdout) == (3, "")
