"""A BACKUP's VIP is not its own address (FreeBSD: ip_carp.c carp_delroute on leaving MASTER,
carp_addroute on becoming MASTER): a TCP service on the VIP answers from the master, for
clients on the backup host and on a third host, over IPv4 and IPv6; after a failover, from the
new master.

Each of hosta and provider runs a listener on the VIP's port that answers its own name
(IP_FREEBIND: it may listen before the address is local, as a standby service does). hostb is
the third host (no rcnet there)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .rig import MASTER_DOWN, Rig, wait_for

PORT = 8050
VIPS = ("192.168.1.50", "2001:db8::50")
SERVER = r"""
import socket, sys
name, port = sys.argv[1], int(sys.argv[2])
socks = []
for family, vip in ((socket.AF_INET, sys.argv[3]), (socket.AF_INET6, sys.argv[4])):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_IP, 15, 1)  # IP_FREEBIND
    s.bind((vip, port))
    s.listen(16)
    socks.append(s)
import selectors
sel = selectors.DefaultSelector()
for s in socks:
    sel.register(s, selectors.EVENT_READ)
print("listening", flush=True)
while True:
    for key, _ in sel.select():
        conn, _ = key.fileobj.accept()
        conn.sendall(name.encode() + b"\n")
        conn.close()
"""
CLIENT = r"""
import socket, sys
try:
    with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2) as c:
        print(c.recv(64).decode().strip() or "empty")
except OSError as exc:
    print(type(exc).__name__)
"""


def conf(rig: Rig, host: str, n: int) -> Path:
    skew = "advskew 100 " if host == "provider" else ""
    return rig.conf(
        host,
        f"{host}-vip.conf",
        ifconfig_fxp0_ipv6=f"inet6 2001:db8::{n}/64",
        ifconfig_carp0_ipv6=f"inet6 vhid 1 {skew}pass testpass 2001:db8::50/64",
    )


def who_answers(rig: Rig, client: str, vip: str) -> str:
    done = rig.lab.run(client, [sys.executable, "-c", CLIENT, vip, str(PORT)], check=False)
    return done.stdout.strip()


def routes(rig: Rig, host: str, vip: str) -> str:
    """What `host` makes of `vip`, for a failure's message."""
    six = ["-6"] if ":" in vip else []
    out = [rig.lab.ip(host, *six, "route", "get", vip, check=False).stdout]
    out.append(rig.lab.ip(host, *six, "route", "show", "table", "local", check=False).stdout)
    out.append(rig.lab.ip(host, *six, "neigh", "show", check=False).stdout)
    return "\n".join(out)


def answers(rig: Rig, clients: tuple[str, ...], name: str) -> None:
    for vip in VIPS:
        for client in clients:
            wait_for(
                f"{name} to answer {client} on {vip} (it got {who_answers(rig, client, vip)!r};"
                f" {client}:\n{routes(rig, client, vip)}\n{name}:\n{routes(rig, name, vip)})",
                lambda c=client, v=vip: who_answers(rig, c, v) == name,
                5,
                interval=0.2,
            )


def test_backup_reaches_the_masters_service_on_the_vip(rig: Rig) -> None:
    rig.lab.ip("hostb", "addr", "add", "2001:db8::4/64", "dev", rig.seg.nic, "nodad")
    hosta = rig.start("hosta", conf(rig, "hosta", 3))
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    provider = rig.start("provider", conf(rig, "provider", 5))
    rig.wait_state("provider", 1, "BACKUP", 3)
    servers = []
    for host in ("hosta", "provider"):
        server = rig.lab.spawn(
            host,
            [sys.executable, "-c", SERVER, host, str(PORT), *VIPS],
            stdout=-1,
            stderr=-1,
        )
        servers.append(server)
        assert server.stdout is not None and server.stdout.readline() == b"listening\n"
    try:
        time.sleep(1)  # the IPv6 addresses of fxp0 through DAD
        # the master's service, for the backup host itself and for a third host
        answers(rig, ("provider", "hostb"), "hosta")
        # failover: the new master's service answers, and its own host reaches it too
        rig.kill("hosta")
        rig.wait_state("provider", 1, "MASTER", MASTER_DOWN[100] + 2)
        answers(rig, ("hostb", "provider"), "provider")
        assert provider.state(1) == "MASTER" and not hosta.alive()
    finally:
        for server in servers:
            server.kill()
            server.wait(timeout=5)
