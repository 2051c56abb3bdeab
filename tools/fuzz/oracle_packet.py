"""What must hold for any bytes given to the decoders and the engine: the packet oracle.

An input is a control byte and a packet (`encode_packet_input`). The control byte picks the
engine (the Handbook's provider read from fixtures/handbook/provider.conf, or a modern host
with an IPv4+IPv6 CARP vhid, a VRRPv3 vhid and a unicast-peer vhid), whether it first runs
until it is MASTER, the receiving interface, and how `rcnet decode` gets the bytes.

Properties (carp.md §1, §4.2; cli.md "rcnet decode"):
- the parsers (IP, Ethernet, SLL, SLL2, sniff) and header decoders raise only WireError, and what
  they decode re-encodes to the same bytes;
- `Engine.handle_ip_packet` gives every packet a verdict: one Dropped action naming the counter
  it bumped (or none, for a packet carp does not see), or acceptance; at most one drop counter
  moves, by one, and at most one receive counter; an accepted packet bumps only its receive
  counter;
- afterwards the engine's timers still move forward;
- `rcnet decode` (when the command exists) prints one JSON object per packet, exits 0 or 1
  (2 with one line on stderr for a file that is not a pcap at all).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import random
import struct
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rcnet.carp import packet, wire
from rcnet.carp.actions import Action, Dropped
from rcnet.carp.counters import COUNTER_NAMES
from rcnet.carp.engine import Engine
from rcnet.carp.timing import US_PER_S
from rcnet.hosts import read_host
from rcnet.model import Host
from tools.fuzz.oracle_rcconf import PropertyViolation, require, run_cli

ROOT = Path(__file__).resolve().parents[2]
PROVIDER = ROOT / "fixtures" / "handbook" / "provider.conf"
MODERN_CONF = b"""hostname="modern.example.org"
ifconfig_fxp0="inet 192.168.1.6/24"
ifconfig_fxp0_ipv6="inet6 2001:db8::6/64"
ifconfig_fxp0_alias0="inet vhid 3 advbase 2 advskew 50 pass secret alias 192.168.1.50/32"
ifconfig_fxp0_alias1="inet6 vhid 3 advbase 2 advskew 50 pass secret alias 2001:db8::50/128"
ifconfig_fxp0_alias2="inet vhid 4 carpver 3 vrrpprio 50 alias 192.168.1.54/32"
ifconfig_fxp0_alias3="inet6 vhid 4 carpver 3 vrrpprio 50 alias 2001:db8::54/128"
ifconfig_fxp0_alias4="inet vhid 5 peer 192.168.1.3 pass testpass alias 192.168.1.55/32"
"""
#: receiving interfaces: the parent, a legacy carpN, one the host lacks
IFACES = ("fxp0", "carp0", "em0", "fxp0")
RECEIVE = frozenset({"ipackets", "ipackets6"})
SENDING = frozenset({"opackets", "opackets6", "preempt", "onomem", "ostates"})
DROP = COUNTER_NAMES - RECEIVE - SENDING
#: when the packet arrives: after start, or once every vhid has had time to become MASTER
START_US, MASTER_US = US_PER_S, 10 * US_PER_S
DECODE_KEYS = {
    "src",
    "dst",
    "ttl",
    "version",
    "type",
    "vhid",
    "advskew",
    "authlen",
    "demote",
    "advbase",
    "checksum_ok",
    "counter",
    "hmac",
    "auth",
}


@dataclass(frozen=True)
class PacketInput:
    #: 0 the Handbook provider, 1 the modern host
    engine: int
    #: run the engine until its vhids are MASTER before the packet arrives
    master: bool
    #: index into IFACES
    iface: int
    data: bytes
    #: how `rcnet decode` gets the bytes: 0 hex + --pass, 1 hex + --rc, 2 pcap, 3 bytes as pcap
    decode: int = 0


def decode_packet_input(data: bytes) -> PacketInput:
    c = data[0] if data else 0
    return PacketInput(c & 1, bool(c & 2), (c >> 2) & 3, data[1:], (c >> 4) & 3)


def encode_packet_input(p: PacketInput) -> bytes:
    c = (p.engine & 1) | (2 if p.master else 0) | ((p.iface & 3) << 2) | ((p.decode & 3) << 4)
    return bytes([c]) + p.data


# --- hosts and engines ------------------------------------------------------------------------


@cache
def hosts() -> tuple[Host, Host]:
    """The provider from the Handbook fixture, and the modern host, each read by rcnet."""
    provider = read_host(str(PROVIDER)).host
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "modern.conf"
        path.write_bytes(MODERN_CONF)
        modern = read_host(str(path)).host
    require(len(provider.vhids) == 2 and len(modern.vhids) == 3, "fixture-hosts", "vhids")
    return provider, modern


def started_engine(host: Host, master: bool) -> tuple[Engine, int]:
    """A started engine (seeded, so runs repeat) and the time the packet arrives."""
    e = Engine(host, random.Random(0), 0)
    e.start(0)
    if not master:
        return e, START_US
    advance(e, 0, MASTER_US)
    return e, MASTER_US


def advance(e: Engine, now: int, until: int, limit: int = 200) -> None:
    """Run the timers up to `until`; each one that fires must move the next one forward."""
    for _ in range(limit):
        due = e.next_timer()
        if due is None or due > until:
            return
        require(due >= now, "timer-in-the-past", f"timer at {due} before now {now}")
        now = due
        e.handle_timer(now)
        after = e.next_timer()
        require(after is None or after > now, "timer-does-not-advance", f"{after} at {now}")
    raise PropertyViolation("timer-storm", f"more than {limit} timers before {until}")


# --- the properties ---------------------------------------------------------------------------


def check_decoders(data: bytes) -> None:
    """Parsers raise only WireError; decoded headers re-encode to the bytes they came from."""
    parsers: tuple[Callable[[bytes], object], ...] = (
        packet.parse_ip,
        packet.parse_ethernet,
        packet.parse_sll,
        packet.parse_sll2,
        packet.sniff,
    )
    for parse in parsers:
        with contextlib.suppress(wire.WireError):
            parse(data)
    if len(data) >= wire.CARP_HEADER_LEN:
        hdr = wire.decode_carp(data)
        again = hdr.pack(fill_checksum=False)
        require(again == data[: wire.CARP_HEADER_LEN], "carp-header-round-trip", data.hex())
    for family in (4, 6):
        try:
            v = wire.decode_vrrp(data, family)
        except wire.WireError:
            continue
        require(len(v.addresses) == v.count, "vrrp-address-count", data.hex())
        require(0 <= v.interval <= wire.VRRP_MAX_INTERVAL, "vrrp-interval", data.hex())


def verdict(e: Engine, ifname: str, data: bytes, now: int) -> tuple[str, list[Action]]:
    """Deliver one packet and check the counters; the verdict's name and the actions."""
    before = e.counters.as_dict()
    out = e.handle_ip_packet(ifname, data, now)
    after = e.counters.as_dict()
    delta = {k: after[k] - before[k] for k in after if after[k] != before[k]}
    detail = f"{data.hex()} on {ifname}: delta {delta}, actions {out}"
    drops = [a for a in out if isinstance(a, Dropped)]
    dropped = {k: n for k, n in delta.items() if k in DROP}
    received = sum(n for k, n in delta.items() if k in RECEIVE)
    require(all(n > 0 for n in delta.values()), "counter-went-down", detail)
    require(len(drops) <= 1, "several-drop-verdicts", detail)
    require(len(dropped) <= 1 and sum(dropped.values()) <= 1, "several-drop-counters", detail)
    require(received <= 1, "several-receive-counters", detail)
    if drops:
        d = drops[0]
        require(d.counter is None or d.counter in DROP, "drop-counter-not-a-drop-counter", detail)
        want = {} if d.counter is None else {d.counter: 1}
        require(dropped == want, "drop-verdict-and-counter-disagree", detail)
        return f"dropped:{d.counter}", out
    require(received == 1 and not dropped, "accepted-without-receive-counter", detail)
    return "accepted", out


def check_decode_command(p: PacketInput, scratch: Path) -> None:
    """`rcnet decode` on the bytes: JSON lines, exit 0 or 1 (skipped until the command exists)."""
    if importlib.util.find_spec("rcnet.commands.decode") is None:
        return
    if p.decode in (0, 1):
        if not p.data:
            return
        how = ["--pass", "testpass", "--vip", "192.168.1.50"]
        if p.decode == 1:
            how = ["--rc", str(PROVIDER)]
        argv = ["decode", *how, p.data.hex()]
    else:
        pcap = scratch / "input.pcap"
        pcap.write_bytes(wrap_pcap(p.data) if p.decode == 2 else p.data)
        argv = ["decode", "--rc", str(PROVIDER), "--pcap", str(pcap)]
    code, out, err = run_cli(argv)
    # a file that is no pcap at all is refused in one line (exit 2), like a missing HOST
    refused = p.decode == 3 and code == 2 and len(err.splitlines()) == 1 and not out
    require(code in (0, 1) or refused, "decode-exit-status", f"{argv}: exit {code}: {err!r}")
    for line in out.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            raise PropertyViolation("decode-output-not-json", f"{argv}: {line!r}") from None
        require(isinstance(obj, dict), "decode-output-not-object", f"{argv}: {line!r}")
        if "error" in obj or "vrid" in obj:
            continue
        require(set(obj) >= DECODE_KEYS, "decode-output-keys", f"{argv}: {sorted(obj)}")


def wrap_pcap(data: bytes) -> bytes:
    """A one-packet pcap: raw IP (linktype 101) when the bytes start like IP, else Ethernet."""
    linktype = 101 if data[:1] and data[0] >> 4 in (4, 6) else 1
    head = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    return head + struct.pack("<IIII", 1, 0, len(data), len(data)) + data


def check_packet_input(p: PacketInput, scratch: Path | None = None) -> str:
    """Every property for one input; the engine's verdict."""
    check_decoders(p.data)
    host = hosts()[p.engine]
    e, now = started_engine(host, p.master)
    name, _ = verdict(e, IFACES[p.iface], p.data, now)
    advance(e, now, now + 10 * US_PER_S)
    if scratch is not None:
        check_decode_command(p, scratch)
    return name


def check_packet(data: bytes, scratch: Path | None = None) -> str:
    return check_packet_input(decode_packet_input(data), scratch)
