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


def test_an_inline_disable_reaches_start_too(tmp_path: Path) -> None:
    from rcnet.hosts import read_host
    from rcnet.startable import blockers

    rc = tmp_path / "rc.conf"
    rc.write_text(TEXT.replace("ifconfig_em0_alais0", "# rcnet: disable=SH08\nifconfig_em0_alais0"))
    out = check(str(rc))
    assert out.returncode == 0, out.stdout
    checked = read_host(str(rc))  # what start and a reload read
    assert blockers(checked.findings, checked.host) == []
    rc.write_text(TEXT)
    checked = read_host(str(rc))
    assert [b.code for b in blockers(checked.findings, checked.host)] == ["SH08"]


def test_an_inline_disable_is_consent_for_check_and_start_alike(tmp_path: Path) -> None:
    from rcnet.hosts import read_host
    from rcnet.startable import blockers

    rc = tmp_path / "rc.conf"
    text = (
        'ifconfig_em0="inet 10.0.0.1/24"\ncloned_interfaces="carp0"\n'
        "# rcnet: disable=CA09\n"
        'ifconfig_carp0="vhid 1 pass x 192.0.2.50/24"\n'
    )
    for disabled, status in ((True, 0), (False, 1)):
        rc.write_text(text if disabled else text.replace("disable=CA09", "disable=XX99"))
        out = check(str(rc))
        assert out.returncode == status, out.stdout
        checked = read_host(str(rc))
        assert bool(blockers(checked.findings, checked.host)) == (not disabled)
        # either way the model holds no address FreeBSD would not set
        assert all(not i.addresses for i in checked.host.interfaces if i.name == "carp0")


def test_exclude_unknown_code_is_exit_2_with_the_nearest() -> None:
    out = check("-", "--exclude", "SH8", stdin=TEXT)
    assert out.returncode == 2
    assert "did you mean SH08?" in out.stderr


@pytest.mark.parametrize(
    ("text", "left"),
    [
        # on the finding's own line
        (TEXT.replace('/32"\n', '/32"  # rcnet: disable=SH08\n'), ["IF06"]),
        # a comment-only line disables the line below
        (
            TEXT.replace("ifconfig_em0_alais0", "# rcnet: disable=SH08,IF06\nifconfig_em0_alais0"),
            ["IF06"],
        ),
        (TEXT.replace("ifconfig_em0=", "# rcnet: disable=if06\nifconfig_em0="), ["SH08"]),
        # a trailing comment covers its own line only, not the next one
        (TEXT.replace('10.0.0.1"\n', '10.0.0.1"  # rcnet: disable=SH08\n'), ["IF06", "SH08"]),
        # inside quotes it is text, not a comment
        (TEXT.replace('/32"', '/32 # rcnet: disable=SH08"'), ["IF06", "SH08"]),
        # another code disables nothing here
        (TEXT.replace('/32"\n', '/32"  # rcnet: disable=SH05\n'), ["IF06", "SH08"]),
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
