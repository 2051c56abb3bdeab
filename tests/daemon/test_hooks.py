"""Notification hooks (`--notify SCRIPT`, rc.conf `rcnet_notify`): `SCRIPT <vhid>@<if> <STATE>`
once per transition, like devd's CARP events; a failing or hanging hook harms nothing else."""

from __future__ import annotations

import contextlib
import re
import subprocess
from pathlib import Path

import pytest

from rcnet.daemon.hooks import DEFAULT_TIMEOUT

from .rig import MASTER_DOWN, Rig, elapsed, seconds, wait_for, write_script

pytestmark = pytest.mark.netns


#: how soon after its transition a hook that waits for nothing must have started; far below the
#: hanging hook's DEFAULT_TIMEOUT, which a hook queued behind it would have to wait out
PROMPT = DEFAULT_TIMEOUT / 2
#: the daemon's lateness allowed beyond its hook timeout (asyncio and a busy 2-core machine)
LATE = 1.0
#: both stamps are cut to whole milliseconds
TICK = 0.002


def calls(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def started(path: Path) -> list[float]:
    """When each run of a hook began, from the stamp it wrote (`date`, as the daemon's log)."""
    return [seconds(line) for line in calls(path.with_suffix(".at"))]


def recording(path: Path, calls_file: Path, more: str = "") -> Path:
    """A hook that appends its arguments to `calls_file` and the time it began to its `.at`."""
    return write_script(
        path, f'date +%T.%3N >> {calls_file.with_suffix(".at")}\necho "$@" >> {calls_file}\n{more}'
    )


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
    recorder = recording(tmp / "record.sh", on_cli)
    from_rc = recording(tmp / "from-rc.sh", on_rc)
    failing = recording(tmp / "fail.sh", failing_calls, 'echo "no luck" >&2\nexit 1\n')
    # not exec: the sleep is the script's child, which the kill at the timeout must reach too
    hanging = recording(tmp / "hang.sh", hanging_calls, "sleep 60\n")
    conf = rig.conf("hosta", rcnet_notify=str(from_rc))
    args = ["--notify", str(failing), "--notify", str(hanging), "--notify", str(recorder)]
    daemon = rig.start("hosta", conf, args)

    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    expected = ["1@carp0 BACKUP", "1@carp0 MASTER"]
    # (each hook has its own queue: the failing one's MASTER run may come after the recorders')
    wait_for(
        "both recording hooks and the failing one",
        lambda: calls(on_rc) == expected == calls(on_cli) == calls(failing_calls),
        DEFAULT_TIMEOUT + 5,
    )
    assert calls(hanging_calls) == ["1@carp0 BACKUP"]  # its MASTER run waits for its BACKUP run
    first = sleeping(rig)
    assert len(first) == 1, first
    assert daemon.state(1) == "MASTER"
    assert "exit status 1: no luck" in daemon.log()
    # the hanging hook holds up neither the hooks after it nor those of the next transition:
    # timed from the daemon's log stamp of each transition to the stamp each hook wrote
    backup_at = daemon.stamps(r"^carp: 1@carp0: INIT -> BACKUP ")
    master_at = daemon.stamps(r"^carp: 1@carp0: BACKUP -> MASTER ")
    assert len(backup_at) == len(master_at) == 1, daemon.log()
    for hook in (on_cli, on_rc, failing_calls):
        runs = started(hook)
        assert len(runs) == 2, (hook, runs)
        delays = [elapsed(t, run) for t, run in zip((*backup_at, *master_at), runs, strict=True)]
        assert all(-TICK <= d <= PROMPT for d in delays), (hook, delays)

    # the hanging hook is killed at its timeout, and its next event runs after it
    wait_for("the hanging hook's second run", lambda: len(started(hanging_calls)) == 2, 20)
    killed = daemon.stamps(rf"^hook {re.escape(str(hanging))} 1@carp0 BACKUP: killed after ")
    assert len(killed) == 1, daemon.log()
    ran_for = elapsed(backup_at[0], killed[0])  # its run began after the transition was logged
    assert DEFAULT_TIMEOUT - TICK <= ran_for <= DEFAULT_TIMEOUT + LATE, ran_for
    next_run = elapsed(killed[0], started(hanging_calls)[1])
    assert -TICK <= next_run <= LATE, next_run
    assert calls(hanging_calls) == expected
    # the first run's child went with it; the second run's shell may not have forked its own yet
    wait_for(
        "the first run's sleep gone, the second's started",
        lambda: (now := sleeping(rig)) != [] and first[0] not in now and len(now) == 1,
        5,
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
