"""Cost of the CARP core: the send path (build + HMAC) and the receive path (decode + checksum +
verify + state step) per advert, against a bare `hmac.new(...).digest()` on the same message,
and one hour of virtual time for the Handbook's three hosts. Figures go to
bench/results/carp.json.

Targets (task: CARP core): one hour of the Handbook simulates in under 2 s.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import random
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable as `python bench/bench_carp.py` from a checkout
    sys.path.insert(0, str(ROOT))

from bench.lab_check import machine_load, rcnet_version, write_results  # noqa: E402
from rcnet.carp import timing, wire  # noqa: E402
from rcnet.carp.engine import Engine  # noqa: E402
from rcnet.carp.sim import Simulator  # noqa: E402
from rcnet.model import carp_key  # noqa: E402

HANDBOOK = [ROOT / "fixtures" / "handbook" / f"{n}.conf" for n in ("hosta", "hostb", "provider")]
REPEAT = 7
NUMBER = 20_000
SIM_RUNS = 5


def per_op_us(stmt: Callable[[], object], number: int = NUMBER) -> float:
    """Median over REPEAT runs of the time of one call, in microseconds."""
    runs = timeit.repeat(stmt, number=number, repeat=REPEAT)
    return statistics.median(runs) / number * 1e6


def main() -> int:
    from rcnet.hosts import load_hosts

    before = machine_load()
    hosts, _ = load_hosts([str(p) for p in HANDBOOK])
    vip = [ipaddress.ip_address("192.168.1.50")]
    key = carp_key("testpass")
    auth = wire.CarpAuth(key, 1, vip)
    message = wire.hmac_message_prefix(1, vip) + (1).to_bytes(8, "big")

    baseline = per_op_us(lambda: hmac.new(key, message, hashlib.sha1).digest())
    build = per_op_us(lambda: wire.build_carp(auth, 1, 1, 0, 1))

    # Engine send path: a MASTER's advert timer (counter, build, HMAC, SendAdvert).
    hosta = next(h for h in hosts if h.matches("hosta"))
    sender = Engine(hosta, random.Random(1), 0)
    sender.start(0)
    sender.handle_timer(3 * timing.US_PER_S)
    vh = sender.vhosts[0]
    engine_send = per_op_us(lambda: vh.send_adverts(4 * timing.US_PER_S))

    # Receive path: provider's BACKUP vhid 1 takes hosta's advert (pipeline + rearm).
    provider = next(h for h in hosts if h.matches("provider"))
    receiver = Engine(provider, random.Random(2), 0)
    receiver.start(0)
    advert = wire.build_carp(auth, 1, 1, 0, 12345)
    src, dst = ipaddress.ip_address("192.168.1.3"), wire.CARP_GROUP4
    receive = per_op_us(lambda: receiver.handle_packet("fxp0", src, dst, 255, advert, 10))
    verify = per_op_us(lambda: auth.verify(12345, advert[16:]))

    hour = timing.from_seconds(3600)
    sim_times = []
    for _ in range(SIM_RUNS):
        start = time.perf_counter()
        Simulator(hosts).run(hour)
        sim_times.append(time.perf_counter() - start)
    sim_s = statistics.median(sim_times)

    figures = {
        "hmac_new_digest_baseline_us": round(baseline, 3),
        "build_carp_us": round(build, 3),
        "engine_send_advert_us": round(engine_send, 3),
        "ratio_send_to_baseline": round(engine_send / baseline, 2),
        "verify_hmac_us": round(verify, 3),
        "engine_receive_advert_us": round(receive, 3),
        "ratio_receive_to_baseline": round(receive / baseline, 2),
        "handbook_one_hour_sim_s": round(sim_s, 4),
        "target_one_hour_sim_s": 2.0,
        "repeat": REPEAT,
        "number": NUMBER,
        "python": sys.version.split()[0],
        "rcnet": rcnet_version(),
        "machine_before": before,
    }
    write_results("carp.json", figures)
    width = max(len(k) for k in figures)
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")
    return 0 if sim_s < 2.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
