"""`rcnet start` that cannot start: one line on stderr, a non-zero exit, no traceback, and the
namespace exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from lab.netns import Lab, handbook
from lab.state import configuration

from .rig import HANDBOOK, run_rcnet

pytestmark = pytest.mark.netns


def test_start_refusals_change_nothing(lab: Lab, tmp_path: Path) -> None:
    handbook(lab, addresses=False)  # bare NICs: anything applied would show
    conf = str(HANDBOOK / "hosta.conf")
    broken = tmp_path / "broken.conf"
    broken.write_text((HANDBOOK / "hosta.conf").read_text().replace("vhid 1", "vhid 300"))
    sock = str(tmp_path / "a.sock")
    # (arguments, exit status, words of the last stderr line, error findings before it?)
    cases: list[tuple[list[str], int, str, bool]] = [
        (
            ["start", conf, "--control", "/proc/rcnet-nowhere/a.sock"],
            1,
            "/proc/rcnet-nowhere",
            False,
        ),
        (["start", conf, "--control", "/tmp/" + "x" * 120 + ".sock"], 1, "more than a unix", False),
        (["start", conf, "--control", sock, "--map", "fxp0=eth9"], 1, "eth9", False),
        (["start", conf, "--control", sock, "--map", "fxp0"], 2, "OLD=NEW", False),
        (["start", str(tmp_path / "missing.conf"), "--control", sock], 2, "missing.conf", False),
        (["start", str(broken), "--control", sock], 1, "nothing was changed", True),
    ]
    before = configuration(lab, "hosta")
    for args, code, words, findings in cases:
        done = run_rcnet(lab, "hosta", args)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == code, (args, done.stderr)
        assert lines and words in lines[-1], (args, done.stderr)
        assert len(lines) > 1 if findings else len(lines) == 1, (args, done.stderr)
        assert all(": error: " in line for line in lines[:-1]), done.stderr
        assert configuration(lab, "hosta") == before, args
