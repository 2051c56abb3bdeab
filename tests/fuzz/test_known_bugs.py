"""Bugs found by fuzzing rcnet, each as the smallest input that shows it (xfail until fixed).

When one of these starts passing, strict xfail fails it: remove the marker and its entry in
known.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.fuzz.oracle_rcconf import HostInput, PropertyViolation, check_hosts, run_cli

SECRET = "Xy7SECRETq"


def check_output(tmp_path: Path, text: str, fmt: str = "text") -> str:
    path = tmp_path / "host.conf"
    path.write_text(text)
    _code, out, err = run_cli(["check", "--format", fmt, "--source", "always", str(path)])
    return out + err


@pytest.mark.xfail(
    strict=True,
    reason="check.py _PASS_RE stops at a quote: `pass 'p'` shows p in the source line",
)
@pytest.mark.parametrize("quoted", [f'\\"{SECRET}\\"', f"'{SECRET}'"])
def test_caret_line_masks_a_quoted_pass(tmp_path: Path, quoted: str) -> None:
    # the leading zero gives a finding (IF03) on the line, so check prints it with a caret
    text = (
        'ifconfig_em0="inet 192.168.1.3/24"\n'
        f'ifconfig_em0_alias0="inet vhid 2 pass {quoted} alias 192.168.001.51/32"\n'
    )
    out = check_output(tmp_path, text)
    assert "IF03" in out
    assert SECRET not in out


@pytest.mark.xfail(
    strict=True,
    reason="explain.py _value_with_blanks quotes the value verbatim: SH01 shows the pass",
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_sh01_message_hides_the_pass(tmp_path: Path, fmt: str) -> None:
    text = f'ifconfig_em0_alias0="inet vhid 1 pass {SECRET} 192.168.1.50/32" oops\n'
    out = check_output(tmp_path, text, fmt)
    assert "SH01" in out
    assert SECRET not in out


@pytest.mark.xfail(
    strict=True,
    reason="explain.py quotes command lines through source.clip, which does not mask a pass",
)
@pytest.mark.parametrize(
    "line",
    [
        f'sysrc x="vhid 1 pass {SECRET}"',
        f'"ifconfig_em0_alias0=vhid 1 pass {SECRET} 10.0.0.1"',
        f'bad.name="vhid 1 pass {SECRET}"',
    ],
)
def test_command_line_messages_hide_the_pass(tmp_path: Path, line: str) -> None:
    out = check_output(tmp_path, line + "\n")
    assert re.search(r"\[SH0[24]\]", out)
    assert SECRET not in out


@pytest.mark.xfail(
    strict=True,
    reason="explain.py _value_with_blanks quotes a multi-line value verbatim: SH01 spans lines",
)
def test_sh01_message_is_one_line(tmp_path: Path) -> None:
    out = check_output(tmp_path, 'x="a\nb" c\n')
    finding_lines = [ln for ln in out.splitlines() if not ln.startswith("    ")][:-1]
    assert len(finding_lines) == 1
    assert re.search(r"\[SH01\]$", finding_lines[0])


@pytest.mark.xfail(strict=True, reason="the SH01 newline bug above, as the oracle reports it")
def test_oracle_reports_the_sh01_newline(tmp_path: Path) -> None:
    try:
        check_hosts([HostInput(False, (("host.conf", b'x="a\nb" c\n'),))], tmp_path / "in")
    except PropertyViolation as exc:
        pytest.fail(str(exc))
