"""make demo: the FreeBSD Handbook's hosta, hostb and provider, run for real.

Builds the three hosts in network namespaces (their NICs really named fxp0, on one
bridge in a fourth namespace), starts `rcnet start` on each from the Handbook's rc.conf
files, shows `rcnet status`, kills hosta (link cut first, then the daemon) while hostb
pings 192.168.1.50, shows provider answering for it, brings hosta back, nudges provider
(`rcnet ifconfig carp0 down && up`) so hosta takes its address back, and tears everything
down. Nothing outside the namespaces it makes is touched.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "handbook"
NAMES = ("hosta", "hostb", "provider")
PREFIX = f"rcdemo{os.getpid() % 10000}"
RCNET = [sys.executable, "-m", "rcnet"]


def ns(host: str) -> str:
    return f"{PREFIX}-{host}"


def sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=check)


def say(text: str) -> None:
    print(f"\n== {text}", flush=True)


def show(cmd: list[str], shown: str) -> str:
    print(f"$ {shown}", flush=True)
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    text = (out.stdout + out.stderr).rstrip()
    if text:
        print(text, flush=True)
    return text


class Lab:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.daemons: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: dict[str, Path] = {}

    def control(self, host: str) -> str:
        return str(self.workdir / f"{host}.sock")

    def build(self) -> None:
        lan = ns("lan")
        sh("ip", "netns", "add", lan)
        sh("ip", "-n", lan, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", lan, "link", "set", "br0", "up")
        for host in NAMES:
            sh("ip", "netns", "add", ns(host))
            sh("ip", "-n", lan, "link", "add", f"v-{host}", "type", "veth", "peer", "name",
               "fxp0", "netns", ns(host))  # fmt: skip
            sh("ip", "-n", lan, "link", "set", f"v-{host}", "master", "br0", "up")
            sh("ip", "-n", ns(host), "link", "set", "lo", "up")

    def start(self, host: str) -> None:
        log = self.workdir / f"{host}.log"
        self.logs[host] = log
        argv = [
            "ip", "netns", "exec", ns(host), "unshare", "--uts", *RCNET, "start",
            str(FIXTURES / f"{host}.conf"), "--control", self.control(host),
        ]  # fmt: skip
        with log.open("ab") as out:
            self.daemons[host] = subprocess.Popen(argv, stdout=out, stderr=out, cwd=ROOT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.daemons[host].poll() is not None:
                raise SystemExit(f"rcnet start on {host} exited:\n{log.read_text()}")
            if rcnet_ok(["status", "--control", self.control(host)]):
                return
            time.sleep(0.1)
        raise SystemExit(f"rcnet start on {host} did not answer:\n{log.read_text()}")

    def kill(self, host: str) -> None:
        sh("ip", "-n", ns(host), "link", "set", "fxp0", "down")
        proc = self.daemons.pop(host)
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def status(self, host: str) -> str:
        return show(
            [*RCNET, "status", "--control", self.control(host)],
            f"rcnet status            # on {host}",
        )

    def teardown(self) -> None:
        for host, proc in list(self.daemons.items()):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            del self.daemons[host]
        for name in (*(ns(h) for h in NAMES), ns("lan")):
            pids = sh("ip", "netns", "pids", name, check=False).stdout.split()
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
            sh("ip", "netns", "del", name, check=False)


def rcnet_ok(args: list[str]) -> bool:
    out = subprocess.run([*RCNET, *args], capture_output=True, cwd=ROOT)
    return out.returncode == 0


def transitions(lab: Lab) -> None:
    for host, log in lab.logs.items():
        for line in log.read_text(errors="replace").splitlines():
            if "carp: " in line and "->" in line:
                print(f"  {host:<8} {line.split('carp: ', 1)[1]}")


def ping_summary(text: str) -> str:
    sent = re.search(r"(\d+) packets transmitted, (\d+) received", text)
    if not sent:
        return text.strip().splitlines()[-1] if text.strip() else "(no ping output)"
    return f"{sent.group(1)} sent, {sent.group(2)} answered"


def demo(lab: Lab) -> None:
    hosts = [str(FIXTURES / f"{h}.conf") for h in NAMES]
    say("the Handbook's three hosts, checked together")
    show([*RCNET, "check", *hosts], "rcnet check hosta.conf hostb.conf provider.conf")
    say("what start applies on provider")
    show([*RCNET, "show", hosts[2]], "rcnet show provider.conf")

    say("three namespaces on one bridge, each NIC named fxp0; rcnet start on each")
    lab.build()
    for host in NAMES:
        lab.start(host)
    time.sleep(4.0)  # hosta and hostb become MASTER after one master-down interval (3 s)
    lab.status("provider")

    say("hostb pings 192.168.1.50 every 50 ms; hosta dies (link cut, daemon killed)")
    ping = subprocess.Popen(
        ["ip", "netns", "exec", ns("hostb"), "ping", "-n", "-i", "0.05", "-w", "9", "192.168.1.50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    time.sleep(1.0)
    lab.kill("hosta")
    time.sleep(5.0)
    lab.status("provider")
    out, _ = ping.communicate(timeout=20)
    print(f"ping from hostb to 192.168.1.50 during the failover: {ping_summary(out)}")
    show(
        ["ip", "-n", ns("hostb"), "neigh", "show", "192.168.1.50"],
        "ip neigh show 192.168.1.50   # on hostb: the virtual MAC",
    )

    say("hosta comes back (preemption off: provider keeps vhid 1)")
    sh("ip", "-n", ns("hosta"), "link", "set", "fxp0", "up")
    lab.start("hosta")
    time.sleep(4.0)
    lab.status("hosta")

    say("the Handbook's nudge on provider: ifconfig carp0 down && ifconfig carp0 up")
    control = lab.control("provider")
    show([*RCNET, "ifconfig", "carp0", "down", "--control", control], "rcnet ifconfig carp0 down")
    show([*RCNET, "ifconfig", "carp0", "up", "--control", control], "rcnet ifconfig carp0 up")
    time.sleep(0.5)
    lab.status("hosta")

    say("transitions logged by the three daemons")
    transitions(lab)

    say("graceful stop of all three (bow-out adverts, virtual addresses and links removed)")
    for host in NAMES:
        show([*RCNET, "stop", "--control", lab.control(host)], f"rcnet stop   # on {host}")


def main() -> int:
    if os.geteuid() != 0:
        print("make demo needs root for network namespaces; showing check and show only")
        hosts = [str(FIXTURES / f"{h}.conf") for h in NAMES]
        show([*RCNET, "check", *hosts], "rcnet check hosta.conf hostb.conf provider.conf")
        show([*RCNET, "show", hosts[2]], "rcnet show provider.conf")
        return 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rcnet-demo-") as tmp:
        lab = Lab(Path(tmp))
        try:
            demo(lab)
        finally:
            lab.teardown()
    left = [n for n in sh("ip", "netns", "list").stdout.split() if n.startswith(PREFIX)]
    print(f"\ndone in {time.monotonic() - started:.0f} s; namespaces left behind: {len(left)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
