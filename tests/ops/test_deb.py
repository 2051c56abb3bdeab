"""`make deb`'s package, built here and taken apart, never installed: its tree runs `rcnet check`
from its own /opt/rcnet, its man pages render, its completion loads, its unit names real paths,
and its maintainer scripts remove what rcnet makes at run time. `stage` and `uninstall` (what
`make install`/`make uninstall` run) into a temporary root leave nothing behind."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.package import deb, stage, uninstall

from .test_sysrc import PROVIDER


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    out = tmp_path_factory.mktemp("deb")
    built = deb(out)
    root = out / "root"
    subprocess.run(["dpkg-deb", "-x", str(built), str(root)], check=True)
    yield built, root


def field(built: Path, name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "-f", str(built), name], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_control_and_file_list(package: tuple[Path, Path]) -> None:
    built, _ = package
    assert field(built, "Package") == "rcnet"
    assert field(built, "Architecture") == "all"
    assert field(built, "Depends") == "python3 (>= 3.11)"
    listing = subprocess.run(
        ["dpkg-deb", "-c", str(built)], capture_output=True, text=True, check=True
    ).stdout
    paths = [line.split()[5].removeprefix(".") for line in listing.splitlines()]
    tops = {p for p in paths if p.count("/") >= 2 and not p.endswith("/")}
    allowed = ("/opt/rcnet/", "/usr/sbin/rcnet", "/usr/share/man/", "/usr/share/bash-completion/",
               "/lib/systemd/system/rcnet.service")  # fmt: skip
    assert all(p.startswith(allowed) for p in tops), sorted(
        p for p in tops if not p.startswith(allowed)
    )
    assert not [p for p in paths if "__pycache__" in p or p.endswith(".pyc")]
    assert "/usr/lib/python3" not in listing  # nothing into the system Python


def test_extracted_tree_checks_a_fixture_with_its_own_packages(package: tuple[Path, Path]) -> None:
    _, root = package
    rcnet = root / "usr" / "sbin" / "rcnet"
    assert os.readlink(rcnet) == "../../opt/rcnet/bin/rcnet"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(root / "home"), "PYTHONPATH": "/nonexistent"}
    out = subprocess.run([str(rcnet), "check", str(PROVIDER), "--format", "json"],
                         capture_output=True, text=True, env=env, cwd="/", timeout=60)  # fmt: skip
    assert out.returncode == 0, out.stderr
    codes = {f["code"] for f in json.loads(out.stdout)["findings"]}
    assert codes == {"CL05"}  # the Handbook's legacy carpN: info only
    lib = str(root / "opt/rcnet/lib")
    probe = (f"import sys; sys.path.insert(0, {lib!r}); import rcnet, lark, pyroute2, "
             "prometheus_client; print(rcnet.__file__, lark.__file__)")  # fmt: skip
    where = subprocess.run(["/usr/bin/python3", "-I", "-B", "-c", probe], capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    assert where.count(str(root / "opt/rcnet/lib")) == 2
    assert not list(root.rglob("__pycache__"))  # running it wrote no bytecode into the tree


def test_man_pages_render(package: tuple[Path, Path]) -> None:
    _, root = package
    env = {**os.environ, "MANWIDTH": "100", "MANPAGER": "cat", "MAN_KEEP_FORMATTING": ""}
    env.pop("MAN_KEEP_FORMATTING")  # piped: man prints plain text (no overstrike)
    page = subprocess.run(["man", "-l", str(root / "usr/share/man/man8/rcnet.8.gz")],
                          capture_output=True, text=True, env=env, check=True).stdout  # fmt: skip
    for heading in ("SYNOPSIS", "COMMANDS", "FILES", "SIGNALS", "EXIT STATUS", "EXAMPLES"):
        assert f"\n{heading}\n" in page
    assert "rcnet sysrc" in page and "SIGHUP" in page
    rules = subprocess.run(["man", "-l", str(root / "usr/share/man/man7/rcnet-rules.7.gz")],
                           capture_output=True, text=True, env=env, check=True).stdout  # fmt: skip
    from rcnet.rules import RULES

    assert all(f"{code} (" in rules for code in RULES)


def test_completion_and_unit(package: tuple[Path, Path]) -> None:
    _, root = package
    completion = root / "usr/share/bash-completion/completions/rcnet"
    loaded = subprocess.run(["bash", "-c", f"source {completion} && complete -p rcnet"],
                            capture_output=True, text=True)  # fmt: skip
    assert loaded.returncode == 0 and "rcnet" in loaded.stdout, loaded.stderr
    assert "sysrc" in completion.read_text() and "reload" in completion.read_text()
    unit = (root / "lib/systemd/system/rcnet.service").read_text()
    assert "Documentation=man:rcnet(8)" in unit
    assert "ExecStart=/usr/sbin/rcnet start /etc" in unit
    assert "ExecReload=/usr/sbin/rcnet reload" in unit


def test_postrm_removes_what_rcnet_makes(package: tuple[Path, Path], tmp_path: Path) -> None:
    built, _ = package
    subprocess.run(["dpkg-deb", "-e", str(built), str(tmp_path / "DEBIAN")], check=True)
    postrm = (tmp_path / "DEBIAN" / "postrm").read_text()
    for made in ("/opt/rcnet", "/var/cache/rcnet", "~root/.cache/rcnet", "/run/rcnet"):
        assert made in postrm


def test_stage_and_uninstall_leave_nothing(tmp_path: Path) -> None:
    root = tmp_path / "root"
    placed = stage(root, "/usr/local", "/etc/systemd/system")
    assert "/usr/local/sbin/rcnet" in placed and "/etc/systemd/system/rcnet.service" in placed
    unit = (root / "etc/systemd/system/rcnet.service").read_text()
    assert "ExecStart=/usr/local/sbin/rcnet start /etc" in unit
    out = subprocess.run([str(root / "usr/local/sbin/rcnet"), "--version"], capture_output=True,
                         text=True, check=True)  # fmt: skip
    assert out.stdout.startswith("rcnet ")
    uninstall(root)
    assert [p for p in root.rglob("*") if not p.is_dir()] == []
