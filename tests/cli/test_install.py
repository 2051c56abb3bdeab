"""A non-editable `pip install .` finds its grammars and runs `rcnet check`."""

from __future__ import annotations

import os
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(
    os.environ.get("RCNET_SKIP_INSTALL_TEST") == "1",
    reason="RCNET_SKIP_INSTALL_TEST=1 was set",
)
def test_pip_install_then_check(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(".venv", ".git", "*.egg-info", "build", "__pycache__"),
    )
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    pip = env_dir / "bin" / "pip"
    out = subprocess.run(
        [str(pip), "install", "-q", str(src)], capture_output=True, text=True, timeout=600
    )
    if out.returncode != 0 and "No matching distribution" in out.stderr:
        pytest.skip(f"package index unreachable: {out.stderr.strip().splitlines()[-1]}")
    assert out.returncode == 0, out.stderr
    fixture = ROOT / "fixtures" / "handbook" / "provider.conf"
    check = subprocess.run(
        [str(env_dir / "bin" / "rcnet"), "check", str(fixture), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the checkout: the grammars must come from the installed package
        timeout=60,
    )
    # the Handbook's provider has no error (cli.md: exit 1 only with at least one error)
    assert check.returncode == 0, check.stderr
    assert '"findings"' in check.stdout
    installed = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c", "import rcnet, sys; print(rcnet.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.strip()
    assert str(ROOT) not in installed
    grammars = list(Path(installed).parent.glob("grammar/*.lark"))
    assert grammars, "no grammar files were installed"
