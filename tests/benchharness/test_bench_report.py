"""bench.report: the Markdown table says what the JSON says, misses included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import report


def summary(median: float, n: int = 10) -> dict[str, float | int | None]:
    return {
        "median": median,
        "p90": median + 1,
        "min": median - 1,
        "max": median + 2,
        "n": n,
        "failed": 0,
    }


FAILOVER = {
    "quick": False,
    "trials_per_kind": 10,
    "segment": "a bridge",
    "rcnet_syntax": "modern",
    "implementations": {
        "rcnet": {
            "summary": {
                "unplanned": {"overhead_ms": summary(6.5), "client_gap_ms": summary(3000.0)},
                "planned": {"handover_ms": summary(12.0), "client_gap_ms": summary(20.0)},
            }
        },
        "ucarp": {
            "summary": {
                "unplanned": {"overhead_ms": summary(1050.0), "client_gap_ms": summary(4000.0)},
                "planned": {"handover_ms": summary(4000.0), "client_gap_ms": summary(3000.0)},
            }
        },
        "keepalived": {"skipped": "keepalived is not installed"},
    },
}

RESOURCES = {
    "quick": True,
    "window_s": 5.0,
    "implementations": {
        "rcnet": {
            "runs": [
                {"vhids": 64, "cpu_percent_both": 0.5, "m": {"rss_mb": 40.0, "pss_mb": 30.0}},
                {"vhids": 255, "cpu_percent_both": 1.5, "m": {"rss_mb": 45.0, "pss_mb": 35.0}},
            ]
        },
        "ucarp": {
            "runs": [
                {"vhids": 64, "cpu_percent_both": 1.0, "m": {"rss_mb": 300.0, "processes": 64}},
                {
                    "vhids": 255,
                    "cpu_percent_both": 30.0,
                    "m": {"rss_mb": 900.0, "processes": 255},
                    "note": "contention",
                },
            ]
        },
    },
}


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(report, "RESULTS", tmp_path)
    (tmp_path / "failover.json").write_text(json.dumps(FAILOVER))
    (tmp_path / "resources.json").write_text(json.dumps(RESOURCES))
    return tmp_path


def test_targets_met_and_missed_are_stated(results: Path) -> None:
    text = report.write().read_text()
    assert "median ≤ 5 ms: **MISSED** (6.5 ms)" in text
    assert "within 50 ms of the bow-out: **met** (median 12.0 ms)" in text
    # 0.5 / 1.0 = 0.5 > 0.25
    assert "at 64 vhids: **MISSED** (ratio 0.50)" in text
    assert "under 60 MB resident: **met** (45.0 MB)" in text


def test_columns_and_skipped_implementation(results: Path) -> None:
    text = report.render()
    assert "| | rcnet | ucarp | keepalived |" in text
    assert "| median | 6.5 | 1,050.0 | skipped: keepalived is not installed |" in text
    assert "| n | 10 | 10 |  |" in text
    assert "| 255 | 1.50 | 30.00 ¹ |" in text and "¹ contention." in text


def test_no_results_no_sections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report, "RESULTS", tmp_path)
    text = report.render()
    assert "## Failover" not in text and "## CPU" not in text


def test_machine_line_names_what_else_was_busy() -> None:
    data = {
        "machine_before": {
            "loadavg": "2.0 1.0 0.5",
            "busy_processes": [{"command": "fuzz", "cpu_percent": 70.0}],
        },
        "machine_after": {"loadavg": "0.1 0.2 0.3", "busy_processes": []},
    }
    line = report.machine_line(data)
    assert "before: load 2.0 1.0 0.5; other processes fuzz 70.0 %" in line
    assert "after: load 0.1 0.2 0.3; other processes quiet" in line
    assert report.machine_line({}) == ""


def test_machine_load_sees_a_busy_process() -> None:
    import subprocess
    import sys

    from bench.lab_check import machine_load

    spin = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        load = machine_load(interval=0.5, threshold=20.0)
    finally:
        spin.kill()
        spin.wait()
    assert len(str(load["loadavg"]).split()) == 3
    busy = load["busy_processes"]
    assert isinstance(busy, list) and any(p["pid"] == spin.pid for p in busy)


def test_version_text_flags_only_a_change_of_rcnet_sources() -> None:
    a = {"commit": "aaa", "rcnet_sources_sha1": "111"}
    assert report.version_text(a, a) == "rcnet aaa (sources 111)."
    moved = report.version_text(a, {"commit": "bbb", "rcnet_sources_sha1": "111"})
    assert "HEAD moved to bbb with rcnet/ unchanged" in moved and "**changed" not in moved
    changed = report.version_text(a, {"commit": "bbb", "rcnet_sources_sha1": "222"})
    assert "**changed during the run** to sources 222" in changed
    assert report.version_text(None) == ""
