"""Issue 12 (hostile inputs) against running daemons: an expansion bomb on reload, hook output
that does not end, control characters that try to forge log lines, a hostname the kernel
refuses."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from rcnet.daemon.hooks import KEEP

from .rig import MASTER_DOWN, Rig, wait_for, write_script

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


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_hook_output_is_bounded_in_memory_and_in_the_log(rig: Rig) -> None:
    # 300 MB on stderr, an escape sequence and a last line, then a failure: the old daemon
    # kept all of it (2.8 GB for 400 MB) and logged it as one line
    hook = write_script(
        rig.tmp / "loud.sh",
        "head -c 300000000 /dev/zero | tr '\\0' x >&2\n"
        "printf '\\n\\033]0;owned\\007last words\\n' >&2\nexit 3\n",
    )
    daemon = rig.start("hosta", args=["--notify", str(hook)])
    baseline = rss_kb(daemon.proc.pid)
    peak = baseline
    deadline = time.monotonic() + MASTER_DOWN[0] + 15
    while daemon.log().count("exit status 3") < 2:
        assert time.monotonic() < deadline, "the hook's failure was never logged"
        peak = max(peak, rss_kb(daemon.proc.pid))
        time.sleep(0.02)
    assert peak - baseline < 32 * 1024, f"RSS grew from {baseline} kB to {peak} kB"
    failures = [ln for ln in daemon.log().splitlines() if "exit status 3" in ln]
    assert len(failures) == 2  # BACKUP and MASTER
    for line in failures:
        assert len(line) < 4 * 1024
        assert "\x1b" not in line and "\x07" not in line
        total = 300_000_000 + len("\n\x1b]0;owned\x07last words\n")
        assert line.endswith(f": xxxx{'x' * 1020} ... \\x1b]0;owned\\x07last words"
                             f" ({total - 2 * KEEP} bytes omitted)")  # fmt: skip
    assert daemon.alive() and daemon.state(1) == "MASTER"


def test_a_file_name_cannot_forge_a_log_line(rig: Rig) -> None:
    forged = "1@carp0: MASTER -> BACKUP (forged)"
    conf = rig.conf("hosta", name=f"x\n12:00:00.000 carp: {forged}\n.conf")
    daemon = rig.start("hosta", conf)
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    # a reload refused: its findings are logged with the file's name
    conf.write_text(conf.read_text().replace("vhid 1 pass", "vhid 1 advskew 300 pass"))
    rig.send_signal("hosta", signal.SIGHUP)
    wait_for("the refusal", lambda: "rcnet: reload refused" in daemon.log(), 5)
    lines = daemon.log().splitlines()
    assert not any(line.startswith("12:00:00.000 carp:") for line in lines)
    assert any(f"x\\n12:00:00.000 carp: {forged}\\n.conf" in line for line in lines)
    # the only transition lines are the daemon's own (the forged one is inside a line)
    said = [ln.split(" ", 1)[1] for ln in lines if ln.split(" ", 2)[1:2] == ["carp:"]]
    assert [ln.split(" -> ")[1].split()[0] for ln in said] == ["BACKUP", "MASTER"]
