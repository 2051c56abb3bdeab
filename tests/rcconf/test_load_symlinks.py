"""A directory HOST never reads, models or quotes a file outside itself through a symlink.

FreeBSD's rc sources rc.conf.d files with sh's `.` (libexec/rc/rc.subr, load_rc_config:
`for _d in /etc ${local_startup%*/rc.d}; do ... . $_d/rc.conf.d/$_name`), and `.` follows a
symlink. rcnet is a linter that quotes what it reads: a link leaving the HOST directory
(rc.conf.d/netif -> /etc/shadow) is an error at the link (the model lacks what rc would read:
start and reload refuse rather than prune what the file configures), and the target is not read;
a link that stays inside the directory is followed, as sh would.
"""

from __future__ import annotations

import io
import os
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from rcnet.cli import main
from rcnet.findings import Location
from rcnet.rcconf.load import load_host

from .test_load import etc

SECRET = 'root:$6$s3cr3tHash:19000:0:99999:7:::\nifconfig_em0="inet 10.9.9.9/24"\n'


def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "shadow"
    secret.write_text(SECRET)
    return secret


def check(host: Path) -> str:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        main(["check", "--source", "always", str(host)])
        main(["check", "--format", "json", str(host)])
        main(["show", str(host)])
    return out.getvalue() + err.getvalue()


def test_rc_conf_d_file_linked_outside_is_not_read(tmp_path: Path) -> None:
    secret = outside(tmp_path)
    d = etc(tmp_path / "h", {"rc.conf": 'hostname="h"\nifconfig_em0="inet 10.0.0.1/24"\n'})
    (d / "rc.conf.d").mkdir()
    link = d / "rc.conf.d" / "netif"
    link.symlink_to(secret)
    host = load_host(str(d))
    assert str(link) not in host.files and str(secret) not in host.sources
    found = [f for f in host.findings if "outside the HOST directory" in f.message]
    assert [(f.code, f.severity, f.loc) for f in found] == [
        ("SH04", "error", Location(str(link), 1, 1))
    ]
    assert host.scopes["netif"].text("ifconfig_em0") == "inet 10.0.0.1/24"
    printed = check(d)
    assert "s3cr3t" not in printed and "10.9.9.9" not in printed
    assert f"{link}:1:1: error: {link} leads to {secret}" in printed
    # an error: check fails, and start refuses before any change (one startable policy)
    assert main(["check", str(d)]) == 1


def test_rc_conf_files_and_rc_conf_d_directory_linked_outside(tmp_path: Path) -> None:
    secret = outside(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x").write_text(SECRET)
    d = etc(tmp_path / "h", {"rc.conf": 'hostname="h"\n'})
    (d / "rc.conf.local").symlink_to(secret)
    (d / "rc.conf.d").mkdir()
    (d / "rc.conf.d" / "network").symlink_to(elsewhere)
    host = load_host(str(d))
    assert host.files == (str(d / "rc.conf"),)
    linked = sorted(str(f.loc) for f in host.findings if "outside the HOST" in f.message)
    assert linked == [f"{d}/rc.conf.d/network:1:1", f"{d}/rc.conf.local:1:1"]
    assert "s3cr3t" not in check(d)


def test_a_link_inside_the_directory_is_followed(tmp_path: Path) -> None:
    d = etc(
        tmp_path / "h",
        {"rc.conf": 'hostname="h"\n', "shared/netif.conf": 'ifconfig_em0="inet 10.0.0.1/24"\n'},
    )
    (d / "rc.conf.d").mkdir()
    (d / "rc.conf.d" / "netif").symlink_to(Path("..") / "shared" / "netif.conf")
    host = load_host(str(d))
    assert host.scopes["netif"].text("ifconfig_em0") == "inet 10.0.0.1/24"
    assert not [f for f in host.findings if f.severity != "info"]


def test_a_fifo_in_the_directory_does_not_hang(tmp_path: Path) -> None:
    d = etc(tmp_path / "h", {"rc.conf": 'hostname="h"\n'})
    os.mkfifo(d / "rc.conf.local")
    host = load_host(str(d))
    assert [f.message for f in host.findings if f.severity == "warning"] == [
        f"{d / 'rc.conf.local'}: not read (not a regular file)"
    ]
