"""The protocol core does no I/O: no module of rcnet/carp imports a socket, event loop,
process, clock, file-system or netlink module, nor the Linux adapter or the daemon, and
importing every one of them loads none of those (transitively)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = sorted((ROOT / "rcnet" / "carp").glob("*.py"))
IO = ("socket", "asyncio", "pyroute2", "subprocess", "os", "time", "select", "selectors",
      "threading", "signal", "fcntl", "shutil", "pathlib", "io", "ctypes", "mmap")  # fmt: skip
OUTER = ("rcnet.linux", "rcnet.daemon", "rcnet.commands", "rcnet.cli")


def imported(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
    return out


def test_no_core_module_imports_io() -> None:
    assert len(CORE) >= 8
    for path in CORE:
        bad = {m for m in imported(path) if m.split(".")[0] in IO or m.startswith(OUTER)}
        assert not bad, f"{path.name} imports {sorted(bad)}"


def test_importing_the_core_loads_no_io_module() -> None:
    # os itself is loaded by the standard library (random, hashlib): not counted here; the
    # core's own modules never import it (the test above)
    probe = (
        "import importlib, sys\n"
        "before = set(sys.modules)\n"
        f"for name in {[p.stem for p in CORE if p.stem != '__init__']!r}:\n"
        "    importlib.import_module('rcnet.carp.' + name)\n"
        f"bad = {{m for m in set(sys.modules) - before if m.split('.')[0] in {IO[:4] + IO[5:]!r}"
        f" or m.startswith({OUTER!r})}}\n"
        "print(','.join(sorted(bad)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={"PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
