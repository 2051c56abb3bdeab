"""Issue 12 (hostile inputs) against running daemons: an expansion bomb on reload, hook output
that does not end, control characters that try to forge log lines, a hostname the kernel
refuses."""

from __future__ import annotations

import signal

import pytest

from .rig import MASTER_DOWN, Rig, wait_for

pytestmark = pytest.mark.netns


def test_reload_refuses_an_expansion_bomb(rig: Rig) -> None:
    conf = rig.conf("hosta")
    daemon = rig.start("hosta", conf)
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    lines = ['v0="aaaaaaaa"', *(f'v{k}="$v{k - 1}$v{k - 1}"' for k in range(1, 40))]
    conf.write_text(conf.read_text() + "\n".join(lines) + "\n")
    rig.send_signal("hosta", signal.SIGHUP)
    wait_for("the refusal", lambda: "rcnet: reload refused" in daemon.log(), 10)
    log = daemon.log()
    finding = [ln for ln in log.splitlines() if "[SH09]" in ln]
    assert len(finding) == 1 and f"{conf}:" in finding[0] and ": error: " in finding[0]
    assert "MemoryError" not in log and "Traceback" not in log
    assert daemon.alive() and daemon.state(1) == "MASTER"
