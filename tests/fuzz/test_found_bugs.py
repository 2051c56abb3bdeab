"""Bugs the fuzzers found in rcnet, each as the smallest input that showed it.

Each was a strict xfail until fixed (304fa68: one redaction for every finding, passes masked
and line breaks shown as \\n; 82f2a06: show masks too); now they keep them fixed. An open bug
is a strict xfail naming file and cause, with an entry in known.py while it is open.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.fuzz.oracle_rcconf import HostInput, check_hosts, run_cli

SECRET = "Xy7SECRETq"


def check_output(tmp_path: Path, text: str, fmt: str = "text") -> str:
    path = tmp_path / "host.conf"
    path.write_text(text)
    _code, out, err = run_cli(["check", "--format", fmt, "--source", "always", str(path)])
    return out + err


def finding_lines(out: str) -> list[str]:
    """The finding lines of check's text output (source and caret lines and summary left out)."""
    return [ln for ln in out.split("\n")[:-2] if not ln.startswith("    ")]


# --- passes printed -------------------------------------------------------------------------


# was: check.py's _PASS_RE stopped at a quote, so the source line showed a quoted pass
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


# was: explain.py _value_with_blanks quoted the value, pass and all
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_sh01_message_hides_the_pass(tmp_path: Path, fmt: str) -> None:
    text = f'ifconfig_em0_alias0="inet vhid 1 pass {SECRET} 192.168.1.50/32" oops\n'
    out = check_output(tmp_path, text, fmt)
    assert "SH01" in out
    assert SECRET not in out


# was: rcconf/source.py clip() quoted source text for SH02/SH04 without masking a pass
@pytest.mark.parametrize(
    "line",
    [
        f'sysrc x="vhid 1 pass {SECRET}"',
        f'"ifconfig_em0_alias0=vhid 1 pass {SECRET} 10.0.0.1"',
        f'bad.name="vhid 1 pass {SECRET}"',
        f"ifconfig_em0_alias0=`echo vhid 1 pass {SECRET}`",
    ],
)
def test_messages_quoting_the_source_hide_the_pass(tmp_path: Path, line: str) -> None:
    out = check_output(tmp_path, line + "\n")
    assert re.search(r"\[SH0[24]\]", out)
    assert SECRET not in out


# was: ifconfig/parse.py _secrets redacted the word after `pass`, not a quoted word holding it
def test_if01_message_hides_a_pass_inside_a_quoted_word(tmp_path: Path) -> None:
    out = check_output(tmp_path, f"ifconfig_em0='\"inet 10.0.0.1/24 vhid 1 pass {SECRET}\"'\n")
    assert "IF01" in out
    assert SECRET not in out


# was: commands/show.py printed the hostname unmasked while check masked it (fixed in 82f2a06)
@pytest.mark.parametrize("as_json", [False, True])
def test_show_masks_a_pass_written_into_the_hostname(tmp_path: Path, as_json: bool) -> None:
    path = tmp_path / "host.conf"
    path.write_text(
        f'hostname="gw pass {SECRET}"\nifconfig_em0="inet 192.168.1.5/24"\n'
        f'ifconfig_em0_alias0="inet vhid 1 pass {SECRET} alias 192.168.1.50/32"\n'
    )
    assert SECRET not in check_output(tmp_path, path.read_text())  # check masks it (GN04)
    _code, out, _err = run_cli(["show", *(["--json"] if as_json else []), str(path)])
    assert "vhid 1" in out or '"vhid": 1' in out
    assert SECRET not in out


# --- findings spanning lines ----------------------------------------------------------------


# was: explain.py _value_with_blanks quoted a multi-line value verbatim
def test_sh01_message_is_one_line(tmp_path: Path) -> None:
    out = check_output(tmp_path, 'x="a\nb" c\n')
    lines = finding_lines(out)
    assert len(lines) == 1 and lines[0].endswith("[SH01]"), lines


def test_the_oracle_holds_for_a_multi_line_value(tmp_path: Path) -> None:
    check_hosts([HostInput(False, (("host.conf", b'x="a\nb" c\n'),))], tmp_path / "in")


# was: explain.py bad_name wrote the fix with the value verbatim
def test_sh02_message_is_one_line(tmp_path: Path) -> None:
    out = check_output(tmp_path, 'bad.name="a\nb"\n')
    lines = finding_lines(out)
    assert len(lines) == 1 and lines[0].endswith("[SH02]"), lines


# was: netsubr/rules.py named the interface as ifconfig_<if>_name set it, newline kept
def test_cl01_message_is_one_line(tmp_path: Path) -> None:
    out = check_output(tmp_path, 'cloned_interfaces="tap1"\nifconfig_tap1_name="vm\n0"\n')
    lines = finding_lines(out)
    assert len(lines) == 1 and lines[0].endswith("[CL01]"), lines


# was: lint/crosshost.py named hosts by a hostname value holding a newline
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
