"""bench/probe_rcnet.py wraps methods the daemon has: the takeover path is the Executor's now
(switch_link, send, announce), and the launcher failed with AttributeError on Service._switch,
so bench/diagnose_rcnet.py could not start a daemon."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import sys
sys.path.insert(0, {root!r})
from bench import probe_rcnet
probe_rcnet.install({path!r})
from rcnet.daemon import perform, service
for cls, name in ((service.Service, "_on_timer"), (service.Service, "_on_packet"),
                  (perform.Executor, "switch_link"), (perform.Executor, "send"),
                  (perform.Executor, "announce")):
    assert getattr(cls, name).__name__ == "probed", name
print("wrapped")
"""


def test_the_probe_launcher_wraps_the_takeover_path(tmp_path: Path) -> None:
    code = CHECK.format(root=str(ROOT), path=str(tmp_path / "marks"))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "wrapped"
