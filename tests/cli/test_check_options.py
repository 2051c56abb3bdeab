"""`rcnet check` options for hooks and terminals: `-` (standard input), --color, --exclude,
inline `# rcnet: disable=CODE` comments."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: one SH08 (line 3) and one IF06 (line 2, no mask on an inet address)
TEXT = (
    'hostname="a.example.org"\n'
    'ifconfig_em0="inet 10.0.0.1"\n'
    'ifconfig_em0_alais0="inet 10.0.0.2/32"\n'
)


def check(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rcnet", "check", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def codes(out: str) -> list[str]:
    return [line.rsplit("[", 1)[1].rstrip("]") for line in out.splitlines() if line.endswith("]")]


def test_dash_reads_standard_input_named_stdin() -> None:
    out = check("-", stdin=TEXT)
    assert out.returncode == 1, out.stderr
    assert "<stdin>:3:1: error: ifconfig_em0_alais0" in out.stdout
    assert sorted(codes(out.stdout)) == ["IF06", "SH08"]


def test_dash_with_json_and_another_host(tmp_path: Path) -> None:
    other = tmp_path / "b.conf"
    other.write_text('hostname="b.example.org"\nifconfig_em0="inet 10.0.0.9/24"\n')
    out = check("--format", "json", "-", str(other), stdin=TEXT)
    assert '"file": "<stdin>"' in out.stdout
    assert out.returncode == 1


def test_dash_twice_is_a_usage_error() -> None:
    out = check("-", "-", stdin=TEXT)
    assert out.returncode == 2
    assert out.stderr.strip() == "rcnet check: standard input (-) can be given once"


def test_standard_input_too_big_is_exit_2() -> None:
    out = check("-", stdin="#" * (1024 * 1024 + 10))
    assert out.returncode == 2
    assert out.stderr.startswith("rcnet check: <stdin>: more than")
    assert "Traceback" not in out.stderr


def test_exclude_drops_warnings_but_never_an_error() -> None:
    # --exclude is check's alone: start never sees it, so an error it hid would pass check
    # while start refuses the host (check and start must agree)
    out = check("-", "--exclude", "sh08,IF06", stdin=TEXT)
    assert out.returncode == 1, out.stdout
    assert codes(out.stdout) == ["SH08"]
    assert out.stdout.splitlines()[-1] == "1 error, 0 warnings, 0 info (1 host)"
    out = check("-", "--exclude", "IF06", stdin=TEXT)
    assert codes(out.stdout) == ["SH08"]


@pytest.mark.parametrize(
    "line",
    [
        'hostname="' + "a" * 80 + '" # rcnet: disable=GN04',  # the kernel refuses it
        'hostname="a\x1b]0;pwn\x07b" # rcnet: disable=GN04,SH10',  # a terminal escape
        'cloned_interfaces="carp0" # rcnet: disable=CA09\nifconfig_carp0="vhid 1 pass x'
        ' 192.0.2.50/24" # rcnet: disable=CA09',  # a VIP that never comes up
    ],
)
def test_no_comment_silences_an_error(tmp_path: Path, line: str) -> None:
    """An error is what start refuses: a comment hiding it from check would make the gate lie
    (the reviewer's case: a disabled GN04 let an 80-byte hostname through to sethostname)."""
    from rcnet.hosts import read_host
    from rcnet.startable import blockers

    rc = tmp_path / "rc.conf"
    rc.write_text('ifconfig_em0="inet 10.0.0.1/24"\n' + line + "\n")
    out = check(str(rc))
    assert out.returncode == 1, out.stdout
    checked = read_host(str(rc))  # what start and a reload read
    assert {f.code for f in blockers(checked.findings, checked.host)} <= set(codes(out.stdout))


def test_exclude_unknown_code_is_exit_2_with_the_nearest() -> None:
    out = check("-", "--exclude", "SH8", stdin=TEXT)
    assert out.returncode == 2
    assert "did you mean SH08?" in out.stderr


@pytest.mark.parametrize(
    ("text", "left"),
    [
        # on the finding's own line (IF06, a warning)
        (TEXT.replace('10.0.0.1"\n', '10.0.0.1"  # rcnet: disable=IF06\n'), ["SH08"]),
        # a comment-only line disables the line below
        (TEXT.replace("ifconfig_em0=", "# rcnet: disable=if06\nifconfig_em0="), ["SH08"]),
        # an error (SH08) is never silenced, on its line or from the line above
        (TEXT.replace('/32"\n', '/32"  # rcnet: disable=SH08\n'), ["IF06", "SH08"]),
        (
            TEXT.replace("ifconfig_em0_alais0", "# rcnet: disable=SH08,IF06\nifconfig_em0_alais0"),
            ["IF06", "SH08"],
        ),
        # a trailing comment covers its own line only, not the next one
        (
            TEXT.replace(
                'hostname="a.example.org"', 'hostname="a.example.org" # rcnet: disable=IF06'
            ),
            ["IF06", "SH08"],
        ),
        # inside quotes it is text, not a comment
        (TEXT.replace('10.0.0.1"', '10.0.0.1 # rcnet: disable=IF06"'), ["IF06", "SH08"]),
        # another code disables nothing here
        (TEXT.replace('10.0.0.1"\n', '10.0.0.1"  # rcnet: disable=SH05\n'), ["IF06", "SH08"]),
    ],
)
def test_inline_disable(text: str, left: list[str]) -> None:
    out = check("-", "--format", "json", stdin=text)
    assert sorted(f["code"] for f in json.loads(out.stdout)["findings"]) == left


def _on_terminal(*args: str, env: dict[str, str]) -> str:
    """Run check with stdout on a pseudo-terminal; what it printed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rcnet", "check", *args],
        stdin=subprocess.PIPE,
        stdout=follower,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    os.close(follower)
    assert proc.stdin is not None
    proc.stdin.write(TEXT.encode())
    proc.stdin.close()
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # EIO once the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env["TERM"] = "xterm"
    env.update(extra)
    return env


def test_color_auto_on_a_terminal() -> None:
    shown = _on_terminal("-", env=_env())
    assert "\x1b[1;31merror\x1b[0m" in shown
    assert "^~~~" in shown  # the caret lines, as on any terminal


def test_no_color_turns_auto_off_but_not_always() -> None:
    assert "\x1b[" not in _on_terminal("-", env=_env(NO_COLOR="1"))
    assert "\x1b[1;31merror" in _on_terminal("-", "--color=always", env=_env(NO_COLOR="1"))


def test_color_never_on_a_terminal_and_auto_into_a_pipe() -> None:
    assert "\x1b[" not in _on_terminal("-", "--color=never", env=_env())
    assert "\x1b" not in check("-", stdin=TEXT, env=_env()).stdout
    piped = check("-", "--color=always", stdin=TEXT, env=_env()).stdout
    assert "\x1b[1m<stdin>:3:1\x1b[0m: \x1b[1;31merror\x1b[0m:" in piped


def test_binary_standard_input_is_refused_like_a_binary_file() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "rcnet", "check", "-"],
        input=b'hostname="a"\n\x00\x01\x02ELF\n',
        capture_output=True,
        cwd=ROOT,
        timeout=60,
    )
    assert out.returncode == 2, out.stdout
    assert out.stderr.decode().strip() == (
        "rcnet check: <stdin>: a binary file (NUL byte at offset 13), not an rc.conf"
    )
