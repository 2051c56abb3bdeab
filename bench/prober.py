"""The failover client's probe: an ICMP echo request to the VIP every INTERVAL seconds, on a fixed
clock, whether or not anything answers.

    python bench/prober.py ADDRESS INTERVAL_S

iputils ping cannot do that at 5 ms: while a probe is unanswered it sleeps MININTERVAL (10 ms)
between sends whenever the next one is due within 1000/HZ ms (HZ being sysconf(_SC_CLK_TCK),
100), so during a failover, exactly when the VIP-usable figure is taken, `ping -i 0.005` probes
every ~10.3 ms (measured on the bridge) and the figure's resolution is twice the one announced.
The replies are not read for any figure (the bridge capture has them): the socket is drained
only so that it does not fill. A send that fails (no route yet) is not retried: the next tick
sends the next probe. A tick missed by more than one interval (the machine stalled) is skipped,
never made up in a burst.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import sys
import time

ECHO_REQUEST = 8
PAYLOAD = bytes(range(48))  # with the 8-byte send time: ping's 56 data bytes


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return int(~total & 0xFFFF)


def echo_request(ident: int, seq: int, payload: bytes) -> bytes:
    head = struct.pack("!BBHHH", ECHO_REQUEST, 0, 0, ident, seq)
    return struct.pack("!BBHHH", ECHO_REQUEST, 0, checksum(head + payload), ident, seq) + payload


def run(address: str, interval: float, seconds: float) -> None:
    """Probe `address` every `interval` s for `seconds` s at most (bounded by itself: a bench
    killed before it could stop the prober leaves no endless traffic behind)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.setblocking(False)
    ident = os.getpid() & 0xFFFF
    seq = 0
    due = time.monotonic()
    end = due + seconds
    while due < end:
        payload = struct.pack("!Q", time.time_ns() // 1000) + PAYLOAD
        with contextlib.suppress(OSError):
            sock.sendto(echo_request(ident, seq, payload), (address, 0))
        seq = (seq + 1) & 0xFFFF
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while sock.recv(2048):
                pass
        due += interval
        now = time.monotonic()
        if now > due + interval:
            due = now  # stalled: the next probe now, no burst
        else:
            time.sleep(max(0.0, due - now))


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: prober.py ADDRESS INTERVAL_S MAX_S", file=sys.stderr)
        return 2
    try:
        run(argv[0], float(argv[1]), float(argv[2]))
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
