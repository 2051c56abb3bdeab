"""The control socket and its clients (status, ifconfig, sysctl, stop), a second start, SIGHUP
reloads and systemd's notify protocol, against running daemons."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat

import pytest

from rcnet.carp.counters import LIBXO_KEYS

from .rig import HANDBOOK, MASTER_DOWN, Daemon, Rig, elapsed, run_rcnet, wait_for

pytestmark = pytest.mark.netns

MARGIN = 0.3
#: how long a test waits for what the daemons' stamps then time (a wait, not a bound)
WAIT = 10.0
#: two daemons' stamps: a sender may log its own transition just after the advert that already
#: moved the other (seen: hosta's takeover stamped 5 ms before provider's MASTER -> INIT)
EARLY = 0.1
STATUS_KEYS = {"vhid", "interface", "parent", "state", "advbase", "advskew", "addresses", "since"}


def provider_master_hosta_backup(rig: Rig) -> None:
    """provider MASTER of vhid 1 with hosta BACKUP (hosta came back after provider took over)."""
    rig.start("provider")
    rig.wait_state("provider", 1, "MASTER", MASTER_DOWN[100] + 2)
    rig.start("hosta")
    rig.wait_state("hosta", 1, "BACKUP", 2)


def last(daemon: Daemon) -> tuple[str, str, str]:
    t = daemon.transitions()[-1]
    return (t.old, t.new, t.reason)


def test_ifconfig_nudge_state_and_sysctl(rig: Rig) -> None:
    provider_master_hosta_backup(rig)
    hosta, provider = rig.daemons["hosta"], rig.daemons["provider"]

    # the Handbook's nudge: carp0 down (bow-out) and up on provider hands vhid 1 back to hosta
    down = rig.rcnet("provider", "ifconfig", "carp0", "down")
    assert (down.returncode, down.stdout) == (0, "carp0: carp: INIT vhid 1 advbase 1 advskew 100\n")
    up = rig.rcnet("provider", "ifconfig", "carp0", "up")
    assert (up.returncode, up.stdout) == (0, "carp0: carp: BACKUP vhid 1 advbase 1 advskew 100\n")
    rig.wait_state("hosta", 1, "MASTER", WAIT)
    assert last(hosta) == ("BACKUP", "MASTER", "master will time out")
    assert provider.state(1) == "BACKUP"
    # hosta took over on provider's bow-out, not after a master-down interval
    handed = elapsed(
        provider.moved_at(1, "MASTER", "INIT")[-1], hosta.moved_at(1, "BACKUP", "MASTER")[-1]
    )
    assert -EARLY <= handed <= 0.5, handed

    # FreeBSD-10+ per-vhid control, on the physical interface's name: a forced MASTER on the
    # slower host lasts until hosta's next advert
    forced = rig.rcnet("provider", "ifconfig", "fxp0", "vhid", "1", "state", "master")
    # (like `ifconfig fxp0`, the answer lists every vhid on fxp0: provider's carp1 too)
    assert forced.returncode == 0
    assert forced.stdout.splitlines()[0] == "carp0: carp: MASTER vhid 1 advbase 1 advskew 100"
    wait_for("provider BACKUP again", lambda: provider.state(1) == "BACKUP", WAIT)
    assert [(t.old, t.new, t.reason) for t in provider.transitions()][-2:] == [
        ("BACKUP", "MASTER", "user requested via ifconfig"),
        ("MASTER", "BACKUP", "more frequent advertisement received"),
    ]
    forced_for = elapsed(
        provider.moved_at(1, "BACKUP", "MASTER")[-1], provider.moved_at(1, "MASTER", "BACKUP")[-1]
    )
    assert 0 <= forced_for <= 1 + MARGIN, forced_for  # until hosta's next advert (advbase 1)
    assert hosta.state(1) == "MASTER"

    # sysctls: preempt on provider, then demote hosta: provider preempts the slower master
    setting = rig.rcnet("provider", "sysctl", "net.inet.carp.preempt=1")
    assert (setting.returncode, setting.stdout) == (0, "net.inet.carp.preempt: 0 -> 1\n")
    reading = rig.rcnet("provider", "sysctl", "net.inet.carp.preempt")
    assert reading.stdout == "net.inet.carp.preempt: 1\n"
    demote = rig.rcnet("hosta", "sysctl", "net.inet.carp.demotion=240")
    assert demote.stdout == "net.inet.carp.demotion: 0 -> 240\n"
    # a demotion makes hosta advertise at once (skew 240), and provider takes over on it
    rig.wait_state("provider", 1, "MASTER", WAIT)
    assert last(provider) == ("BACKUP", "MASTER", "preempting a slower master")
    wait_for("hosta BACKUP", lambda: hosta.state(1) == "BACKUP", WAIT)
    assert last(hosta) == ("MASTER", "BACKUP", "more frequent advertisement received")
    (demoted,) = hosta.stamps(r"^carp: demoted by 240 to 240 ")
    preempted = elapsed(demoted, provider.moved_at(1, "BACKUP", "MASTER")[-1])
    assert -EARLY <= preempted <= MARGIN, preempted  # on hosta's advert at once, not its next
    yielded = elapsed(
        provider.moved_at(1, "BACKUP", "MASTER")[-1], hosta.moved_at(1, "MASTER", "BACKUP")[-1]
    )
    assert -EARLY <= yielded <= 1.390625 + MARGIN, yielded  # provider's next advert (skew 100)
    undo = rig.rcnet("hosta", "sysctl", "net.inet.carp.demotion=-240")
    assert undo.stdout == "net.inet.carp.demotion: 240 -> 0\n"

    # `state backup` on the MASTER: provider falls silent and hosta times out (3 s < 3.39 s)
    forced = rig.rcnet("provider", "ifconfig", "fxp0", "vhid", "1", "state", "backup")
    assert forced.stdout.splitlines()[0] == "carp0: carp: BACKUP vhid 1 advbase 1 advskew 100"
    assert last(provider) == ("MASTER", "BACKUP", "user requested via ifconfig")
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + WAIT)
    assert last(hosta) == ("BACKUP", "MASTER", "master timed out")
    assert provider.state(1) == "BACKUP"
    # hosta's master-down timer ran from provider's last advert, before the forced backup
    silent = elapsed(
        provider.moved_at(1, "MASTER", "BACKUP")[-1], hosta.moved_at(1, "BACKUP", "MASTER")[-1]
    )
    assert 0 <= silent <= MASTER_DOWN[0] + MARGIN, silent


def test_status_json_second_start_and_socket_mode(rig: Rig) -> None:
    first = rig.start("provider")
    done = rig.rcnet("provider", "status", "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert [v["vhid"] for v in answer["vhids"]] == [1, 2]
    for v in answer["vhids"]:
        assert set(v) >= STATUS_KEYS
        assert (v["parent"], v["advbase"], v["advskew"]) == ("fxp0", 1, 100)
        assert isinstance(v["since"], int | float) and v["since"] >= 0
    assert answer["vhids"][0]["addresses"] == ["192.168.1.50/24"]
    assert set(answer["counters"]) >= set(LIBXO_KEYS.values())
    assert all(isinstance(n, int) for n in answer["counters"].values())
    text = rig.rcnet("provider", "status")
    # alone, provider turns MASTER 3.39 s after it started: either state, in ifconfig's form
    lines = {f"\tcarp: {state} vhid 1 advbase 1 advskew 100" for state in ("BACKUP", "MASTER")}
    assert lines & set(text.stdout.splitlines()), text.stdout

    # the control socket is root's only
    assert stat.S_IMODE(os.stat(first.control).st_mode) == 0o600

    # a second start for the same control socket (another host, another namespace), and one
    # for the same host in the same namespace (another socket): each refused in one line, before
    # it touches anything; the first daemon untouched
    hostb_links = rig.lab.ip("hostb", "-o", "link", "show").stdout
    same_socket = run_rcnet(
        rig.lab, "hostb", ["start", str(HANDBOOK / "hostb.conf"), "--control", first.control]
    )
    other = str(rig.tmp / "other.sock")
    same_host = run_rcnet(
        rig.lab, "provider", ["start", str(HANDBOOK / "provider.conf"), "--control", other]
    )
    for again, words in ((same_socket, "control socket"), (same_host, "network namespace")):
        assert again.returncode == 1, again.stderr
        assert len(again.stderr.strip().splitlines()) == 1, again.stderr
        assert again.stderr.startswith("rcnet start: ") and words in again.stderr
    assert rig.lab.ip("hostb", "-o", "link", "show").stdout == hostb_links
    assert first.alive()
    assert rig.lab.ip("provider", "link", "show", "carp0", check=False).returncode == 0
    rig.wait_state("provider", 1, "MASTER", MASTER_DOWN[100] + 2)

    # no daemon at a path: exit 3, one line
    nobody = rig.rcnet("provider", "status", "--control", str(rig.tmp / "none.sock"), control=False)
    assert nobody.returncode == 3 and len(nobody.stderr.strip().splitlines()) == 1


def reload(rig: Rig, daemon: Daemon) -> None:
    """SIGHUP, and wait for the daemon to say it reloaded."""
    done = daemon.log().count("rcnet: reloaded")
    rig.send_signal(daemon.host, signal.SIGHUP)
    wait_for("the reload", lambda: daemon.log().count("rcnet: reloaded") == done + 1, 5)


def test_reload_keeps_unchanged_vhids(rig: Rig) -> None:
    conf = rig.conf("hosta")
    handbook = conf.read_text()
    daemon = rig.start("hosta", conf)
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    before = len(daemon.transitions())

    # a second vhid appears; vhid 1 is unchanged and stays MASTER without a transition
    conf.write_text(
        handbook
        + 'cloned_interfaces="carp0 carp1"\n'
        + 'ifconfig_carp1="vhid 3 advskew 50 pass other 192.168.1.53/24"\n'
    )
    reload(rig, daemon)
    assert daemon.state(1) == "MASTER"
    assert all(t.vhid == 3 for t in daemon.transitions()[before:])
    assert daemon.state(3) in ("BACKUP", "MASTER")
    rig.wait_state("hosta", 3, "MASTER", MASTER_DOWN[0] + 1 + MARGIN)
    assert rig.holds_vip("hosta", "192.168.1.53")

    # vhid 3 goes away again: it bows out, its link goes; vhid 1 is still untouched
    conf.write_text(handbook)
    reload(rig, daemon)
    assert [v["vhid"] for v in daemon.status()["vhids"]] == [1]
    wait_for("carp1 removed", lambda: not rig.has_address("hosta", "192.168.1.53/24"), 2)
    assert rig.lab.ip("hosta", "link", "show", "carp1", check=False).returncode != 0
    assert daemon.state(1) == "MASTER"
    assert all(t.vhid == 3 for t in daemon.transitions()[before:])
    assert daemon.alive()
    # rcnet's own removals are not mistaken for someone else's (no repair racing the stop)
    assert "by someone else" not in daemon.log()
    assert "Traceback" not in daemon.log()
    assert rig.rcnet("hosta", "stop").returncode == 0
    assert daemon.proc.wait(timeout=10) == 0
    assert "carp" not in rig.lab.ip("hosta", "-o", "link", "show").stdout


def test_reload_refuses_errors_and_keeps_running(rig: Rig) -> None:
    conf = rig.conf("hosta")
    daemon = rig.start("hosta", conf)
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    before = len(daemon.transitions())
    good = conf.read_text()
    # an unchanged file: nothing to do
    rig.send_signal("hosta", signal.SIGHUP)
    wait_for("the no-change reload", lambda: "rcnet: reload: no change" in daemon.log(), 5)
    # a configuration with an error (advskew beyond 254): refused, the running state kept
    conf.write_text(good.replace("vhid 1 pass", "vhid 1 advskew 300 pass"))
    rig.send_signal("hosta", signal.SIGHUP)
    wait_for("the refusal", lambda: "rcnet: reload refused" in daemon.log(), 5)
    refused = [ln for ln in daemon.log().splitlines() if "reload refused" in ln]
    assert len(refused) == 1 and "keeping the running configuration" in refused[0]
    # an unreadable file too
    conf.unlink()
    rig.send_signal("hosta", signal.SIGHUP)
    wait_for("the second refusal", lambda: daemon.log().count("reload refused") == 2, 5)
    assert daemon.alive()
    assert daemon.state(1) == "MASTER"
    assert len(daemon.transitions()) == before
    assert "Traceback" not in daemon.log()


def test_systemd_notify_ready_and_stopping(rig: Rig) -> None:
    path = str(rig.tmp / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(path)
        listener.settimeout(15)
        args = ["--no-hostname"]
        daemon = rig.start("hosta", args=args, env={"NOTIFY_SOCKET": path}, wait=False)
        ready = listener.recv(4096).decode()
        # READY=1 comes after the host was applied: its vhid link and control socket exist
        assert "READY=1" in ready.splitlines()
        assert rig.lab.ip("hosta", "link", "show", "carp0", check=False).returncode == 0
        assert daemon.state(1) in ("BACKUP", "MASTER")
        assert daemon.hostname() == socket.gethostname()  # --no-hostname: left alone
        # systemd stops a unit with SIGTERM: a graceful stop, like `rcnet stop`
        rig.send_signal("hosta", signal.SIGTERM)
        assert "STOPPING=1" in listener.recv(4096).decode().splitlines()
    assert daemon.proc.wait(timeout=10) == 0
    assert rig.lab.ip("hosta", "link", "show", "carp0", check=False).returncode != 0


def test_preempt_from_sysctl_conf_in_an_etc_directory(rig: Rig) -> None:
    etc = rig.tmp / "hosta" / "etc"
    etc.mkdir(parents=True)
    (etc / "rc.conf").write_text((HANDBOOK / "hosta.conf").read_text())
    (etc / "sysctl.conf").write_text("net.inet.carp.preempt=1\n")
    rig.start("provider")
    rig.wait_state("provider", 1, "MASTER", MASTER_DOWN[100] + 2)
    hosta = rig.start("hosta", etc)
    assert rig.rcnet("hosta", "sysctl", "net.inet.carp.preempt").stdout == (
        "net.inet.carp.preempt: 1\n"
    )
    # hosta comes back faster than the master and preempts it on its next advert (1.39 s)
    rig.wait_state("hosta", 1, "MASTER", WAIT)
    assert [(t.old, t.new, t.reason) for t in hosta.transitions()] == [
        ("INIT", "BACKUP", "initialization complete"),
        ("BACKUP", "MASTER", "preempting a slower master"),
    ]
    provider = rig.daemons["provider"]
    wait_for("provider BACKUP", lambda: provider.state(1) == "BACKUP", WAIT)
    (joined,), (preempted,) = (
        hosta.moved_at(1, "INIT", "BACKUP"),
        hosta.moved_at(1, "BACKUP", "MASTER"),
    )
    assert 0 <= elapsed(joined, preempted) <= 1.390625 + MARGIN  # provider's next advert
    yielded = elapsed(preempted, provider.moved_at(1, "MASTER", "BACKUP")[-1])
    assert -EARLY <= yielded <= MARGIN, yielded  # on hosta's first advert as MASTER


def test_mismatched_pass_splits_the_brain_and_counts_bad_authentication(rig: Rig) -> None:
    other = rig.conf(
        "provider", ifconfig_carp0="vhid 1 advskew 100 pass notthesame 192.168.1.50/24"
    )
    hosta = rig.start("hosta")
    provider = rig.start("provider", other)
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    # provider cannot authenticate hosta's adverts: it times out and claims vhid 1 too
    rig.wait_state("provider", 1, "MASTER", MASTER_DOWN[100] + WAIT)
    (joined,), (claimed,) = (
        provider.moved_at(1, "INIT", "BACKUP"),
        provider.moved_at(1, "BACKUP", "MASTER"),
    )
    assert 0 <= elapsed(joined, claimed) <= MASTER_DOWN[100] + MARGIN
    # and both keep rejecting each other's adverts
    wait_for(
        "provider rejecting hosta",
        lambda: provider.counters()["dropped-bad-authentication"] >= 2,
        WAIT,
    )
    wait_for(
        "hosta rejecting provider", lambda: hosta.counters()["dropped-bad-authentication"] > 0, 2
    )
    assert hosta.state(1) == "MASTER"  # two masters: the split brain `check` warns about
