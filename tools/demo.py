"""make demo: the Handbook's hosta, hostb and provider, checked, shown and run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOSTS = [ROOT / "fixtures" / "handbook" / f"{h}.conf" for h in ("hosta", "hostb", "provider")]
RCNET = [sys.executable, "-m", "rcnet"]


def step(title: str, *args: str) -> int:
    print(f"\n$ rcnet {' '.join(_short(a) for a in args)}    # {title}", flush=True)
    return subprocess.run([*RCNET, *args], cwd=ROOT).returncode


def _short(arg: str) -> str:
    return arg.replace(str(ROOT) + "/", "")


def main() -> int:
    hosts = [str(h) for h in HOSTS]
    step("lint the three hosts together", "check", *hosts)
    step("what start would apply on provider", "show", hosts[2])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
