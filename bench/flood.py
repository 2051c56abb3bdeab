"""Under a junk flood: does the MASTER keep advertising on time, and does the BACKUP hold?

Per implementation (rcnet, ucarp, keepalived), a fresh segment: m (MASTER, advskew 0 or priority
200) and b (BACKUP, advskew 100 or priority 100) as in bench/failover.py, and an attacker a that
sends protocol-112 junk to 224.0.0.18 as fast as FLOOD_SENDERS tight `sendto` loops go, for the
window: pre-built packets, half random bytes (8 to 64 of them), half well-formed CARP adverts of
the configured vhid (valid checksum, advbase 1, advskew 0) signed with the wrong key (a bad HMAC).
The same junk for all three: to keepalived (VRRPv2) the adverts are vrid-1 packets whose address
count and length disagree. A capture on the bridge, of protocol 112 not from the attacker, gives
the MASTER's advert intervals and any advert from the BACKUP (a false takeover); for rcnet the
backup's counters (`rcnet status --json`) before and after say what reached its engine.

Target (issues 10 and 12): no false takeover, and the MASTER's advert interval (median and max)
within 10 % of advbase.
"""

from __future__ import annotations

import itertools
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from ipaddress import IPv4Address, IPv4Interface
from pathlib import Path
from typing import Any

from bench import pcap
from bench.failover import HOSTS, VHID, VIP, make_impl
from bench.lab_check import machine_load, rcnet_version, write_results
from bench.netlab import Capture, Segment, sweep, wait_until
from bench.peers import Impl, Rcnet
from bench.tables import IMPLS
from rcnet.carp.wire import CarpAuth, build_carp

ROOT = Path(__file__).resolve().parents[1]
ATTACKER = IPv4Interface("192.168.1.66/24")
FLOOD_SENDERS = 1
JUNK_COUNT = 512
TOLERANCE = 0.10  # of advbase
EPISODE_GAP_US = 3_000_000  # backup adverts further apart than this are separate takeovers

#: The attacker's loop: argv[1] the packet file (one hex packet a line), argv[2] seconds; prints
#: how many it sent. Checks the clock once per pass over the packets (512 sends).
SENDER = r"""
import socket, struct, sys, time
pkts = [bytes.fromhex(line) for line in open(sys.argv[1])]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
             struct.pack("=4s4si", bytes(4), bytes(4), socket.if_nametoindex("fxp0")))
send, group, sent, errors = s.sendto, ("224.0.0.18", 0), 0, 0
start = time.monotonic()
end = start + float(sys.argv[2])
while time.monotonic() < end:
    for p in pkts:
        try:
            send(p, group)
        except OSError:
            errors += 1
    sent += len(pkts)
print(sent - errors, errors, time.monotonic() - start)
"""


def junk(count: int = JUNK_COUNT, seed: int = 112) -> list[bytes]:
    """Half random bytes, half adverts of the configured vhid with a bad HMAC, shuffled."""
    rng = random.Random(seed)
    wrong = CarpAuth(b"not-the-benchpass", VHID, [VIP.ip])
    out = [rng.randbytes(rng.randint(8, 64)) for _ in range(count // 2)]
    out += [build_carp(wrong, VHID, 1, 0, rng.getrandbits(64)) for _ in range(count - len(out))]
    rng.shuffle(out)
    return out


def intervals_ms(adverts: list[pcap.Advert]) -> list[float]:
    stamps = sorted(a.ts for a in adverts if not a.bow_out)
    return [(b - a) / 1000 for a, b in itertools.pairwise(stamps)]


def episodes(adverts: list[pcap.Advert]) -> int:
    """How many separate runs of adverts (a false takeover each)."""
    stamps = sorted(a.ts for a in adverts)
    return sum(1 for i, t in enumerate(stamps) if i == 0 or t - stamps[i - 1] > EPISODE_GAP_US)


def judge(run: dict[str, Any], nominal_ms: float) -> dict[str, Any]:
    """met/missed of the two targets, from a run's figures."""
    lo, hi = nominal_ms * (1 - TOLERANCE), nominal_ms * (1 + TOLERANCE)
    med, top = run.get("interval_median_ms"), run.get("interval_max_ms")
    on_time = med is not None and top is not None and lo <= med <= hi and top <= hi
    held = run.get("false_takeovers") == 0 and run.get("backup_state_after") == "BACKUP"
    return {
        "interval_within_10_percent": "met" if on_time else "missed",
        "no_false_takeover": "met" if held else "missed",
    }


def rcnet_counters(impl: Rcnet, host: str) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-m", "rcnet", "status", "--json", "--control", str(impl.control(host))],
        capture_output=True,
        text=True,
        timeout=10,
        cwd=ROOT,
    )
    if done.returncode != 0:
        return {}
    counters = json.loads(done.stdout).get("counters", {})
    return {k: v for k, v in counters.items() if isinstance(v, int)}


def flood(seg: Segment, packets: Path, seconds: float) -> dict[str, Any]:
    """FLOOD_SENDERS senders in the attacker's namespace; what they sent, per second."""
    argv = [sys.executable, "-c", SENDER, str(packets), str(seconds)]
    procs = [
        seg.spawn("a", argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(FLOOD_SENDERS)
    ]
    sent = errors = 0
    elapsed = 0.0
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=seconds + 20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        fields = out.decode(errors="replace").split()
        if proc.returncode != 0 or len(fields) != 3:
            raise RuntimeError(f"flood sender failed: {err.decode(errors='replace')[-300:]}")
        sent, errors = sent + int(fields[0]), errors + int(fields[1])
        elapsed = max(elapsed, float(fields[2]))
    return {
        "senders": FLOOD_SENDERS,
        "sent": sent,
        "send_errors": errors,
        "seconds": round(elapsed, 2),
        "rate_pps": round(sent / elapsed) if elapsed else None,
    }


def settled(impl: Impl) -> bool:
    return impl.states("m").get(VHID) == "MASTER" and impl.states("b").get(VHID) == "BACKUP"


def run_one(name: str, seconds: float, workdir: Path) -> dict[str, Any]:
    impl = make_impl(name, workdir)
    hosts = {"m": "" if name == "rcnet" else HOSTS["m"], "b": "" if name == "rcnet" else HOSTS["b"]}
    hosts["a"] = str(ATTACKER)
    packets = workdir / "junk.hex"
    packets.write_text("".join(p.hex() + "\n" for p in junk()))
    m_ip, b_ip = (IPv4Interface(HOSTS[h]).ip for h in ("m", "b"))
    nominal_ms = impl.interval_us("m") / 1000
    out: dict[str, Any] = {"nominal_interval_ms": nominal_ms, "window_s": seconds}
    with Segment(hosts, tag=f"fl{name[:2]}") as seg:
        for host in ("m", "b"):
            impl.start(seg, host)
            time.sleep(0.3)  # m first: it becomes MASTER, b hears it
        if not wait_until(lambda: settled(impl), 20, step=0.2):
            out["error"] = f"did not settle: m {impl.states('m')}, b {impl.states('b')}"
            out["log_tail"] = {h: impl.read_log(h)[-10:] for h in ("m", "b")}
            return out
        time.sleep(2.0)
        before = _counters(impl)
        capture = workdir / "flood.pcap"
        with Capture(seg, capture, bpf=f"ip proto 112 and not src host {ATTACKER.ip}") as cap:
            time.sleep(0.2)
            out["flood"] = flood(seg, packets, seconds)
            time.sleep(0.2)
        out["capture_dropped"] = cap.dropped
        after = _counters(impl)
        out["backup_state_after"] = impl.states("b").get(VHID)
        out["master_state_after"] = impl.states("m").get(VHID)
    adverts = [f for f in pcap.read(capture) if isinstance(f, pcap.Advert) and f.vhid == VHID]
    out.update(_figures(adverts, m_ip, b_ip))
    if before is not None and after is not None:
        out["rcnet_counters"] = rcnet_deltas(before, after)
    out["targets"] = judge(out, nominal_ms)
    return out


def _counters(impl: Impl) -> dict[str, dict[str, int]] | None:
    if not isinstance(impl, Rcnet):
        return None
    return {h: rcnet_counters(impl, h) for h in ("m", "b")}


def rcnet_deltas(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]) -> Any:
    """The backup's counters that moved; what its engine accepted (received minus the engine's
    drops; the kernel's queue drops never reached it) against what the master sent."""
    moved = {k: v - before["b"].get(k, 0) for k, v in after["b"].items()}
    moved = {k: v for k, v in moved.items() if v}
    kernel = "dropped-receive-queue-full"
    engine_drops = sum(v for k, v in moved.items() if k.startswith("dropped-") and k != kernel)
    sent = after["m"].get("sent-inet-packets", 0) - before["m"].get("sent-inet-packets", 0)
    return {
        "master_sent": sent,
        "backup_accepted": moved.get("received-inet-packets", 0) - engine_drops,
        "backup": moved,
    }


def _figures(adverts: list[pcap.Advert], m_ip: IPv4Address, b_ip: IPv4Address) -> dict[str, Any]:
    gaps = intervals_ms([a for a in adverts if a.src == m_ip])
    from_b = [a for a in adverts if a.src == b_ip and not a.bow_out]
    return {
        "master_adverts": len(gaps) + 1 if gaps else 0,
        "interval_median_ms": round(statistics.median(gaps), 1) if gaps else None,
        "interval_max_ms": round(max(gaps), 1) if gaps else None,
        "interval_min_ms": round(min(gaps), 1) if gaps else None,
        "backup_adverts": len(from_b),
        "false_takeovers": episodes(from_b),
    }


def main(quick: bool) -> dict[str, Any]:
    seconds = 5.0 if quick else 30.0
    sweep()
    result: dict[str, Any] = {
        "what": "MASTER advert interval and false takeovers under a protocol-112 junk flood",
        "quick": quick,
        "window_s": seconds,
        "topology": "bridge; m MASTER, b BACKUP, a attacker flooding 224.0.0.18",
        "junk": "half random bytes (8-64), half vhid-1 CARP adverts with a bad HMAC",
        "target": "no false takeover; master advert interval (median, max) within 10 % of advbase",
        "rcnet_before": rcnet_version(),
        "machine_before": machine_load(),
        "implementations": {},
    }
    for name in IMPLS:
        if shutil.which(name) is None and name != "rcnet":
            result["implementations"][name] = {"error": f"{name} not installed"}
            continue
        # mkdtemp's directory is root's and mode 0700, as rcnet wants its control directory
        with tempfile.TemporaryDirectory(prefix=f"rcbench-flood-{name}-") as tmp:
            run = run_one(name, seconds, Path(tmp))
        result["implementations"][name] = run
        print(f"  {name:<10} {line(run)}", flush=True)
    write_results("flood.json", result)
    return result


def line(run: dict[str, Any]) -> str:
    if "error" in run:
        return str(run["error"])
    f = run.get("flood", {})
    return (
        f"{f.get('rate_pps')} junk/s; master interval median {run['interval_median_ms']} ms,"
        f" max {run['interval_max_ms']} ms; false takeovers {run['false_takeovers']};"
        f" targets {run['targets']}"
    )
