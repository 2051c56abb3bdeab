"""Issue 12, attack 3: an expansion bomb in rc.conf is a finding with a place, never a
MemoryError (`check`, and the same reader on a daemon's reload)."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

from rcnet.rcconf.expand import MAX_VALUE, MAX_WORK
from tests.rcconf.helpers import findings, read, text

ROOT = Path(__file__).resolve().parents[2]


def bomb(n: int = 39) -> list[str]:
    """`v0="aaaaaaaa"`, then `vN="$v(N-1)$v(N-1)"`: v39 would be 4 TiB."""
    return ['v0="aaaaaaaa"', *(f'v{k}="$v{k - 1}$v{k - 1}"' for k in range(1, n + 1))]


def test_doubling_bomb_stops_at_the_value_cap() -> None:
    host = read(*bomb())
    found = findings(host, "SH09")
    assert len(found) == 1
    f = found[0]
    # v17 is 8 * 2**17 = MAX_VALUE characters: the first too long is v18, on line 19
    assert len(text(host, "v17") or "") == MAX_VALUE
    assert (f.severity, f.loc is not None and (f.loc.line, f.loc.column)) == ("error", (19, 10))
    assert text(host, "v18") is None and text(host, "v39") is None


def test_total_work_is_capped_once_per_file() -> None:
    # each copy stays under the value cap; together they go past the work cap
    big = 'b="$a$a$a$a$a$a$a$a"'
    copies = MAX_WORK // (8 * 65536) + 8
    host = read("a=" + "x" * 65536, big, *(f'c{k}="$b"' for k in range(copies)))
    found = findings(host, "SH09")
    assert len(found) == 1 and "in all" in found[0].message
    assert text(host, "c0") is not None
    assert text(host, f"c{copies - 1}") is None


def test_check_of_a_bomb_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    conf = tmp_path / "bomb.conf"
    conf.write_text("\n".join(bomb()) + "\n")

    def limit() -> None:  # 1 GiB of address space: the old reader needed 2+ GiB and died
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    done = subprocess.run(
        [sys.executable, "-m", "rcnet", "check", str(conf)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        preexec_fn=limit,
    )
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert done.returncode == 1
    assert f"{conf}:19:10: error: " in done.stdout and "[SH09]" in done.stdout
