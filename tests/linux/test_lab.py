"""The namespace lab itself: guard, handbook segment, cleanup after failure, sweeping."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from lab.netns import (
    Lab,
    LabError,
    Segment,
    delete_netns,
    in_root_netns,
    list_netns,
    sweep_leftovers,
    unavailable_reason,
)

# the namespace tests here are marked `netns` by conftest (they use the lab fixtures)


def test_handbook_segment_pings(handbook_segment: Segment) -> None:
    lab = handbook_segment.lab
    out = lab.run("hosta", ["ping", "-c1", "-W2", "192.168.1.5"], check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    links = lab.ip("provider", "-o", "link", "show").stdout
    assert ": fxp0@" in links


def test_guard_refuses_foreign_namespaces(lab: Lab) -> None:
    with pytest.raises(LabError, match="not created by this lab"):
        lab.ip("hosta", "link", "show")
    with pytest.raises(LabError):
        lab.run("somebody-elses", ["true"])
    with pytest.raises(LabError):
        lab.call("lan", lambda: None)


def test_call_runs_inside_the_namespace(lab: Lab) -> None:
    lab.add_ns("x")
    assert lab.call("x", in_root_netns) is False
    assert in_root_netns() is True  # the calling thread never moved


def test_close_kills_processes_and_deletes(lab: Lab) -> None:
    full = lab.add_ns("sleeper")
    proc = subprocess.Popen(["ip", "netns", "exec", full, "sleep", "60"])
    try:
        lab.close()
        assert proc.wait(timeout=5) != 0
        assert full not in list_netns()
    finally:
        if proc.poll() is None:
            proc.kill()


def test_cleanup_after_failure_and_sweep(lab: Lab) -> None:
    with pytest.raises(RuntimeError), Lab() as inner:
        made = inner.add_ns("a")
        raise RuntimeError("test body failed")
    assert made not in list_netns()
    # a namespace of a dead run (pid 1 is alive, so use an impossible pid) is swept
    stale = "rcnt4194304x0000-stale"
    subprocess.run(["ip", "netns", "add", stale], check=True)
    try:
        assert stale in sweep_leftovers()
        assert stale not in list_netns()
    finally:
        if stale in list_netns():
            delete_netns(stale)
    # a namespace of a live run (this one) is never swept
    mine = lab.add_ns("live")
    assert mine not in sweep_leftovers()
    assert os.getpid() == int(mine[4:].split("x", 1)[0])


def test_skip_reasons_say_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert unavailable_reason() == "network namespace tests need root (running as uid 1000)"
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    reason = unavailable_reason()
    assert reason is not None and "iproute2" in reason
