"""The failover client's probe (bench/prober.py) keeps its interval while nothing answers: the
VIP-usable figure is taken exactly then. iputils `ping -i 0.005` did not (every ~10.3 ms while a
probe was unanswered: its MININTERVAL sleep), which doubled the figure's resolution."""

from __future__ import annotations

import itertools
import statistics
import subprocess
import time
from pathlib import Path

import pytest

from bench import failover, pcap
from bench.lab_check import unavailable
from bench.netlab import Capture, Segment

pytestmark = pytest.mark.netns

REASON = unavailable()
SILENT = "10.77.0.9"  # no host has it: the probes cross the bridge, nothing answers


@pytest.mark.skipif(REASON is not None, reason=REASON or "")
def test_the_client_probes_every_interval_while_nothing_answers(tmp_path: Path) -> None:
    interval_ms = float(failover.PROBE_S) * 1000
    with Segment({"c": "10.77.0.2/24"}, tag="p") as seg:
        # a static neighbour: the requests go out although nobody will answer them
        seg.run("c", ["ip", "neigh", "add", SILENT, "lladdr", "02:00:00:00:00:09", "dev", "fxp0"])
        with Capture(seg, tmp_path / "p.pcap", bpf="icmp") as cap:
            proc = seg.spawn(
                "c",
                failover.client_probe(SILENT),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(1.0)
            proc.terminate()
            proc.wait(timeout=5)
        assert cap.dropped == 0
    frames = pcap.read(tmp_path / "p.pcap")
    sent = [f.ts for f in frames if isinstance(f, pcap.Echo) and not f.reply]
    assert not [f for f in frames if isinstance(f, pcap.Echo) and f.reply]
    gaps_ms = [(b - a) / 1000 for a, b in itertools.pairwise(sent)]
    assert len(gaps_ms) >= 100  # about 200 in the second
    # the capture's own clock; generous against a loaded machine, well below ping's 10.3 ms
    assert statistics.median(gaps_ms) == pytest.approx(interval_ms, abs=1.0)


def test_the_echo_request_checksum_verifies() -> None:
    from bench.prober import checksum, echo_request

    packet = echo_request(0x1234, 7, b"odd length")
    assert packet[:2] == b"\x08\x00" and packet[4:8] == b"\x12\x34\x00\x07"
    assert checksum(packet) == 0  # RFC 1071: the sum over a packet with its checksum is 0


@pytest.mark.skipif(REASON is not None, reason=REASON or "")
def test_the_probe_stops_by_itself() -> None:
    """Traffic a bench makes ends by itself, even if the bench dies before stopping it."""
    with Segment({"c": "10.77.0.2/24"}, tag="q") as seg:
        seg.run("c", ["ip", "neigh", "add", SILENT, "lladdr", "02:00:00:00:00:09", "dev", "fxp0"])
        proc = seg.spawn("c", failover.client_probe(SILENT, 0.3), stderr=subprocess.PIPE)
        assert proc.wait(timeout=10) == 0
