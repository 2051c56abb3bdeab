"""The command-line contract: help, version, one-line failures and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rcnet import __version__
from rcnet.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[2]


def rcnet(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rcnet", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_version() -> None:
    out = rcnet("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"rcnet {__version__}"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_answers_help(command: str) -> None:
    out = rcnet(command, "--help")
    assert out.returncode == 0, out.stderr
    assert "usage: rcnet" in out.stdout


def test_unknown_command_is_one_line_exit_2() -> None:
    out = rcnet("frobnicate")
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


def test_bad_option_is_one_line_exit_2() -> None:
    out = rcnet("check", "--format", "xml")
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["status", "stop", "sysctl"])
def test_no_daemon_is_exit_3(command: str, tmp_path: Path) -> None:
    sock = tmp_path / "nothing.sock"
    out = rcnet(command, "--control", str(sock))
    assert out.returncode == 3
    assert str(sock) in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_control_path_from_environment(tmp_path: Path) -> None:
    import os

    sock = tmp_path / "env.sock"
    env = dict(os.environ, RCNET_CONTROL=str(sock))
    out = rcnet("status", env=env)
    assert out.returncode == 3
    assert str(sock) in out.stderr


def test_ifconfig_usage_errors() -> None:
    out = rcnet("ifconfig", "fxp0", "vhid", "300", "state", "master", "--control", "/nonexistent")
    assert out.returncode == 2
    assert "1-255" in out.stderr
    out = rcnet("ifconfig", "carp0", "sideways", "--control", "/nonexistent")
    assert out.returncode == 2


def test_sysctl_unknown_name_is_usage_error() -> None:
    out = rcnet("sysctl", "net.inet.carp.bogus=1", "--control", "/nonexistent")
    assert out.returncode == 2
    assert "unknown sysctl" in out.stderr


def test_explain_prints_the_rules_long_text() -> None:
    from rcnet.rules import RULES

    out = rcnet("explain", "SH08")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("SH08 (error): " + RULES["SH08"].title)
    assert "clone_interfaces" in out.stdout


def test_explain_unknown_code_is_exit_2_with_a_suggestion() -> None:
    out = rcnet("explain", "sh8")
    assert out.returncode == 2
    assert out.stderr.strip() == "rcnet explain: no rule 'sh8'; did you mean SH08?"
    assert out.stdout == ""


def test_explain_without_code_lists_every_rule() -> None:
    from rcnet.rules import RULES

    out = rcnet("explain")
    assert out.returncode == 0
    assert [line.split()[0] for line in out.stdout.splitlines()] == list(RULES)


def test_a_missing_dependency_is_one_line_not_a_traceback() -> None:
    # a stale virtualenv without prometheus_client ran `rcnet metrics` into a traceback
    code = (
        "import sys; sys.modules['prometheus_client'] = None\n"
        "from rcnet.cli import main\n"
        "raise SystemExit(main(['metrics', '--control', '/nonexistent/rcnet.sock']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "rcnet metrics: the Python module prometheus_client is not installed here;"
        " reinstall rcnet (make venv, or the package)"
    ]


def _many_findings(tmp_path: Path) -> str:
    lines = ['ifconfig_em0="inet 10.0.0.1/8"']
    lines += [f'ifconfig_em0_alias{n}="inet 10.1.{n // 250}.{n % 250 + 1}"' for n in range(2000)]
    path = tmp_path / "rc.conf"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.mark.parametrize(
    "args",
    [
        ("check", "fixtures/freebsd/carp-fails.conf"),
        ("check", "--strict", "--format", "json", "fixtures/handbook/provider.conf"),
        ("check", "--format", "json", "MANY"),  # a few hundred KiB: more than a pipe holds
        ("check", "MANY"),
        ("check", "no/such/file.conf"),
    ],
)
def test_check_process_exits_as_main_returns(
    args: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m rcnet check` ends without tearing down its objects (os._exit, after
    flushing): its output and exit status are exactly those of main() in this process."""
    from rcnet.cli import main

    argv = [
        _many_findings(tmp_path) if a == "MANY" else str(ROOT / a) if a.endswith(".conf") else a
        for a in args
    ]
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    out = rcnet(*argv, env=buffered)  # output waits in buffers until the end
    code = main(argv)
    captured = capsys.readouterr()
    assert (out.returncode, out.stdout, out.stderr) == (code, captured.out, captured.err)
    assert out.stdout or out.stderr


@pytest.mark.parametrize(("command", "collects"), [("check", False), ("show", True)])
def test_only_check_runs_without_the_cyclic_collector(command: str, collects: bool) -> None:
    """check's process (it ends with os._exit) never runs the cyclic garbage collector; other
    commands keep it (the daemon runs for months)."""
    probe = (
        "import gc, sys; import rcnet.cli as cli;"
        f" sys.argv = ['rcnet', {command!r}, 'x.conf'];"
        " cli.main = lambda: print(gc.isenabled()) or 0; cli.run()"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert (done.returncode, done.stdout) == (0, f"{collects}\n"), done.stderr


@pytest.mark.parametrize(("hosts", "collects"), [(1, False), (2, True)])
def test_check_of_several_hosts_collects(tmp_path: Path, hosts: int, collects: bool) -> None:
    """One host's garbage is bounded by its file, any number of hosts' is not: check of several
    hosts turns the collector back on (found in review: 240 hosts whose reading garbage stayed
    until exit held 785 MB instead of 118)."""
    paths = []
    for i in range(hosts):
        path = tmp_path / f"h{i}.conf"
        path.write_text(f'hostname="h{i}"\n')
        paths.append(str(path))
    probe = (
        "import gc, sys; import rcnet.cli as cli; import rcnet.hosts as hosts;"
        f" sys.argv = ['rcnet', 'check', *{paths!r}]; real = hosts.read_hosts;"
        " hosts.read_hosts = lambda p: (print('collects', gc.isenabled()), real(p))[1];"
        " cli.run()"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"collects {collects}", done.stdout


def test_check_under_a_profiler_shuts_down_as_usual(tmp_path: Path) -> None:
    """The quick exit of `check` is skipped when a profiler (or a coverage tracer) watches:
    they write their data at shutdown."""
    out = tmp_path / "check.prof"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "rcnet", "check",
         str(ROOT / "fixtures/handbook/provider.conf")],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0


@pytest.mark.parametrize("command", [["check"], ["show"], ["check", "--format", "json"]])
def test_output_that_cannot_be_written_is_one_line_not_a_traceback(command: list[str]) -> None:
    """stdout on a full disk (/dev/full, ENOSPC on every write): one line on stderr and exit 2,
    never a traceback and never exit 1, which a CI gate would take for findings."""
    host = str(ROOT / "fixtures" / "handbook" / "provider.conf")
    # buffered stdout, as a user's shell gives it: the error then comes at the last flush
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "rcnet", *command, host],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env=env,
        )
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [f"rcnet {command[0]}: No space left on device"]
