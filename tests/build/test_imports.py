"""The front end never imports the protocol core, the Linux adapter, scapy or pyroute2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import rcnet.build, rcnet.ifconfig, rcnet.netsubr
from rcnet.build import build_host
bad = sorted(m for m in sys.modules
             if m.split(".")[0] in ("scapy", "pyroute2", "lark")
             or m.startswith(("rcnet.carp", "rcnet.linux", "rcnet.daemon", "rcnet.commands")))
print(",".join(bad))
"""


def test_builder_imports_stay_in_the_front_end() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == ""
