"""Rule fixtures: every `# expect:` annotation fires at its line, nothing else does; and the
model of each fixture matches its golden JSON (RCNET_REGEN_GOLDEN=1 rewrites them)."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from rcnet.findings import Finding

from .helpers import build

ROOT = Path(__file__).resolve().parents[2]
RULES = sorted((ROOT / "fixtures" / "rules").glob("*.conf"))
HANDBOOK = sorted((ROOT / "fixtures" / "handbook").glob("*.conf"))
GOLDEN = ROOT / "fixtures" / "golden"
REGEN = os.environ.get("RCNET_REGEN_GOLDEN") == "1"

#: codes the builder produces (the reader's SH01-SH06 and lint's SH08/CA05-07 are not ours)
BUILDER_CODES = re.compile(
    r"^(SH07|IF\d\d|AL\d\d|DU\d\d|CL\d\d|RN\d\d|CA0[1234589]|RT\d\d|GN\d\d|LX\d\d|RC\d\d|SY\d\d)$"
)


def expected(path: Path) -> Counter[tuple[int, str]]:
    out: Counter[tuple[int, str]] = Counter()
    for n, line in enumerate(path.read_text().splitlines(), start=1):
        m = re.search(r"# expect: (.*)$", line)
        if m:
            out.update((n, code) for code in m.group(1).split())
    return out


def found(findings: list[Finding], path: Path) -> Counter[tuple[int, str]]:
    return Counter(
        (f.loc.line if f.loc and f.loc.file.endswith(path.name) else 0, f.code)
        for f in findings
        if BUILDER_CODES.match(f.code)
    )


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.stem)
def test_rule_fixture_annotations(path: Path) -> None:
    _, findings = build(path.read_text(), path=str(path))
    assert found(findings, path) == expected(path)


def test_every_rule_has_a_firing_fixture() -> None:
    codes = {code for path in RULES for _, code in expected(path)}
    wanted = {
        "SH07", "IF01", "IF02", "IF03", "IF04", "IF05", "IF06", "IF07", "IF09", "IF10", "IF11",
        "IF12", "AL01", "AL02", "AL03", "AL04", "AL06", "AL07", "AL08", "DU01", "DU02", "CL01",
        "CL02", "CL03", "CL05", "RN01", "CA01", "CA02", "CA03", "CA04", "CA08", "CA09", "RT01",
        "RT02", "GN01", "GN04", "LX01",
    }  # fmt: skip
    assert sorted(wanted - codes) == []


def _golden(path: Path, data: dict[str, object]) -> None:
    target = GOLDEN / f"{path.parent.name}-{path.stem}.json"
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    if REGEN or not target.exists():
        if not REGEN:
            pytest.fail(f"{target} is missing; run with RCNET_REGEN_GOLDEN=1 to write it")
        target.write_text(text)
    assert json.loads(target.read_text()) == json.loads(text), (
        f"{target.name} differs; if the change is intended, run with RCNET_REGEN_GOLDEN=1"
    )


@pytest.mark.parametrize("path", RULES + HANDBOOK, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_golden_model(path: Path) -> None:
    host, _ = build(path.read_text(), path=f"{path.parent.name}/{path.name}")
    _golden(path, host.to_json())
