"""How every benchmark closes its results file (bench/lab_check.write_results)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import lab_check


def test_write_results_records_the_machine_and_rcnet_after_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lab_check, "RESULTS", tmp_path / "results")
    result = {"what": "a figure", "rcnet_before": lab_check.rcnet_version()}
    path = lab_check.write_results("x.json", result)
    assert path == tmp_path / "results" / "x.json"
    written = json.loads(path.read_text())
    assert written == result  # the caller's dict gains the same keys it sees on disk
    assert written["what"] == "a figure"
    assert set(written["machine_after"]) == {"loadavg", "busy_processes"}
    assert written["rcnet_after"] == written["rcnet_before"]  # no source changed meanwhile
    assert path.read_text().endswith("}\n")
