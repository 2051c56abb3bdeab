"""Network-namespace topologies for the kernel tests.

A `Lab` owns a per-run name prefix (`rcnt<pid>x<hex>-`) and every namespace it creates carries it.
It configures nothing outside those namespaces: `run`, `ip`, `spawn` and `call` refuse names it did
not create, and `call` checks after entering that it is no longer in PID 1's namespace. `close`
kills what still runs inside (`ip netns pids`), then deletes the namespaces, and does so even when
the test failed halfway. `sweep_leftovers` removes namespaces of earlier runs whose process is
gone (never those of a run still alive, which may be another test session).

    with Lab() as lab:
        seg = handbook(lab)                      # lan/br0 + hosta, hostb, provider on fxp0
        lab.run("hosta", ["ping", "-c1", "192.168.1.5"])
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rcnet.linux.nsenter import call_in_netns

T = TypeVar("T")

PREFIX_RE = re.compile(r"^rcnt(\d+)x[0-9a-f]{4}-")
#: the Handbook's segment (FreeBSD Handbook, "Common Address Redundancy Protocol")
HANDBOOK_HOSTS: tuple[tuple[str, str], ...] = (
    ("hosta", "192.168.1.3/24"),
    ("hostb", "192.168.1.4/24"),
    ("provider", "192.168.1.5/24"),
)


class LabError(RuntimeError):
    """A lab helper refused or failed to do something."""


def _ip(argv: Sequence[str], timeout: float = 10) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *argv], capture_output=True, text=True, timeout=timeout)


def netns_id(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


# Read once at import, on the main thread: the namespace the test run started in and PID 1's (which
# may be unreadable, e.g. in a container whose init is protected). Both count as "the machine's".
_MACHINE_NETNS = {
    i for i in (netns_id("/proc/1/ns/net"), netns_id("/proc/thread-self/ns/net")) if i is not None
}


def in_root_netns() -> bool:
    """True when the calling thread is in the machine's namespace (or cannot tell)."""
    here = netns_id("/proc/thread-self/ns/net")
    return here is None or not _MACHINE_NETNS or here in _MACHINE_NETNS


def unavailable_reason() -> str | None:
    """Why the namespace tests cannot run here, or None when they can."""
    if os.geteuid() != 0:
        return f"network namespace tests need root (running as uid {os.geteuid()})"
    if shutil.which("ip") is None:
        return "network namespace tests need iproute2's `ip` (not found)"
    probe = f"rcnt{os.getpid()}x{secrets.token_hex(2)}-probe"
    made = _ip(["netns", "add", probe])
    if made.returncode != 0:
        return f"`ip netns add` does not work here: {made.stderr.strip()}"
    _ip(["netns", "del", probe])
    return None


def list_netns() -> list[str]:
    out = _ip(["netns", "list"]).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_netns_pids(name: str, grace: float = 1.0) -> None:
    """SIGTERM, then SIGKILL, every process inside namespace `name` (all started by a lab)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = [int(p) for p in _ip(["netns", "pids", name]).stdout.split()]
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.02)


def delete_netns(name: str) -> None:
    kill_netns_pids(name)
    _ip(["netns", "del", name])


def sweep_leftovers() -> list[str]:
    """Delete lab namespaces left by earlier runs whose process no longer exists."""
    swept = []
    for name in list_netns():
        m = PREFIX_RE.match(name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            delete_netns(name)
            swept.append(name)
    return swept


@dataclass
class Lab:
    """Namespaces made by one test, all removed by `close()`."""

    prefix: str = field(default_factory=lambda: f"rcnt{os.getpid()}x{secrets.token_hex(2)}-")
    _names: dict[str, str] = field(default_factory=dict)
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def name(self, short: str) -> str:
        """The full name of a namespace this lab created (the guard of every helper)."""
        if short in self._names.values():
            return short
        try:
            return self._names[short]
        except KeyError:
            raise LabError(f"refusing: namespace {short!r} was not created by this lab") from None

    def add_ns(self, short: str) -> str:
        if short in self._names:
            raise LabError(f"namespace {short!r} exists already in this lab")
        full = self.prefix + short
        made = _ip(["netns", "add", full])
        if made.returncode != 0:
            raise LabError(f"ip netns add {full}: {made.stderr.strip()}")
        self._names[short] = full
        self.ip(short, "link", "set", "lo", "up")
        return full

    def ip(self, ns: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """`ip -n NS ARGS...` in a lab namespace."""
        done = _ip(["-n", self.name(ns), *args])
        if check and done.returncode != 0:
            raise LabError(f"ip -n {ns} {' '.join(args)}: {done.stderr.strip()}")
        return done

    def wait_dad(self, ns: str, iface: str, timeout: float = 10.0) -> None:
        """Wait until no IPv6 address of `iface` is tentative: the kernel finishes duplicate
        address detection on its own time (about a second, longer under load), and its
        RTM_NEWADDR at the end is an event a test watching netlink must not mistake for its own."""
        deadline = time.monotonic() + timeout
        while self.ip(ns, "-6", "addr", "show", "dev", iface, "tentative").stdout.strip():
            if time.monotonic() > deadline:
                raise LabError(f"{ns}/{iface}: IPv6 duplicate address detection still running")
            time.sleep(0.05)

    def run(
        self, ns: str, argv: Sequence[str], check: bool = True, timeout: float = 20
    ) -> subprocess.CompletedProcess[str]:
        """Run a command inside a lab namespace (`ip netns exec`) and wait for it."""
        done = subprocess.run(
            ["ip", "netns", "exec", self.name(ns), *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and done.returncode != 0:
            raise LabError(
                f"[{ns}] {' '.join(argv)}: exit {done.returncode}: {done.stderr.strip()}"
            )
        return done

    def spawn(self, ns: str, argv: Sequence[str], **popen: Any) -> subprocess.Popen[bytes]:
        """Start a background process inside a lab namespace; it dies at `close()` at the latest."""
        proc: subprocess.Popen[bytes] = subprocess.Popen(
            ["ip", "netns", "exec", self.name(ns), *argv], **popen
        )
        self._procs.append(proc)
        return proc

    def call(self, ns: str, fn: Callable[[], T]) -> T:
        """fn() on a thread inside a lab namespace (for sockets and sysctls made in-process)."""
        full = self.name(ns)

        def guarded() -> T:
            if in_root_netns():
                raise LabError(f"refusing: entering {full} left the thread in the root namespace")
            return fn()

        return call_in_netns(full, guarded)

    def close(self) -> None:
        for proc in self._procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self._procs.clear()
        # the bridge's namespace last: deleting a host first removes its veth cleanly
        for short in sorted(self._names, key=lambda s: s == "lan"):
            delete_netns(self._names[short])
        self._names.clear()


@dataclass(frozen=True)
class Segment:
    """A bridge `br0` in namespace `lan` and hosts whose NIC (veth) is named `nic`."""

    lab: Lab
    hosts: dict[str, str]
    nic: str = "fxp0"
    lan: str = "lan"
    bridge: str = "br0"

    def port(self, host: str) -> str:
        """The bridge port (in `lan`) that leads to `host`."""
        return f"v-{host}"


def segment(
    lab: Lab, hosts: Iterable[tuple[str, str | None]], nic: str = "fxp0", lan: str = "lan"
) -> Segment:
    """A bridged segment: for each (host, address or None) a namespace with its NIC named `nic`."""
    lab.add_ns(lan)
    lab.ip(lan, "link", "add", "br0", "type", "bridge")
    lab.ip(lan, "link", "set", "br0", "up")
    made: dict[str, str] = {}
    for host, address in hosts:
        full = lab.add_ns(host)
        lab.ip(lan, "link", "add", f"v-{host}", "type", "veth", "peer", "name", nic, "netns", full)
        lab.ip(lan, "link", "set", f"v-{host}", "master", "br0", "up")
        if address is not None:
            lab.ip(host, "addr", "add", address, "dev", nic)
        lab.ip(host, "link", "set", nic, "up")
        made[host] = address or ""
    return Segment(lab=lab, hosts=made, nic=nic, lan=lan)


def handbook(lab: Lab, addresses: bool = True) -> Segment:
    """The Handbook's segment: hosta .3, hostb .4, provider .5 on 192.168.1.0/24, NICs `fxp0`."""
    return segment(lab, ((h, a if addresses else None) for h, a in HANDBOOK_HOSTS))


class Capture:
    """`tcpdump -w` on an interface of a lab namespace, stopped (SIGINT, buffers flushed) on exit.

    Immediate mode and -U, or the last packets stay in the kernel buffer and are lost.
    """

    def __init__(self, lab: Lab, ns: str, iface: str, path: str, bpf: str = "") -> None:
        self.lab, self.ns, self.iface, self.path, self.bpf = lab, ns, iface, path, bpf
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Capture:
        argv = ["tcpdump", "-i", self.iface, "-n", "-U", "--immediate-mode", "-Z", "root"]
        argv += ["-w", self.path, *self.bpf.split()]
        self.proc = self.lab.spawn(self.ns, argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert self.proc.stderr is not None
        # tcpdump says "listening on" once its filter is attached: only then start sending
        line = self.proc.stderr.readline().decode(errors="replace")
        if "listening" not in line:
            raise LabError(f"tcpdump on {self.ns}/{self.iface} did not start: {line.strip()}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            time.sleep(0.1)  # let the last frames cross the bridge
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(timeout=5)


def tshark_fields(path: str, fields: Sequence[str], display_filter: str = "") -> list[list[str]]:
    """Rows of `tshark -T fields` over a capture file, CARP decoded on IP protocol 112."""
    argv = ["tshark", "-r", path, "-d", "ip.proto==112,carp", "-T", "fields"]
    for f in fields:
        argv += ["-e", f]
    if display_filter:
        argv += ["-Y", display_filter]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise LabError(f"tshark: {done.stderr.strip()}")
    return [line.split("\t") for line in done.stdout.splitlines() if line.strip()]
