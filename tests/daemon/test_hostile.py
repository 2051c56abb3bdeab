"""Issue 12 (hostile inputs) against running daemons: an expansion bomb on reload, hook output
that does not end, control characters that try to forge log lines, a hostname the kernel
refuses."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from lab import nobody

from rcnet.daemon.hooks import KEEP
from rcnet.daemon.run import LOCK_DIR

from .rig import HANDBOOK, MASTER_DOWN, Rig, run_rcnet, wait_for, write_script

pytestmark = pytest.mark.netns


def test_reload_refuses_an_expansion_bomb(rig: Rig) -> None:
    conf = rig.conf("hosta")
    daemon = rig.start("hosta", conf)
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    lines = ['v0="aaaaaaaa"', *(f'v{k}="$v{k - 1}$v{k - 1}"' for k in range(1, 40))]
    conf.write_text(conf.read_text() + "\n".join(lines) + "\n")
    rig.send_signal("hosta", signal.SIGHUP)
    wait_for("the refusal", lambda: "rcnet: reload refused" in daemon.log(), 10)
    log = daemon.log()
    finding = [ln for ln in log.splitlines() if "[SH09]" in ln]
    assert len(finding) == 1 and f"{conf}:" in finding[0] and ": error: " in finding[0]
    assert "MemoryError" not in log and "Traceback" not in log
    assert daemon.alive() and daemon.state(1) == "MASTER"


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_hook_output_is_bounded_in_memory_and_in_the_log(rig: Rig) -> None:
    # 300 MB on stderr, an escape sequence and a last line, then a failure: the old daemon
    # kept all of it (2.8 GB for 400 MB) and logged it as one line
    hook = write_script(
        rig.tmp / "loud.sh",
        "head -c 300000000 /dev/zero | tr '\\0' x >&2\n"
        "printf '\\n\\033]0;owned\\007last words\\n' >&2\nexit 3\n",
    )
    daemon = rig.start("hosta", args=["--notify", str(hook)])
    baseline = rss_kb(daemon.proc.pid)
    peak = baseline
    deadline = time.monotonic() + MASTER_DOWN[0] + 15
    while daemon.log().count("exit status 3") < 2:
        assert time.monotonic() < deadline, "the hook's failure was never logged"
        peak = max(peak, rss_kb(daemon.proc.pid))
        time.sleep(0.02)
    assert peak - baseline < 32 * 1024, f"RSS grew from {baseline} kB to {peak} kB"
    failures = [ln for ln in daemon.log().splitlines() if "exit status 3" in ln]
    assert len(failures) == 2  # BACKUP and MASTER
    for line in failures:
        assert len(line) < 4 * 1024
        assert "\x1b" not in line and "\x07" not in line
        total = 300_000_000 + len("\n\x1b]0;owned\x07last words\n")
        assert line.endswith(f": xxxx{'x' * 1020} ... \\x1b]0;owned\\x07last words"
                             f" ({total - 2 * KEEP} bytes omitted)")  # fmt: skip
    assert daemon.alive() and daemon.state(1) == "MASTER"


def test_a_file_name_cannot_forge_a_log_line(rig: Rig) -> None:
    forged = "1@carp0: MASTER -> BACKUP (forged)"
    conf = rig.conf("hosta", name=f"x\n12:00:00.000 carp: {forged}\n.conf")
    daemon = rig.start("hosta", conf)
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    # a reload refused: its findings are logged with the file's name
    conf.write_text(conf.read_text().replace("vhid 1 pass", "vhid 1 advskew 300 pass"))
    rig.send_signal("hosta", signal.SIGHUP)
    wait_for("the refusal", lambda: "rcnet: reload refused" in daemon.log(), 5)
    lines = daemon.log().splitlines()
    assert not any(line.startswith("12:00:00.000 carp:") for line in lines)
    assert any(f"x\\n12:00:00.000 carp: {forged}\\n.conf" in line for line in lines)
    # the only transition lines are the daemon's own (the forged one is inside a line)
    said = [ln.split(" ", 1)[1] for ln in lines if ln.split(" ", 2)[1:2] == ["carp:"]]
    assert [ln.split(" -> ")[1].split()[0] for ln in said] == ["BACKUP", "MASTER"]


NOBODY = nobody.NOBODY


def links(rig: Rig, host: str) -> str:
    return rig.lab.ip(host, "-o", "link", "show").stdout


def test_runtime_directory_attacks_are_refused_before_any_change(rig: Rig) -> None:
    conf = str(HANDBOOK / "hosta.conf")
    before = links(rig, "hosta")
    other = rig.tmp / "users"  # a directory another user owns
    other.mkdir(mode=0o700)
    os.chown(other, NOBODY, NOBODY)
    wide = rig.tmp / "wide"  # root's, but mode 0755
    wide.mkdir()
    wide.chmod(0o755)
    safe = rig.tmp / "safe"
    safe.mkdir(mode=0o700)
    victim = rig.tmp / "victim"
    victim.write_text("precious\n")
    (safe / "rcnet.sock.lock").symlink_to(victim)  # root would write its PID into victim
    (rig.tmp / "link").symlink_to(rig.tmp / "elsewhere")
    (rig.tmp / "elsewhere").mkdir(mode=0o700)
    cases = [
        (other / "rcnet.sock", "is owned by uid 65534"),
        (wide / "rcnet.sock", "has mode 0755; the runtime directory must be 0700"),
        (safe / "rcnet.sock", "rcnet.sock.lock: "),
        (rig.tmp / "link" / "rcnet.sock", "is a symbolic link or not a directory"),
    ]
    for sock, words in cases:
        done = run_rcnet(rig.lab, "hosta", ["start", conf, "--control", str(sock)])
        assert done.returncode == 1, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert words in done.stderr and "nothing was changed" in done.stderr, done.stderr
        assert links(rig, "hosta") == before
    assert victim.read_text() == "precious\n"
    assert sorted(p.name for p in other.iterdir()) == []


def test_a_fake_socket_is_not_trusted(rig: Rig) -> None:
    daemon = rig.start("hosta")
    with nobody.nobodys_home() as home:  # in /tmp: nobody can reach it (rig.tmp is root's 0700)
        fake = home / "rcnet.sock"
        with nobody.served_by_nobody(fake, {"ok": True, "lines": ["stopped\x1b]0;owned\x07"]}):
            done = run_rcnet(rig.lab, "hosta", ["stop", "--control", str(fake)])
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert "stopped" not in done.stdout and "\x1b" not in done.stdout + done.stderr
    assert "served by uid 65534, not root" in done.stderr
    assert daemon.alive()


def lock_files() -> set[str]:
    return {p.name for p in Path(LOCK_DIR).glob("netns-*.lock")}


def test_sigkill_leaves_no_accumulation_and_stop_removes_the_socket(rig: Rig) -> None:
    daemon = rig.start("hosta")
    ns = Path("/run/netns") / rig.lab.name("hosta")
    netns = f"netns-{ns.stat().st_ino}.lock"
    ours = {"hosta.sock", "hosta.sock.lock"}
    assert {p.name for p in rig.tmp.iterdir()} >= ours and netns in lock_files()
    for _ in range(3):  # killed: the locks stay, unlocked, and the next start takes them over
        rig.kill("hosta", cut=False)
        daemon = rig.start("hosta")
        assert {p.name for p in rig.tmp.iterdir() if p.name.startswith("hosta.sock")} == ours
        assert netns in lock_files()
    stop = rig.rcnet("hosta", "stop")
    assert stop.returncode == 0, stop.stderr
    assert daemon.proc.wait(timeout=10) == 0
    assert not any(p.name.startswith("hosta.sock") for p in rig.tmp.iterdir())
    assert netns not in lock_files()


@pytest.mark.parametrize("name", ["h" * 100, "h" * 300, "evil\x1b]0;owned\x07"])
def test_start_refuses_a_hostname_the_kernel_or_a_log_cannot_take(rig: Rig, name: str) -> None:
    # 100 characters: start used to create carp0 and its VIP, then fail in sethostname and
    # leave both; 300: "File name too long" from the lock file that embedded the name
    conf = rig.conf("hosta", hostname=name)
    before = links(rig, "hosta")
    done = run_rcnet(rig.lab, "hosta", ["start", str(conf), "--control", rig.control("hosta")])
    assert done.returncode == 1, done.stderr
    assert "[GN04]" in done.stderr and "nothing was changed" in done.stderr
    assert "\x1b" not in done.stderr and "Traceback" not in done.stderr
    assert links(rig, "hosta") == before
    assert not rig.has_address("hosta", "192.168.1.50/24")
