"""Issue 12, attacks 5 and 6 (front end): control characters in rc.conf reach no terminal or
log raw; a hostname the kernel refuses, or one with control characters, is an error in check;
a binary file is one line and exit 2."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from rcnet.daemon.run import escape_message
from rcnet.journal import formatter
from rcnet.text import control_characters, escape
from tests.rcconf.helpers import FILE

ROOT = Path(__file__).resolve().parents[2]
ESC_TITLE = "\x1b]0;owned\x07"


def rcnet(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rcnet", *args], capture_output=True, text=True, cwd=ROOT, timeout=60
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / FILE
    path.write_text(text)
    return path


def raw_controls(text: str) -> list[str]:
    """Control characters in output, the newlines that end its lines and tabs apart."""
    return control_characters(text.replace("\n", ""))


def test_escape_is_one_line_and_idempotent() -> None:
    text = "a\nb\rc\x1b[2J\x07\x7f\x9b\u202e\td"
    shown = escape(text)
    assert shown == "a\\nb\\rc\\x1b[2J\\x07\\x7f\\x9b\\u202e\td"
    assert escape(shown) == shown
    assert (
        escape("plain: tabs\tstay, backslashes \\n too") == "plain: tabs\tstay, backslashes \\n too"
    )


def test_check_escapes_messages_and_source_lines(tmp_path: Path) -> None:
    conf = write(
        tmp_path, f'foo_flags="x{ESC_TITLE}"\nifconfig_em0="inet 10.0.0.1/24 descr a\x1b[2Jb"\n'
    )
    done = rcnet("check", "--source", "always", str(conf))
    assert raw_controls(done.stdout) == [] and raw_controls(done.stderr) == []
    lines = done.stdout.splitlines()
    assert f"{conf}:1:13: warning: foo_flags contains control characters (\\x07, \\x1b)" in lines[0]
    assert lines[1] == '    foo_flags="x\\x1b]0;owned\\x07"'
    assert lines[2] == "                ^~~~"  # under the escape, as wide as it
    assert f"{conf}:2:39: error: ifconfig_em0 contains control characters (\\x1b)" in lines[3]
    assert done.returncode == 1
    as_json = rcnet("check", "--format", "json", str(conf))
    assert raw_controls(as_json.stdout) == []
    codes = {(f["code"], f["severity"]) for f in json.loads(as_json.stdout)["findings"]}
    assert codes == {("SH10", "warning"), ("SH10", "error")}


@pytest.mark.parametrize(
    ("hostname", "column", "what"),
    [
        (f"evil{ESC_TITLE}", 15, "contains control characters (\\x07, \\x1b)"),
        ("a\n12:00:00.000 carp: 1@carp0: MASTER -> BACKUP (forged)", 12, "(\\n)"),
        ("h" * 65, 11, "is 65 bytes long: Linux's sethostname refuses more than 64"),
        ("é" * 33, 11, "is 66 bytes long"),
    ],
)
def test_hostnames_start_could_not_set_or_show_are_errors(
    tmp_path: Path, hostname: str, column: int, what: str
) -> None:
    conf = write(tmp_path, f'hostname="{hostname}"\n')
    done = rcnet("check", str(conf))
    first = done.stdout.splitlines()[0]
    assert first.startswith(f"{conf}:1:{column}: error: ") and what in first, first
    assert first.endswith("[GN04]") and raw_controls(done.stdout) == []
    assert done.returncode == 1
    # show (text and JSON) and start refuse to print it raw too
    shown = rcnet("show", str(conf))
    assert raw_controls(shown.stdout + shown.stderr) == []
    as_json = rcnet("show", "--json", str(conf))
    assert json.loads(as_json.stdout)["hostname"] == hostname  # JSON escapes, data intact
    assert raw_controls(as_json.stdout) == []


def test_64_bytes_is_still_a_valid_hostname(tmp_path: Path) -> None:
    conf = write(tmp_path, f'hostname="{"h" * 31}.{"h" * 32}"\n')
    assert "GN04" not in rcnet("check", str(conf)).stdout


def test_a_binary_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    binary = tmp_path / "true"
    binary.write_bytes(Path(sys.executable).read_bytes()[:20000])
    done = rcnet("check", str(binary))
    assert done.returncode == 2
    assert (
        done.stderr
        == f"rcnet check: {binary}: a binary file (NUL byte at offset 7), not an rc.conf\n"
    )
    assert done.stdout == "0 errors, 0 warnings, 0 info (0 hosts)\n"


def test_log_lines_cannot_be_forged() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter(out))
    handler.addFilter(escape_message)
    logger = logging.getLogger("rcnet.test-forge")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error("rcnet: hostname %s", "a\ncarp: 1@carp0: MASTER -> BACKUP (forged)\x1b[2J")
    finally:
        logger.removeHandler(handler)
    assert out.getvalue().split(" ", 1)[1] == (
        "rcnet: hostname a\\ncarp: 1@carp0: MASTER -> BACKUP (forged)\\x1b[2J\n"
    )


@pytest.mark.parametrize("code", range(0x100))
def test_has_control_characters_is_control_characters_not_empty(code: int) -> None:
    """lint's pre-check (one regex search) answers as control_characters would."""
    from rcnet.text import has_control_characters

    for text in (chr(code), f"ab{chr(code)}cd", "plain", ""):
        assert has_control_characters(text) == bool(control_characters(text))
