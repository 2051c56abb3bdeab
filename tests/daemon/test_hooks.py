"""Notification hooks (`--notify SCRIPT`, rc.conf `rcnet_notify`): `SCRIPT <vhid>@<if> <STATE>`
once per transition, like devd's CARP events; a failing or hanging hook harms nothing else."""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path

import pytest

from rcnet.daemon.hooks import DEFAULT_TIMEOUT

from .rig import MASTER_DOWN, Rig, wait_for, write_script

pytestmark = pytest.mark.netns


def calls(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def sleeping(rig: Rig) -> list[int]:
    """Processes of the hanging hook (its `sleep 60`) still alive in hosta's namespace."""
    pids = subprocess.run(
        ["ip", "netns", "pids", rig.lab.name("hosta")], capture_output=True, text=True
    ).stdout.split()
    found = []
    for pid in pids:
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:2] == [b"sleep", b"60"]:
                found.append(int(pid))
    return found


def test_hooks_once_per_transition_and_isolated(rig: Rig) -> None:
    tmp = rig.tmp
    on_cli, on_rc = tmp / "cli.calls", tmp / "rc.calls"
    failing_calls, hanging_calls = tmp / "fail.calls", tmp / "hang.calls"
    recorder = write_script(tmp / "record.sh", f'echo "$@" >> {on_cli}\n')
    from_rc = write_script(tmp / "from-rc.sh", f'echo "$@" >> {on_rc}\n')
    failing = write_script(
        tmp / "fail.sh", f'echo "$@" >> {failing_calls}\necho "no luck" >&2\nexit 1\n'
    )
    # not exec: the sleep is the script's child, which the kill at the timeout must reach too
    hanging = write_script(tmp / "hang.sh", f'echo "$@" >> {hanging_calls}\nsleep 60\n')
    conf = rig.conf("hosta", rcnet_notify=str(from_rc))
    args = ["--notify", str(failing), "--notify", str(hanging), "--notify", str(recorder)]
    daemon = rig.start("hosta", conf, args)

    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    expected = ["1@carp0 BACKUP", "1@carp0 MASTER"]
    # the hanging hook holds up neither the hooks after it nor those of the next transition
    # (each hook has its own queue: the failing one's MASTER run may come after the recorders')
    wait_for(
        "both recording hooks and the failing one",
        lambda: calls(on_rc) == expected == calls(on_cli) == calls(failing_calls),
        1,
    )
    assert calls(hanging_calls) == ["1@carp0 BACKUP"]  # its MASTER run waits for its BACKUP run
    first = sleeping(rig)
    assert len(first) == 1, first
    assert daemon.state(1) == "MASTER"
    assert "exit status 1: no luck" in daemon.log()

    # the hanging hook is killed at its timeout, and its next event runs after it
    started = time.monotonic()
    wait_for("the hanging hook's second run", lambda: len(calls(hanging_calls)) == 2, 13)
    assert time.monotonic() - started <= DEFAULT_TIMEOUT
    assert "killed after" in daemon.log()
    # the first run's child went with it; the second run's shell may not have forked its own yet
    wait_for(
        "the first run's sleep gone, the second's started",
        lambda: (now := sleeping(rig)) != [] and first[0] not in now and len(now) == 1,
        1,
    )
    assert daemon.alive() and daemon.state(1) == "MASTER"

    # stop: one more transition (MASTER -> INIT), one more call of each hook
    stopped = rig.rcnet("hosta", "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert daemon.proc.wait(timeout=15) == 0
    transitions = [f"{t.vhid}@{t.interface} {t.new}" for t in daemon.transitions()]
    assert transitions == [*expected, "1@carp0 INIT"]
    assert calls(on_cli) == transitions == calls(on_rc) == calls(failing_calls)
    assert sleeping(rig) == []  # the daemon left no hook behind
