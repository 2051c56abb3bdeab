"""check and show never import the protocol core's heavy friends (scapy, pyroute2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROVIDER = ROOT / "fixtures" / "handbook" / "provider.conf"

PROBE = """
import sys
from rcnet.cli import main
try:
    main(sys.argv[1:])
finally:
    heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('scapy', 'pyroute2')
                   or m.startswith('rcnet.carp') or m.startswith('rcnet.linux'))
    print('HEAVY=' + ','.join(heavy), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["check"], ["show", "--json"], ["check", "--format", "json"]])
def test_front_end_commands_stay_light(args: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args, str(PROVIDER)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    heavy = [ln for ln in out.stderr.splitlines() if ln.startswith("HEAVY=")]
    assert heavy == ["HEAVY="], out.stderr
