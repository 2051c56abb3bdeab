"""rcnet sysrc: a pass change that the output shows without showing the pass, and files that
`check` refuses (binary, over 1 MiB) refused the same way: one line, exit 2, file untouched."""

from __future__ import annotations

from pathlib import Path

from rcnet.rcconf.load import MAX_FILE_BYTES

from .test_sysrc import copy, sysrc

NEW = "ifconfig_carp0=vhid 1 advskew 100 pass n3wpass 192.168.1.50/24"


def test_diff_of_a_pass_change_shows_that_it_changed(tmp_path: Path) -> None:
    rc = copy(tmp_path)  # the Handbook's provider: carp0 and carp1 share pass testpass
    before = rc.read_bytes()
    code, out, err = sysrc("-f", str(rc), "--diff", NEW)
    assert code == 0, err
    assert rc.read_bytes() == before
    assert "testpass" not in out and "n3wpass" not in out
    changed = [ln for ln in out.splitlines() if ln[:1] in "-+" and "carp0" in ln]
    assert changed == [
        '-ifconfig_carp0="vhid 1 advskew 100 pass ********#1 192.168.1.50/24"',
        '+ifconfig_carp0="vhid 1 advskew 100 pass ********#2 192.168.1.50/24"',
    ]


def test_change_line_of_a_pass_says_which_pass(tmp_path: Path) -> None:
    rc = copy(tmp_path)
    code, out, _ = sysrc(
        "-f", str(rc), NEW, "ifconfig_carp1=vhid 2 advskew 50 pass n3wpass 192.168.1.51/24"
    )
    assert code == 0
    # carp1 now shares carp0's new pass: the same label, and still no pass shown
    assert out.splitlines() == [
        "ifconfig_carp0: vhid 1 advskew 100 pass ********#1 192.168.1.50/24"
        " -> vhid 1 advskew 100 pass ********#2 192.168.1.50/24",
        "ifconfig_carp1: vhid 2 advskew 100 pass ********#1 192.168.1.51/24"
        " -> vhid 2 advskew 50 pass ********#2 192.168.1.51/24",
    ]
    assert b"n3wpass" in rc.read_bytes()


def test_binary_file_is_refused_like_check(tmp_path: Path) -> None:
    rc = tmp_path / "rc.conf"
    rc.write_bytes(b'hostname="a"\n\x7fELF\x00\x01\x1b[2J\n')
    before = rc.read_bytes()
    for args in (["hostname"], ["hostname=b"]):
        code, out, err = sysrc("-f", str(rc), *args)
        assert (code, out) == (2, "")
        assert err == f"rcnet sysrc: {rc}: a binary file (NUL byte at offset 17), not an rc.conf\n"
        assert rc.read_bytes() == before
    check = sysrc_check(rc)
    assert check == err.replace("rcnet sysrc", "rcnet check")


def sysrc_check(rc: Path) -> str:
    """check's own line for the same file (the one definition both use)."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from rcnet.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        assert main(["check", str(rc)]) == 2
    return err.getvalue()


def test_oversized_file_is_refused_like_check(tmp_path: Path) -> None:
    rc = tmp_path / "rc.conf"
    rc.write_bytes(b'hostname="a"\n' + b"#" * MAX_FILE_BYTES + b"\n")
    before = rc.read_bytes()
    code, out, err = sysrc("-f", str(rc), "hostname=b")
    assert (code, out) == (2, "")
    assert err == f"rcnet sysrc: {rc}: {len(before)} bytes: too big for an rc.conf file\n"
    assert rc.read_bytes() == before
