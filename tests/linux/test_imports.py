"""The adapter's import rules: the protocol core's pure modules (its wire format and framing)
but no front end, no daemon, no scapy; pyroute2 only on use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = [p.stem for p in (ROOT / "rcnet" / "linux").glob("*.py") if p.stem != "__init__"]
PROBE = """
import importlib, sys
for name in sys.argv[1:]:
    importlib.import_module("rcnet.linux." + name)
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in ("scapy", "pyroute2", "lark")
      or m.startswith(("rcnet.rcconf", "rcnet.lint", "rcnet.build", "rcnet.cli",
                       "rcnet.commands", "rcnet.daemon")))))
"""


def test_adapter_imports_stay_in_their_lane() -> None:
    assert {"frames", "transport", "netlink", "links", "rtnl"} <= set(MODULES)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *MODULES],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={"PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
