"""The rule registry (rcnet/rules.py): every code the sources emit is registered, and the
generated reference docs/rules.md is what the registry says today."""

from __future__ import annotations

import re
from pathlib import Path

from rcnet.rules import FAMILIES, RULES, reference_markdown, suggest_code
from tools.gen_docs import stale

ROOT = Path(__file__).resolve().parents[2]
#: a finding code as the sources write it: Finding("SH08", ...), report.at("CL05", ...)
_CODE = re.compile(r"""["']([A-Z]{2}\d{2})["']""")


def _emitted() -> set[str]:
    codes: set[str] = set()
    for path in (ROOT / "rcnet").rglob("*.py"):
        if path.name == "rules.py":
            continue
        codes.update(c for c in _CODE.findall(path.read_text()) if c[:2] in FAMILIES)
    return codes


def test_every_emitted_code_is_registered() -> None:
    emitted = _emitted()
    assert len(emitted) > 40  # the scan found the codes (SH01 ... LX01)
    missing = sorted(emitted - set(RULES))
    assert missing == [], f"add {missing} to rcnet/rules.py"


def test_registry_entries_are_complete() -> None:
    for code, r in RULES.items():
        assert r.code == code and re.fullmatch(r"[A-Z]{2}\d{2}", code)
        assert code[:2] in FAMILIES
        assert r.severity in ("error", "warning", "info")
        assert r.title and r.text.strip() and not r.title.endswith(".")


def test_rules_reference_is_not_stale() -> None:
    assert stale() == [], "docs/rules.md is stale: run `make rules`"
    text = (ROOT / "docs" / "rules.md").read_text()
    assert text == reference_markdown()
    assert all(f"### {code} " in text for code in RULES)


def test_suggest_code() -> None:
    assert suggest_code("sh8") == "SH08"
    assert suggest_code("IF1") == "IF01"
    assert suggest_code("CA5") == "CA05"
