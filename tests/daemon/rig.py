"""Running `rcnet start` daemons on a lab segment the way a user does, and watching them.

A daemon is `ip netns exec NS unshare --uts <python> -m rcnet start CONF --control SOCK`: the
UTS namespace keeps its `hostname` away from the machine's. `ip netns exec` and `unshare` (without
--fork) exec, so the Popen's pid is the daemon itself and signals reach it directly. The control
socket is a file under the test's tmp_path, so the test talks to it from where it runs; the
`rcnet` clients the tests assert on are run inside the host's namespace, like a user would.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lab.netns import Lab, Segment

from rcnet.daemon.control import request

ROOT = Path(__file__).resolve().parents[2]
HANDBOOK = ROOT / "fixtures" / "handbook"
ADDRESSES = {"hosta": "192.168.1.3", "hostb": "192.168.1.4", "provider": "192.168.1.5"}
VIP = {1: "192.168.1.50", 2: "192.168.1.51"}
VMAC = {1: "00:00:5e:00:01:01", 2: "00:00:5e:00:01:02"}
#: FreeBSD's master-down interval, 3 * advbase + advskew / 256 (carp.md §4.1)
MASTER_DOWN = {0: 3.0, 100: 3.390625}
TRANSITION = re.compile(r"carp: (\d+)@(\S+): (INIT|BACKUP|MASTER) -> (INIT|BACKUP|MASTER) \((.*)\)")
#: a log line: its stamp (local time of day to the millisecond, the daemon's log format) and text
LOG_LINE = re.compile(r"^(\d\d:\d\d:\d\d\.\d{3}) (.*)$", re.M)


def need(tool: str, package: str | None = None) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (Debian package: {package or tool})")


def need_habets_arping() -> None:
    """Rig.arping runs and parses Thomas Habets' arping (Debian package `arping`, which
    tools/install-deps installs); iputils' arping (package iputils-arping) takes other flags and
    prints other lines, so with it the test skips, saying which one it needs."""
    need("arping")
    done = subprocess.run(["arping", "--help"], capture_output=True, text=True, check=False)
    if "Thomas Habets" not in done.stdout + done.stderr:
        pytest.skip(
            "this test parses Thomas Habets' arping (Debian package arping); "
            f"{shutil.which('arping')} is another (iputils-arping?)"
        )


def seconds(stamp: str) -> float:
    """Seconds of the day of a stamp `HH:MM:SS.fff` (the daemon's log, or `date +%T.%3N`)."""
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def elapsed(start: float, end: float) -> float:
    """Seconds from `start` to `end`, two `seconds` stamps (signed; across midnight too)."""
    return (end - start + 43200) % 86400 - 43200


def wait_for(what: str, check: Callable[[], bool], timeout: float, interval: float = 0.05) -> float:
    """Poll `check` until true; the seconds it took. Fails the test, saying what, on timeout."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            pytest.fail(f"timed out after {timeout:.1f} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Transition:
    vhid: int
    interface: str
    old: str
    new: str
    reason: str


@dataclass
class Daemon:
    host: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    control: str

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def transitions(self) -> list[Transition]:
        return [
            Transition(int(m[1]), m[2], m[3], m[4], m[5]) for m in TRANSITION.finditer(self.log())
        ]

    def stamps(self, pattern: str) -> list[float]:
        """The daemon's own stamps (`seconds`) of its log lines whose text matches `pattern`:
        what a test times from, rather than from its own polls."""
        found = re.compile(pattern)
        return [seconds(m[1]) for m in LOG_LINE.finditer(self.log()) if found.search(m[2])]

    def moved_at(self, vhid: int, old: str, new: str) -> list[float]:
        """The daemon's stamps of each `old -> new` transition of `vhid` it logged."""
        return self.stamps(rf"^carp: {vhid}@\S+: {old} -> {new} ")

    def status(self) -> dict[str, Any]:
        return request(self.control, {"cmd": "status"}, timeout=5)

    def state(self, vhid: int) -> str | None:
        """The vhid's state, or None when the daemon does not answer (dead, stopping)."""
        try:
            vhids = self.status()["vhids"]
        except (OSError, ValueError):
            return None
        return next((str(v["state"]) for v in vhids if v["vhid"] == vhid), None)

    def counters(self) -> dict[str, int]:
        return dict(self.status()["counters"])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def hostname(self) -> str:
        """The hostname the daemon sees (in its own UTS namespace, from `unshare --uts`)."""
        done = subprocess.run(
            ["nsenter", "--target", str(self.proc.pid), "--uts", "hostname"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return done.stdout.strip()


def run_rcnet(
    lab: Lab, ns: str, args: Sequence[str], timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """`python -m rcnet ARGS` inside a lab namespace, this checkout's rcnet whatever the cwd."""
    env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "RCNET_CONTROL")}
    return subprocess.run(
        ["ip", "netns", "exec", lab.name(ns), sys.executable, "-m", "rcnet", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )


class Rig:
    """Daemons on a Handbook segment; `lab.close()` (the fixture) ends any still running."""

    def __init__(self, segment: Segment, tmp: Path) -> None:
        self.seg = segment
        self.lab: Lab = segment.lab
        self.tmp = tmp
        self.daemons: dict[str, Daemon] = {}
        self.env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.env.pop("NOTIFY_SOCKET", None)
        self.env.pop("RCNET_CONTROL", None)

    def control(self, host: str) -> str:
        return str(self.tmp / f"{host}.sock")

    def conf(self, host: str, name: str | None = None, **settings: str) -> Path:
        """A variant of the Handbook's rc.conf for `host`: `settings` appended (sh assignments,
        so later ones win, as in rc.conf)."""
        text = (HANDBOOK / f"{host}.conf").read_text()
        text += "".join(f'{var}="{value}"\n' for var, value in settings.items())
        path = self.tmp / (name or f"{host}-variant.conf")
        path.write_text(text)
        return path

    def start(
        self,
        host: str,
        conf: Path | None = None,
        args: Sequence[str] = (),
        env: dict[str, str] | None = None,
        wait: bool = True,
    ) -> Daemon:
        """`rcnet start` for `host`; waits until its control socket answers."""
        conf = conf or HANDBOOK / f"{host}.conf"
        log_path = self.tmp / f"{host}.log"
        argv = ["unshare", "--uts", sys.executable, "-m", "rcnet", "start", str(conf)]
        argv += ["--control", self.control(host), *args]
        with log_path.open("ab") as out:
            proc = self.lab.spawn(
                host, argv, stdout=out, stderr=out, env={**self.env, **(env or {})}, cwd=ROOT
            )
        daemon = Daemon(host, proc, log_path, self.control(host))
        self.daemons[host] = daemon
        if wait:
            wait_for(f"{host}'s control socket", lambda: self._answers(daemon), 15)
        return daemon

    @staticmethod
    def _answers(daemon: Daemon) -> bool:
        if not daemon.alive():
            pytest.fail(f"rcnet start on {daemon.host} exited {daemon.proc.returncode}:\n"
                        f"{daemon.log()}")  # fmt: skip
        try:
            daemon.status()
        except (OSError, ValueError):
            return False
        return True

    def rcnet(
        self, host: str, *args: str, control: bool = True, timeout: float = 30
    ) -> subprocess.CompletedProcess[str]:
        """`rcnet ARGS` inside `host`'s namespace (with `--control` of its daemon)."""
        more = ["--control", self.control(host)] if control else []
        return run_rcnet(self.lab, host, [*args, *more], timeout=timeout)

    def cut(self, host: str) -> None:
        """Cut `host`'s link (admin down on its NIC): nothing it does reaches the wire."""
        self.lab.ip(host, "link", "set", self.seg.nic, "down")

    def kill(self, host: str, cut: bool = True) -> None:
        """Kill `host`'s daemon with SIGKILL, its link cut first unless `cut` is False."""
        if cut:
            self.cut(host)
        daemon = self.daemons[host]
        daemon.proc.send_signal(signal.SIGKILL)
        daemon.proc.wait(timeout=5)

    def send_signal(self, host: str, sig: signal.Signals) -> None:
        self.daemons[host].proc.send_signal(sig)

    def wait_state(self, host: str, vhid: int, state: str, timeout: float) -> float:
        daemon = self.daemons[host]
        return wait_for(
            f"{host} {state} of vhid {vhid} (log:\n{daemon.log()})",
            lambda: daemon.state(vhid) == state,
            timeout,
            interval=0.02,
        )

    def ping(self, host: str, address: str, count: int = 1) -> bool:
        done = self.lab.run(
            host, ["ping", "-n", "-c", str(count), "-i", "0.2", "-W", "1", address], check=False
        )
        return done.returncode == 0

    def arping(self, host: str, address: str, count: int = 2) -> list[str]:
        """The MAC of every ARP answer `host` gets for `address` (Thomas Habets' arping): one
        request every 0.25 s, then up to 0.75 s for late answers."""
        deadline = f"{count * 0.25 + 0.75:.2f}"
        done = self.lab.run(
            host,
            ["arping", "-c", str(count), "-W", "0.25", "-w", deadline, "-i", self.seg.nic, address],
            check=False,
            timeout=count + 10,
        )
        return re.findall(r"bytes from ([0-9a-f:]{17}) ", done.stdout)

    def link_up(self, host: str, ifname: str) -> bool:
        done = self.lab.ip(host, "-o", "link", "show", "dev", ifname, check=False)
        return done.returncode == 0 and ",UP," in done.stdout.replace("<", ",").replace(">", ",")

    def has_address(self, host: str, cidr: str) -> bool:
        """`cidr` is on some interface of `host` (whatever that interface's state)."""
        out = self.lab.ip(host, "-o", "addr", "show").stdout
        return any(f" {cidr} " in line for line in out.splitlines())

    def holds_vip(self, host: str, vip: str) -> bool:
        """`vip` is on an interface of `host` that is up: the host answers for it."""
        out = self.lab.ip(host, "-o", "addr", "show", "to", f"{vip}/32").stdout
        names = {line.split()[1].split("@")[0] for line in out.splitlines() if line.strip()}
        return any(self.link_up(host, name) for name in names)

    def stop_all(self) -> None:
        """Graceful stop of every daemon still running (SIGTERM, like systemd)."""
        for daemon in self.daemons.values():
            if daemon.alive():
                daemon.proc.send_signal(signal.SIGTERM)
        for daemon in self.daemons.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                daemon.proc.wait(timeout=10)


def write_script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path
