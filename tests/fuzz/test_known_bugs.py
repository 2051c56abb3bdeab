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
    lines = finding_lines(out)
    assert len(lines) == 1 and lines[0].endswith("[SH01]"), lines


def finding_lines(out: str) -> list[str]:
    """The finding lines of check's text output (source and caret lines and summary left out)."""
    return [ln for ln in out.split("\n")[:-2] if not ln.startswith("    ")]


@pytest.mark.xfail(
    strict=True,
    reason="explain.py bad_name writes the fix with the value verbatim: SH02 spans lines",
)
def test_sh02_message_is_one_line(tmp_path: Path) -> None:
    out = check_output(tmp_path, 'bad.name="a\nb"\n')
    lines = finding_lines(out)
    assert len(lines) == 1 and lines[0].endswith("[SH02]"), lines


@pytest.mark.xfail(
    strict=True,
    reason="netsubr/rules.py CL01 names the interface as ifconfig_<if>_name set it, newline kept",
)
def test_cl01_message_is_one_line(tmp_path: Path) -> None:
    out = check_output(tmp_path, 'cloned_interfaces="tap1"\nifconfig_tap1_name="vm\n0"\n')
    lines = finding_lines(out)
    assert len(lines) == 1 and lines[0].endswith("[CL01]"), lines


@pytest.mark.xfail(
    strict=True,
    reason="lint/crosshost.py names hosts by a hostname value that may hold a newline (CA05)",
)
def test_cross_host_messages_are_one_line(tmp_path: Path) -> None:
    carp = 'ifconfig_fxp0="inet 192.168.1.{}/24"\ncloned_interfaces="carp0"\n'
    carp += 'ifconfig_carp0="vhid 1 advskew {} pass {} 192.168.1.50/24"\n'
    a, b = tmp_path / "a.conf", tmp_path / "b.conf"
    a.write_text('hostname="hosta\nx"\n' + carp.format(3, 0, "testpass"))
    b.write_text('hostname="hostb"\n' + carp.format(4, 100, "otherpass"))
    _code, out, _err = run_cli(["check", "--source", "never", str(a), str(b)])
    lines = finding_lines(out)
    assert sum("[CA05]" in ln for ln in lines) == 2
    assert all(re.search(r"\[[A-Z]+[0-9]+\]$", ln) for ln in lines)


@pytest.mark.xfail(strict=True, reason="the SH01 newline bug above, as the oracle reports it")
def test_oracle_reports_the_sh01_newline(tmp_path: Path) -> None:
    try:
        check_hosts([HostInput(False, (("host.conf", b'x="a\nb" c\n'),))], tmp_path / "in")
    except PropertyViolation as exc:
        pytest.fail(str(exc))
