"""The benchmarks' network namespaces: one bridged segment per run, all torn down on exit.

Every namespace carries a per-run prefix (`rcbench<pid>x<hex>-`); helpers refuse names the run did
not create, so nothing outside them is ever configured. `close()` kills what runs inside
(`ip netns pids`), then deletes the namespaces, also after a failure; `sweep()` removes those of
earlier runs whose process is gone. Unlike tests/lab, a host can be *revived*: its namespace is
deleted and made again, which clears whatever a killed daemon left behind (a VIP, a macvlan).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

PREFIX_RE = re.compile(r"^rcbench(\d+)x[0-9a-f]{4}-")
NIC = "fxp0"
LAN = "lan"
BRIDGE = "br0"


class NetLabError(RuntimeError):
    """A namespace operation failed or was refused."""


def ip(argv: Sequence[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["ip", *argv], capture_output=True, text=True, timeout=20)
    if check and done.returncode != 0:
        raise NetLabError(f"ip {' '.join(argv)}: {done.stderr.strip()}")
    return done


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_pids(pids: Sequence[int], grace: float = 1.0) -> None:
    """SIGTERM, a bounded wait, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        live = [p for p in pids if _alive(p)]
        for pid in live:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(_alive(p) for p in live):
            time.sleep(0.01)


def netns_pids(full: str) -> list[int]:
    out = ip(["netns", "pids", full], check=False).stdout
    return [int(p) for p in out.split() if p.isdigit()]


def delete_netns(full: str, grace: float = 1.0) -> None:
    kill_pids(netns_pids(full), grace)
    ip(["netns", "del", full], check=False)


def sweep() -> list[str]:
    """Delete bench namespaces of earlier runs whose process no longer exists."""
    gone = []
    for line in ip(["netns", "list"], check=False).stdout.splitlines():
        name = line.split()[0] if line.strip() else ""
        m = PREFIX_RE.match(name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            delete_netns(name, grace=0.2)
            gone.append(name)
    return gone


class Segment:
    """Bridge `br0` in namespace `lan`; each host a namespace whose NIC (a veth) is `fxp0`."""

    def __init__(self, hosts: dict[str, str], tag: str = "") -> None:
        tag = f"{tag}-" if tag else ""
        self.prefix = f"rcbench{os.getpid()}x{secrets.token_hex(2)}-{tag}"
        self.hosts = dict(hosts)  # short name -> address/prefix on fxp0 ("": none)
        self.made: list[str] = []
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Segment:
        try:
            self.build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ns(self, short: str) -> str:
        if short != LAN and short not in self.hosts:
            raise NetLabError(f"refusing: {short!r} is not a namespace of this segment")
        return self.prefix + short

    def _add(self, short: str) -> str:
        full = self.ns(short)
        ip(["netns", "add", full])
        self.made.append(full)
        ip(["-n", full, "link", "set", "lo", "up"])
        return full

    def build(self) -> None:
        lan = self._add(LAN)
        ip(["-n", lan, "link", "add", BRIDGE, "type", "bridge"])
        # no STP, no forwarding delay: a port that comes back forwards at once
        ip(["-n", lan, "link", "set", BRIDGE, "type", "bridge", "forward_delay", "0"])
        ip(["-n", lan, "link", "set", BRIDGE, "up"])
        for host in self.hosts:
            self.add_host(host)

    def port(self, host: str) -> str:
        return f"v-{host}"

    def add_host(self, host: str) -> None:
        full = self._add(host)
        lan = self.ns(LAN)
        ip(["-n", lan, "link", "add", self.port(host), "type", "veth", "peer", "name", NIC,
            "netns", full])  # fmt: skip
        ip(["-n", lan, "link", "set", self.port(host), "master", BRIDGE, "up"])
        if self.hosts[host]:
            ip(["-n", full, "addr", "add", self.hosts[host], "dev", NIC])
        ip(["-n", full, "link", "set", NIC, "up"])

    def revive(self, host: str) -> None:
        """Delete a host's namespace (its processes killed) and make it again, clean."""
        full = self.ns(host)
        kill_pids(netns_pids(full), grace=0.5)
        # the kernel dismantles a deleted namespace later: remove the veth pair now, by its
        # bridge end, so the new one can take the same names at once
        ip(["-n", self.ns(LAN), "link", "del", self.port(host)], check=False)
        ip(["netns", "del", full], check=False)
        if full in self.made:
            self.made.remove(full)
        self.add_host(host)

    def cut(self, host: str) -> None:
        """The host's link goes down first, so nothing it does afterwards reaches the wire."""
        ip(["-n", self.ns(host), "link", "set", NIC, "down"])

    def kill_all(self, host: str) -> None:
        pids = netns_pids(self.ns(host))
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        kill_pids(pids, grace=1.0)

    def exec_argv(self, host: str, argv: Sequence[str]) -> list[str]:
        return ["ip", "netns", "exec", self.ns(host), *argv]

    def run(self, host: str, argv: Sequence[str], timeout: float = 20) -> str:
        done = subprocess.run(
            self.exec_argv(host, argv), capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise NetLabError(f"[{host}] {' '.join(argv)}: {done.stderr.strip()}")
        return done.stdout

    def spawn(
        self, host: str, argv: Sequence[str], log: Path | None = None, **popen: Any
    ) -> subprocess.Popen[bytes]:
        if log is not None:
            with log.open("ab") as out:
                proc = subprocess.Popen(
                    self.exec_argv(host, argv), stdout=out, stderr=subprocess.STDOUT, **popen
                )
        else:
            proc = subprocess.Popen(self.exec_argv(host, argv), **popen)
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=2)
        self.procs.clear()
        # hosts first (their veths go with them), the bridge's namespace last
        for full in sorted(self.made, key=lambda n: n == self.prefix + LAN):
            delete_netns(full, grace=0.5)
        self.made.clear()


class Capture:
    """tcpdump on the bridge (promiscuous: it sees frames forwarded between ports too), with
    immediate mode and -U so nothing stays in a buffer, and a 32 MB ring (the default one drops
    part of a burst of 64 adverts sent at once); stopped with SIGINT. `dropped` is what tcpdump
    says the kernel dropped: a capture with drops is not evidence of a missing frame.

    `port=HOST`: on that host's bridge port instead, only what enters the bridge from the host
    (`-Q in`): everything the host sent, nothing else (all hosts may send as the VIP's MAC)."""

    def __init__(self, seg: Segment, path: Path, bpf: str = "", port: str | None = None) -> None:
        self.seg, self.path, self.bpf = seg, path, bpf
        self.iface = BRIDGE if port is None else seg.port(port)
        self.inbound = ["-Q", "in"] if port is not None else []
        self.proc: subprocess.Popen[bytes] | None = None
        self.dropped: int | None = None

    def __enter__(self) -> Capture:
        argv = ["tcpdump", "-i", self.iface, *self.inbound, "-n", "-U", "--immediate-mode"]
        argv += ["-B", "32768"]
        argv += ["-Z", "root", "--time-stamp-precision=micro", "-w", str(self.path)]
        self.proc = self.seg.spawn(
            LAN, [*argv, *self.bpf.split()], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline().decode(errors="replace")
        if "listening" not in line:
            self.stop()
            raise NetLabError(f"tcpdump on {self.iface} did not start: {line.strip()}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        if self.proc.poll() is None:
            time.sleep(0.05)  # the last frames cross the bridge
            self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        m = re.search(r"(\d+) packets? dropped by kernel", (err or b"").decode(errors="replace"))
        self.dropped = int(m.group(1)) if m else None


def wait_until(test: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    """Poll `test` every `step` seconds until it holds or `timeout` passes (then a last try)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if test():
            return True
        time.sleep(step)
    return test()
