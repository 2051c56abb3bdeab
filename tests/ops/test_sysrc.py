"""rcnet sysrc on real files: read back, quoting against a real sh, refusal, mode and owner,
atomicity under SIGKILL and on a full disk, and a property test over edit sequences.

sysrc(8)'s meaning (FreeBSD usr.sbin/sysrc/sysrc, the argument loop): `NAME+=V` appends the
words of V not already present, `NAME-=V` removes them, the delimiter is V's first character
unless that is a blank, a letter, a digit, `.` or `/`; set prints `NAME: old -> new`, `-n`
leaves out the name, `-x` deletes silently.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rcnet.cli import main
from rcnet.rcconf.load import load_text
from rcnet.sysrc import RcFile, list_edit, quote

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.conf"))
PROVIDER = ROOT / "fixtures" / "handbook" / "provider.conf"
HOSTILE = ['a"b', "$(touch PWNED)", "`touch PWNED`", "back\\slash\\", "x'y", "${HOME}", "; ls"]


def sysrc(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["sysrc", *args])
    return code, out.getvalue(), err.getvalue()


def copy(tmp_path: Path, source: Path = PROVIDER) -> Path:
    target = tmp_path / "rc.conf"
    shutil.copyfile(source, target)
    return target


def test_corpus_files_exist() -> None:
    assert len(CORPUS_FILES) >= 40, f"corpus missing at {CORPUS}"


@pytest.mark.parametrize("source", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_set_reads_back_and_keeps_the_rest(tmp_path: Path, source: Path) -> None:
    rc = copy(tmp_path, source)
    before = rc.read_bytes()
    loaded = load_text(before.decode("utf-8", "surrogateescape"), str(rc))
    names = [n for n, vs in loaded.base.history.items() if any(not v.default for v in vs)]
    names = [*names[:3], "rcnet_test_new"]
    for k, name in enumerate(names):
        value = HOSTILE[k % len(HOSTILE)]
        code, out, err = sysrc("-f", str(rc), "--force", f"{name}={value}")
        if code == 1 and "CR line ends" in err:  # refused up front, file untouched
            assert rc.read_bytes() == before
            return
        assert code == 0, err
        assert out.startswith(f"{name}: ")
        code, out, _ = sysrc("-f", str(rc), "-n", name)
        assert (code, out) == (0, value + "\n")
    after = rc.read_bytes().decode("utf-8", "surrogateescape").splitlines()
    old = before.decode("utf-8", "surrogateescape").splitlines()
    # comments and untouched lines all still there, in order
    comments = [ln for ln in old if ln.lstrip().startswith("#")]
    assert [ln for ln in after if ln.lstrip().startswith("#")] == comments
    assert len(after) <= len(old) + len(names)


def test_hostile_values_never_run_in_sh(tmp_path: Path) -> None:
    rc = copy(tmp_path)
    for value in HOSTILE:
        assert sysrc("-f", str(rc), f"hostname={value}")[0] == 0
        got = subprocess.run(
            ["sh", "-c", '. "$1"; printf %s "$hostname"', "sh", str(rc)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=True,
        ).stdout
        assert got == value
    assert not (tmp_path / "PWNED").exists()


def test_replace_in_place_keeps_trailing_comment_and_layout(tmp_path: Path) -> None:
    rc = tmp_path / "rc.conf"
    rc.write_text('# top\nfoo="1"  # keep me\nbar=2\nfoo=3 # last one\n\n# end\n')
    code, out, _ = sysrc("-f", str(rc), "foo=x y")
    assert (code, out) == (0, "foo: 3 -> x y\n")
    assert rc.read_text() == '# top\nfoo="1"  # keep me\nbar=2\nfoo="x y" # last one\n\n# end\n'
    assert sysrc("-f", str(rc), "-n", "baz=new")[1] == " -> new\n"
    assert rc.read_text().endswith('# end\nbaz="new"\n')


def test_list_add_remove_and_delete(tmp_path: Path) -> None:
    rc = copy(tmp_path)
    assert sysrc("-f", str(rc), "cloned_interfaces+=carp2 carp0")[1] == (
        "cloned_interfaces: carp0 carp1 -> carp0 carp1 carp2\n"
    )
    # carp1 still has ifconfig_carp1: dropping it from the list strands its VIP (CL02 error)
    code, out, err = sysrc("-f", str(rc), "cloned_interfaces-=carp1")
    assert (code, out) == (1, "") and "[CL02]" in err and "not changed" in err
    assert sysrc("-f", str(rc), "--force", "cloned_interfaces-=carp1")[1] == (
        "cloned_interfaces: carp0 carp1 carp2 -> carp0 carp2\n"
    )
    assert list_edit("a,b", ",c,a", add=True) == "a,b,c"  # delimiter: the first character
    assert list_edit("a b c", "b", add=False) == "a c"
    code, out, _ = sysrc("-f", str(rc), "-x", "ifconfig_carp1", "cloned_interfaces")
    assert (code, out) == (0, "")
    text = rc.read_text()
    assert "ifconfig_carp1" not in text and "cloned_interfaces" not in text
    assert "ifconfig_carp0" in text
    assert sysrc("-f", str(rc), "ifconfig_carp1")[0] == 1  # unknown variable now


def test_refused_change_leaves_file_and_force_writes(tmp_path: Path) -> None:
    rc = copy(tmp_path)
    before = rc.read_bytes()
    code, out, err = sysrc("-f", str(rc), "ifconfig_fxp0=inet 192.168.1.999/24")
    assert code == 1 and out == ""
    assert "[IF02]" in err and "not changed" in err
    assert rc.read_bytes() == before
    code, out, err = sysrc("-f", str(rc), "--diff", "ifconfig_fxp0=inet 192.168.1.6/24")
    assert code == 0 and rc.read_bytes() == before
    assert '+ifconfig_fxp0="inet 192.168.1.6/24"' in out and "testpass" not in out
    code, _, _ = sysrc("-f", str(rc), "--force", "ifconfig_fxp0=inet 192.168.1.999/24")
    assert code == 0 and b"192.168.1.999" in rc.read_bytes()


def test_pass_is_never_printed(tmp_path: Path) -> None:
    rc = copy(tmp_path)
    code, out, _ = sysrc(
        "-f", str(rc), "ifconfig_carp0", "ifconfig_carp1=vhid 2 pass n3w 10.0.0.1/24"
    )
    assert code in (0, 1)
    assert "testpass" not in out and "n3w" not in out


def test_mode_and_owner_kept(tmp_path: Path) -> None:
    rc = copy(tmp_path)
    os.chmod(rc, 0o640)
    if os.getuid() == 0:
        os.chown(rc, 1234, 5678)
    before = os.stat(rc)
    assert sysrc("-f", str(rc), "hostname=b.example.org")[0] == 0
    after = os.stat(rc)
    assert after.st_ino != before.st_ino  # replaced by rename, not rewritten in place
    assert (after.st_mode, after.st_uid, after.st_gid) == (
        before.st_mode,
        before.st_uid,
        before.st_gid,
    )
    assert [p.name for p in tmp_path.iterdir()] == ["rc.conf"]  # no temporary file left


# A real SIGKILL between the temporary file's fsync and the rename: the process dies there.
KILL_BEFORE_RENAME = """
import os, signal, sys
real = os.replace
def die(src, dst):
    assert open(src).read().count("killed.example.org") == 1  # new text fully written
    os.kill(os.getpid(), signal.SIGKILL)
os.replace = die
from rcnet.cli import main
main(sys.argv[1:])
"""


def test_kill_between_write_and_rename_leaves_original(tmp_path: Path) -> None:
    rc = copy(tmp_path)
    before = rc.read_bytes()
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            KILL_BEFORE_RENAME,
            "sysrc",
            "-f",
            str(rc),
            "hostname=killed.example.org",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == -signal.SIGKILL, out.stderr
    assert rc.read_bytes() == before


def test_kill_at_any_moment_gives_old_or_new(tmp_path: Path) -> None:
    """SIGKILL a running sysrc at increasing delays: the file is always the old or the new
    text, never a mix or empty."""
    rc = copy(tmp_path)
    old = rc.read_bytes()
    new = old.replace(b'hostname="provider.example.org"', b'hostname="new.example.org"')
    seen = set()
    for delay_ms in range(0, 2000, 100):
        rc.write_bytes(old)
        proc = subprocess.Popen(
            [sys.executable, "-m", "rcnet", "sysrc", "-f", str(rc), "hostname=new.example.org"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            proc.wait(delay_ms / 1000)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        got = rc.read_bytes()
        assert got in (old, new)
        seen.add(got == new)
    assert seen == {False, True}  # the kills landed both before and after the rename


def test_file_size_limit_leaves_original(tmp_path: Path) -> None:
    rc = copy(tmp_path)
    rc.write_bytes(rc.read_bytes() + b"# padding\n" * 100)
    before = rc.read_bytes()
    probe = (
        "import resource, signal, sys;"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN);"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({len(before) // 2}, {len(before) // 2}));"
        "from rcnet.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, "sysrc", "-f", str(rc), "hostname=big.example.org"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1
    assert "the file is unchanged" in out.stderr and "Traceback" not in out.stderr
    assert rc.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["rc.conf"]


@pytest.mark.skipif(
    os.getuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare"
)
def test_full_disk_leaves_original(tmp_path: Path) -> None:
    """A 64 KiB tmpfs in a private mount namespace, filled up: ENOSPC, original intact."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = f"""
set -e
mount -t tmpfs -o size=64k none {mnt}
cp {PROVIDER} {mnt}/rc.conf
dd if=/dev/zero of={mnt}/fill bs=1k count=100 2>/dev/null || true
set +e
{sys.executable} -m rcnet sysrc -f {mnt}/rc.conf hostname=full.example.org
echo "rc=$?"
cmp {PROVIDER} {mnt}/rc.conf && echo same
ls -a {mnt}
"""
    out = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert "rc=1" in out.stdout, out.stdout + out.stderr
    assert "No space left on device" in out.stderr and "unchanged" in out.stderr
    assert "same" in out.stdout
    assert out.stdout.split()[-4:] == [".", "..", "fill", "rc.conf"]


# --- property: any sequence of edits keeps the file readable and reads back what was set --

NAMES = st.sampled_from(["hostname", "ifconfig_em0", "cloned_interfaces", "foo_enable", "x"])
VALUES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x7f"),
    max_size=12,
) | st.sampled_from(HOSTILE)
EDITS = st.lists(
    st.tuples(st.sampled_from(["set", "add", "remove", "delete"]), NAMES, VALUES), max_size=8
)
START = '# start\nhostname="h"\nx=1 foo_enable=YES # two on a line\nif true; then x=2; fi\n'


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EDITS)
def test_any_edit_sequence_stays_parseable_and_reads_back(
    edits: list[tuple[str, str, str]],
) -> None:
    rc = RcFile("rc.conf", START.encode())
    for op, name, value in edits:
        if op == "delete":
            rc.delete(name)
            remaining = rc.value(name)
            assert remaining is None or remaining.default, rc.text
            continue
        before = rc.value(name)
        old = before.text if before is not None and before.text is not None else ""
        new = value if op == "set" else list_edit(old, value, op == "add")
        rc.set(name, new)
        loaded = load_text(rc.text, "rc.conf")
        assert not [f for f in loaded.findings if f.severity == "error"], rc.text
        got = loaded.base.get(name)
        assert got is not None and got.text == new
    assert rc.text.startswith("# start\n")


def test_quote_is_what_sh_reads() -> None:
    for value in [*HOSTILE, "", "tab\there", "ünïcode"]:
        out = subprocess.run(
            ["sh", "-c", f'v={quote(value)}; printf %s "$v"'], capture_output=True, text=True
        )
        assert out.stdout == value


def test_no_byte_of_the_file_reaches_the_terminal_raw(tmp_path: Path) -> None:
    rc = tmp_path / "rc.conf"
    rc.write_bytes(b'foo="\xff\x1b[31mred"\n')
    code, out, _ = sysrc("-f", str(rc), "foo")
    assert (code, out) == (0, "foo: \\xff\\x1b[31mred\n")
    code, out, err = sysrc("-f", str(rc), "bar=a\x1bb")
    assert code == 2 and "control characters (\\x1b)" in err
    assert sysrc("-f", str(rc), "foo=plain")[0] == 0
    assert rc.read_bytes() == b'foo="plain"\n'


def test_delete_of_an_unset_variable_is_unknown_like_sysrc(tmp_path: Path) -> None:
    # FreeBSD's sysrc_test.sh (remove_variable_x_flag): -x noexist -> "unknown variable", exit 1
    rc = tmp_path / "rc.conf"
    rc.write_text('a_enable="YES"\n')
    code, out, err = sysrc("-f", str(rc), "-x", "noexist", "a_enable")
    assert (code, out) == (1, "")
    assert err == "rcnet sysrc: unknown variable 'noexist'\n"
    assert rc.read_text() == ""
