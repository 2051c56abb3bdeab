"""The three implementations under test, driven the same way: rcnet, ucarp and keepalived.

Each host of a benchmark runs one implementation with a `Role`: its own address and, per vhid,
its skew (CARP advskew; for VRRP the priority). A `Setup` lists the vhids and their VIPs. An
implementation writes its configuration into a work directory (rc.conf for rcnet, scripts for
ucarp, keepalived.conf), starts in a namespace, says which vhids a host holds as MASTER (from what
the daemon logs or its scripts write, never by asking it over the network), stops gracefully, and
knows its protocol's master-down bound (carp.md §4.1; RFC 3768 for VRRPv2).

Modern rc.conf syntax is used for rcnet (vhid on an alias of fxp0): one macvlan per vhid.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface
from pathlib import Path

from bench.netlab import NIC, Segment

ROOT = Path(__file__).resolve().parents[1]
PASS = "benchpass"
#: keepalived's VRRPv2 password (auth_type PASS keeps at most 8 characters): every implementation
#: is configured with the shared secret and checks it on every advert, as CARP's always does
VRRP_PASS = PASS[:8]
US = 1_000_000


@dataclass(frozen=True)
class Role:
    """One host: its address on fxp0 and its skew (CARP advskew, or VRRP priority)."""

    host: str
    address: IPv4Interface
    skew: int


@dataclass(frozen=True)
class Setup:
    """The vhids every host runs, each with one VIP; advbase 1 s."""

    vips: dict[int, IPv4Interface]
    advbase: int = 1

    @classmethod
    def many(cls, count: int, net: str = "10.9") -> Setup:
        """`count` vhids 1..count with VIPs 10.9.<1 + n // 200>.<n % 200 + 1>/32."""
        vips = {
            n: IPv4Interface(f"{net}.{1 + n // 200}.{n % 200 + 1}/32") for n in range(1, count + 1)
        }
        return cls(vips)


def carp_bound_us(advbase: int, advskew: int) -> int:
    """CARP master-down interval: 3 x advbase + advskew/256 s (FreeBSD tv(), µs)."""
    return 3 * advbase * US + advskew * US // 256


def vrrp_bound_us(advert_int: int, priority: int) -> int:
    """VRRPv2 master-down interval: 3 x advert_int + (256 - priority)/256 s."""
    return 3 * advert_int * US + (256 - priority) * US // 256


def carp_interval_us(advbase: int, advskew: int) -> int:
    return advbase * US + advskew * US // 256


_RCNET_LINE = re.compile(r"carp: (\d+)@\S+: \w+ -> (\w+)")
_KEEPALIVED_LINE = re.compile(r"\(VI_(\d+)\) Entering (MASTER|BACKUP|FAULT) STATE")


def states_from_lines(lines: list[str], pattern: re.Pattern[str]) -> dict[int, str]:
    """The last state each vhid reported, from log lines matching (vhid, state)."""
    out: dict[int, str] = {}
    for line in lines:
        m = pattern.search(line)
        if m:
            out[int(m.group(1))] = m.group(2)
    return out


@dataclass
class Impl:
    """Common part: work directory, one log per (host, start), the processes started."""

    workdir: Path
    setup: Setup
    roles: dict[str, Role]
    name: str = "impl"
    procs: dict[str, list[subprocess.Popen[bytes]]] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)
    starts: int = 0

    def _log(self, host: str) -> Path:
        self.starts += 1
        path = self.workdir / f"{self.name}-{host}-{self.starts}.log"
        self.logs[host] = path
        return path

    def configure(self) -> None:
        """Write the configuration files of every host."""

    def start(self, seg: Segment, host: str) -> None:
        raise NotImplementedError

    def states(self, host: str) -> dict[int, str]:
        raise NotImplementedError

    def masters(self, host: str) -> int:
        return sum(1 for s in self.states(host).values() if s == "MASTER")

    def backups(self, host: str) -> int:
        return sum(1 for s in self.states(host).values() if s == "BACKUP")

    def stop(self, host: str) -> None:
        """Graceful stop (SIGTERM: the implementation's own way out)."""
        for proc in self.procs.get(host, []):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    def forget(self, host: str) -> None:
        """The host's processes were killed (or its namespace revived)."""
        for proc in self.procs.pop(host, []):
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=5)

    def bound_us(self, host: str) -> int:
        """How long `host`, as BACKUP, waits after the last advert before taking over."""
        raise NotImplementedError

    def interval_us(self, host: str) -> int:
        """How often `host`, as MASTER, advertises."""
        raise NotImplementedError

    def bow_out_wait_us(self, host: str) -> int | None:
        """How long the protocol has `host`, as BACKUP, wait after the master's bow-out before
        taking over; None when the implementation sends no bow-out (ucarp)."""
        return None

    def read_log(self, host: str) -> list[str]:
        path = self.logs.get(host)
        if path is None or not path.exists():
            return []
        return path.read_text(errors="replace").splitlines()


class Rcnet(Impl):
    """`rcnet start` on a generated rc.conf (modern: vhid on an alias of fxp0)."""

    def __init__(self, workdir: Path, setup: Setup, roles: dict[str, Role]) -> None:
        super().__init__(workdir, setup, roles, name="rcnet")

    def conf_path(self, host: str) -> Path:
        return self.workdir / f"rcnet-{host}.conf"

    def rc_conf(self, host: str) -> str:
        role = self.roles[host]
        addr = role.address
        lines = [
            f"# rcnet bench: {len(self.setup.vips)} vhid(s), advskew {role.skew}",
            f'hostname="{host}.bench.example"',
            f'ifconfig_{NIC}="inet {addr.ip} netmask {addr.netmask}"',
        ]
        for i, (vhid, vip) in enumerate(sorted(self.setup.vips.items())):
            skew = f" advskew {role.skew}" if role.skew else ""
            lines.append(
                f'ifconfig_{NIC}_alias{i}="inet vhid {vhid} advbase {self.setup.advbase}{skew}'
                f' pass {PASS} alias {vip.ip}/32"'
            )
        return "\n".join(lines) + "\n"

    def configure(self) -> None:
        for host in self.roles:
            self.conf_path(host).write_text(self.rc_conf(host))

    def control(self, host: str) -> Path:
        """The daemon's control socket (in the work directory: root's, mode 0700)."""
        return self.workdir / f"rcnet-{host}.sock"

    def start(self, seg: Segment, host: str) -> None:
        argv = [
            "unshare", "--uts", sys.executable, "-m", "rcnet", "start", str(self.conf_path(host)),
            "--control", str(self.control(host)),
        ]  # fmt: skip
        proc = seg.spawn(host, argv, log=self._log(host), cwd=ROOT)
        self.procs[host] = [proc]

    def states(self, host: str) -> dict[int, str]:
        return states_from_lines(self.read_log(host), _RCNET_LINE)

    def bound_us(self, host: str) -> int:
        return carp_bound_us(self.setup.advbase, self.roles[host].skew)

    def interval_us(self, host: str) -> int:
        return carp_interval_us(self.setup.advbase, self.roles[host].skew)

    def bow_out_wait_us(self, host: str) -> int | None:
        return 0  # a CARP backup takes over on the bow-out itself (carp.md, bow-out rule 17)


class Ucarp(Impl):
    """One `ucarp` process per vhid; its up/down scripts move the VIP and record the state."""

    def __init__(self, workdir: Path, setup: Setup, roles: dict[str, Role]) -> None:
        super().__init__(workdir, setup, roles, name="ucarp")
        self.prefixlen = {v: vip.network.prefixlen for v, vip in setup.vips.items()}

    def _state_file(self, host: str) -> Path:
        return self.workdir / f"ucarp-{host}.state"

    def _script(self, host: str, up: bool) -> Path:
        return self.workdir / f"ucarp-{host}-{'up' if up else 'down'}.sh"

    def configure(self) -> None:
        # $1 interface, $2 VIP, $3 xparam = "<vhid>/<prefixlen>"
        for host in self.roles:
            state = self._state_file(host)
            for up in (True, False):
                verb, word = ("add", "MASTER") if up else ("del", "BACKUP")
                body = (
                    "#!/bin/sh\n"
                    f'ip addr {verb} "$2/${{3#*/}}" dev "$1" 2>/dev/null\n'
                    f'echo "${{3%/*}} {word}" >> {state}\n'
                )
                path = self._script(host, up)
                path.write_text(body)
                path.chmod(0o755)

    def start(self, seg: Segment, host: str) -> None:
        role = self.roles[host]
        log = self._log(host)
        self._state_file(host).write_text("")
        procs = []
        for vhid, vip in sorted(self.setup.vips.items()):
            argv = [
                "ucarp", "-i", NIC, "-s", str(role.address.ip), "-v", str(vhid), "-p", PASS,
                "-a", str(vip.ip), "-b", str(self.setup.advbase), "-k", str(role.skew),
                "-u", str(self._script(host, True)), "-d", str(self._script(host, False)),
                "-z", "-x", f"{vhid}/{vip.network.prefixlen}",
            ]  # fmt: skip
            procs.append(seg.spawn(host, argv, log=log))
        self.procs[host] = procs

    def states(self, host: str) -> dict[int, str]:
        out: dict[int, str] = {}
        path = self._state_file(host)
        if not path.exists():
            return out
        for line in path.read_text(errors="replace").splitlines():
            vhid, _, state = line.partition(" ")
            if vhid.isdigit():
                out[int(vhid)] = state
        return out

    def bound_us(self, host: str) -> int:
        return carp_bound_us(self.setup.advbase, self.roles[host].skew)

    def interval_us(self, host: str) -> int:
        return carp_interval_us(self.setup.advbase, self.roles[host].skew)


class Keepalived(Impl):
    """keepalived's VRRP (v2) in the foreground, `nopreempt`, with a password (VRRPv2's only
    authentication short of the withdrawn IPsec AH); skew = priority."""

    def __init__(self, workdir: Path, setup: Setup, roles: dict[str, Role]) -> None:
        super().__init__(workdir, setup, roles, name="keepalived")

    def conf_path(self, host: str) -> Path:
        return self.workdir / f"keepalived-{host}.conf"

    def keepalived_conf(self, host: str) -> str:
        role = self.roles[host]
        out = [f"global_defs {{\n    router_id {host}\n}}"]
        for vhid, vip in sorted(self.setup.vips.items()):
            out.append(
                f"vrrp_instance VI_{vhid} {{\n"
                "    state BACKUP\n"
                "    nopreempt\n"
                f"    interface {NIC}\n"
                f"    virtual_router_id {vhid}\n"
                f"    priority {role.skew}\n"
                f"    advert_int {self.setup.advbase}\n"
                "    authentication {\n        auth_type PASS\n"
                f"        auth_pass {VRRP_PASS}\n    }}\n"
                f"    virtual_ipaddress {{\n        {vip} dev {NIC}\n    }}\n"
                "}"
            )
        return "\n".join(out) + "\n"

    def configure(self) -> None:
        for host in self.roles:
            self.conf_path(host).write_text(self.keepalived_conf(host))

    def start(self, seg: Segment, host: str) -> None:
        w = self.workdir
        argv = [
            "keepalived", "-n", "-l", "-D", "-G", "-P", "-f", str(self.conf_path(host)),
            "-p", str(w / f"ka-{host}.pid"), "-r", str(w / f"ka-{host}.vrrp.pid"),
            "-c", str(w / f"ka-{host}.chk.pid"), "-b", str(w / f"ka-{host}.bfd.pid"),
        ]  # fmt: skip
        self.procs[host] = [seg.spawn(host, argv, log=self._log(host))]

    def states(self, host: str) -> dict[int, str]:
        return states_from_lines(self.read_log(host), _KEEPALIVED_LINE)

    def bound_us(self, host: str) -> int:
        return vrrp_bound_us(self.setup.advbase, self.roles[host].skew)

    def interval_us(self, host: str) -> int:
        return self.setup.advbase * US

    def bow_out_wait_us(self, host: str) -> int | None:
        """After a priority-0 advert a VRRP backup waits Skew_Time, (256 - priority)/256 s
        (RFC 3768 §6.4.2; RFC 5798 §6.4.2)."""
        return (256 - self.roles[host].skew) * US // 256 * self.setup.advbase


def vip_of(setup: Setup, vhid: int = 1) -> IPv4Address:
    return setup.vips[vhid].ip
