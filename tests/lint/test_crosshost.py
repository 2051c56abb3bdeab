"""CA05-CA07 across hosts given together, on the Handbook hosts and variants."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rcnet.hosts import read_hosts
from rcnet.lint import lint_hosts

ROOT = Path(__file__).resolve().parents[2]
HANDBOOK = ROOT / "fixtures" / "handbook"


def findings_for(*paths: Path) -> list[tuple[str, str | None, int | None]]:
    hosts, errors = read_hosts([str(p) for p in paths])
    assert not errors
    return [(f.code, f.host, f.loc.line if f.loc else None) for f in lint_hosts(hosts)]


def variant(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (HANDBOOK / f"{name}.conf").read_text()
    assert old in text
    out = tmp_path / f"{name}.conf"
    out.write_text(text.replace(old, new))
    return out


def test_handbook_hosts_agree() -> None:
    codes = findings_for(*(HANDBOOK / f"{h}.conf" for h in ("hosta", "hostb", "provider")))
    assert codes == []


def test_pass_differing_by_one_letter_is_reported_on_each_host(tmp_path: Path) -> None:
    provider = variant(
        tmp_path, "provider", "vhid 1 advskew 100 pass testpass", "vhid 1 advskew 100 pass testpasS"
    )
    found = findings_for(HANDBOOK / "hosta.conf", provider)
    assert ("CA05", "hosta.example.org", 5) in found
    assert ("CA05", "provider.example.org", 5) in found
    assert not any(code == "CA05" and line == 6 for code, _, line in found)


def test_only_first_19_bytes_of_pass_count(tmp_path: Path) -> None:
    long_a = "A" * 19 + "tail-one"
    long_b = "A" * 19 + "other"
    a = variant(tmp_path, "hosta", "pass testpass", f"pass {long_a}")
    b_dir = tmp_path / "b"
    b_dir.mkdir()
    b = variant(
        b_dir, "provider", "vhid 1 advskew 100 pass testpass", f"vhid 1 advskew 100 pass {long_b}"
    )
    assert [c for c in findings_for(a, b) if c[0] == "CA05"] == []


def test_address_set_mismatch(tmp_path: Path) -> None:
    provider = variant(tmp_path, "provider", "192.168.1.50/24", "192.168.1.52/24")
    found = findings_for(HANDBOOK / "hosta.conf", provider)
    assert {c[0] for c in found} >= {"CA06"}


def test_equal_priorities_warn(tmp_path: Path) -> None:
    provider = variant(tmp_path, "provider", "vhid 1 advskew 100", "vhid 1")
    hosts, _ = read_hosts([str(HANDBOOK / "hosta.conf"), str(provider)])
    ca07 = [f for f in lint_hosts(hosts) if f.code == "CA07"]
    assert len(ca07) == 2 and all(f.severity == "warning" for f in ca07)


def check_with_mismatched_pass(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """`rcnet check OPTIONS hosta provider`, provider's vhid 1 with pass s3cr3tZ."""
    provider = variant(
        tmp_path, "provider", "vhid 1 advskew 100 pass testpass", "vhid 1 advskew 100 pass s3cr3tZ"
    )
    argv = [sys.executable, "-m", "rcnet", "check", *options]
    return subprocess.run(
        [*argv, str(HANDBOOK / "hosta.conf"), str(provider)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_check_json_reports_mismatch_once_per_host_and_never_the_pass(tmp_path: Path) -> None:
    out = check_with_mismatched_pass(tmp_path, "--format", "json")
    assert out.returncode == 1
    data = json.loads(out.stdout)
    ca05 = [f for f in data["findings"] if f["code"] == "CA05"]
    assert sorted(f["host"] for f in ca05) == ["hosta.example.org", "provider.example.org"]
    assert all(isinstance(f["line"], int) and isinstance(f["column"], int) for f in ca05)
    assert "s3cr3tZ" not in out.stdout and "testpass" not in out.stdout


def test_caret_masks_the_pass(tmp_path: Path) -> None:
    out = check_with_mismatched_pass(tmp_path, "--source", "always")
    assert "pass ********" in out.stdout
    assert "s3cr3tZ" not in out.stdout and "testpass" not in out.stdout
    assert out.stdout.rstrip().endswith("(2 hosts)")
