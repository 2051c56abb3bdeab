"""bench.report: the Markdown table says what the JSON says, misses included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import report, tables


def summary(median: float, n: int = 10) -> dict[str, float | int | None]:
    return {
        "median": median,
        "p90": median + 1,
        "min": median - 1,
        "max": median + 2,
        "n": n,
        "failed": 0,
    }


def failover_run(usable: float, garp: float, planned: float) -> dict[str, object]:
    return {
        "summary": {
            "unplanned": {
                "usable_overhead_ms": summary(usable),
                "overhead_ms": summary(garp),
                "client_gap_ms": summary(3000.0),
            },
            "planned": {
                "usable_handover_ms": summary(planned),
                "usable_handover_minus_wait_ms": summary(planned - 400),
                "handover_ms": summary(planned - 1),
                "client_gap_ms": summary(20.0),
            },
        }
    }


FAILOVER = {
    "quick": False,
    "trials_per_kind": 10,
    "segment": "a bridge",
    "probe_interval_s": 0.005,
    "rcnet_syntax": "modern",
    "implementations": {
        "rcnet": failover_run(6.5, 1.2, 12.0),
        "ucarp": failover_run(1050.0, 1049.0, 4000.0),
        "keepalived": {"skipped": "keepalived is not installed"},
    },
}


def cpu(median: float) -> dict[str, float | int | None]:
    return summary(median, n=5)


RESOURCES = {
    "quick": True,
    "window_s": 4.0,
    "rounds": 5,
    "other_max_percent": 10.0,
    "cpu_memory": [
        {
            "vhids": 64,
            "rejected": [{"impl": "ucarp", "why": "busy machine"}],
            "rcnet": {"cpu_percent_both": cpu(0.2), "pss_mb": cpu(30.0), "rss_mb": cpu(40.0)},
            "ucarp": {"cpu_percent_both": cpu(1.5), "pss_mb": cpu(150.0), "processes": 64},
            "keepalived": {"cpu_percent_both": cpu(0.5), "pss_mb": cpu(5.0), "processes": 2},
        },
        {
            "vhids": 255,
            "rejected": [],
            "rcnet": {"cpu_percent_both": cpu(0.6), "pss_mb": cpu(40.0), "rss_mb": cpu(45.0)},
            "ucarp": {"cpu_percent_both": cpu(13.0), "pss_mb": cpu(590.0), "processes": 255},
            "keepalived": {"cpu_percent_both": cpu(1.0), "pss_mb": cpu(6.0), "processes": 2},
        },
    ],
    "jitter": {"rcnet": {"vhids": 64, "jitter_idle": {"abs_jitter_p50_ms": 0.19}}},
}


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(report, "RESULTS", tmp_path)
    (tmp_path / "failover.json").write_text(json.dumps(FAILOVER))
    (tmp_path / "resources.json").write_text(json.dumps(RESOURCES))
    return tmp_path


def test_targets_met_and_missed_are_stated(results: Path) -> None:
    text = report.write().read_text()
    # keepalived was skipped: nothing to compare rcnet's 6.5 ms with
    assert "no worse than keepalived's median: **not measured** (6.5 ms against – ms)" in text
    assert "within 50 ms of the bow-out (VIP usable): **met** (median 12.0 ms)" in text
    # 0.2 / 0.5 = 0.4 <= 0.5; 0.2 / 1.5 = 0.13 > 0.1; 0.6 / 1.0 = 0.6 > 0.5; 0.6 / 13 = 0.05
    assert "CPU at 64 vhids ≤ 0.5 × keepalived's: **met** (ratio 0.40)" in text
    assert "CPU at 64 vhids ≤ 0.1 × ucarp's: **MISSED** (ratio 0.13)" in text
    assert "CPU at 255 vhids ≤ 0.5 × keepalived's: **MISSED** (ratio 0.60)" in text
    assert "CPU at 255 vhids ≤ 0.1 × ucarp's: **met** (ratio 0.05)" in text
    # 40 MB against 6 + 30 MB
    assert "PSS at 255 vhids ≤ keepalived's + 30 MB: **MISSED** (40.0 MB against 36.0 MB)" in text


def test_columns_and_skipped_implementation(results: Path) -> None:
    text = report.render()
    assert "| | rcnet | ucarp | keepalived |" in text
    assert "| median | 6.5 | 1,050.0 | skipped: keepalived is not installed |" in text
    assert "| n | 10 | 10 |  |" in text
    assert "pings the VIP every 5 ms" in text
    row = "| 64 | CPU % | 0.200 (-0.800–2.200) | 1.500 (0.500–3.500) | 0.500 (-0.500–2.500) |"
    assert row in text  # median (min–max) of the kept windows
    assert "| 255 | processes per host | – | 255 | 2 |" in text
    assert "repeated because the machine was busy or a pair had not settled: 1." in text


def test_readme_block_is_rewritten_between_its_markers(results: Path, tmp_path: Path) -> None:
    from bench import readme

    page = tmp_path / "README.md"
    page.write_text(f"intro\n{readme.BEGIN}\nold figures\n{readme.END}\nrest\n")
    assert readme.update(page)
    text = page.read_text()
    assert text.startswith("intro\n") and text.endswith(f"{readme.END}\nrest\n")
    assert "old figures" not in text
    assert (
        "| unplanned failover, VIP usable beyond the protocol's bound, median (p90) | 6.5 (7.5)"
        in (text)
    )
    assert "| PSS of the MASTER host at 255 vhids, MB | 40.0 (39.0–42.0) | 590.0" in text
    assert "`bench/results/failover.json` (10 trials per kind;" in text
    (tmp_path / "unmarked.md").write_text("no markers\n")
    assert not readme.update(tmp_path / "unmarked.md")


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
    line = tables.machine_line(data)
    assert "before: load 2.0 1.0 0.5; other processes fuzz 70.0 %" in line
    assert "after: load 0.1 0.2 0.3; other processes quiet" in line
    assert tables.machine_line({}) == ""


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
    assert tables.version_text(a, a) == "rcnet aaa (sources 111)."
    moved = tables.version_text(a, {"commit": "bbb", "rcnet_sources_sha1": "111"})
    assert "HEAD moved to bbb with rcnet/ unchanged" in moved and "**changed" not in moved
    changed = tables.version_text(a, {"commit": "bbb", "rcnet_sources_sha1": "222"})
    assert "**changed during the run** to sources 222" in changed
    assert tables.version_text(None) == ""
