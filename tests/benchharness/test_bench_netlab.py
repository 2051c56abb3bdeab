"""bench.netlab in real namespaces: a capture on the bridge sees the traffic, a revived host is
clean, and nothing is left behind."""

from __future__ import annotations

import subprocess
from ipaddress import IPv4Address
from pathlib import Path

import pytest

from bench import pcap
from bench.lab_check import unavailable
from bench.netlab import Capture, NetLabError, Segment

pytestmark = pytest.mark.netns

REASON = unavailable()


def names() -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


@pytest.mark.skipif(REASON is not None, reason=REASON or "")
def test_capture_revive_and_teardown(tmp_path: Path) -> None:
    seg = Segment({"a": "10.77.0.1/24", "c": "10.77.0.2/24"}, tag="t")
    with seg:
        made = set(seg.made)
        assert made <= names() and all(n.startswith(seg.prefix) for n in made)
        with Capture(seg, tmp_path / "x.pcap", bpf="icmp") as cap:
            seg.run("c", ["ping", "-c", "3", "-i", "0.05", "-W", "1", "10.77.0.1"])
        assert cap.dropped == 0
        replies = [
            f for f in pcap.read(tmp_path / "x.pcap") if isinstance(f, pcap.Echo) and f.reply
        ]
        assert [r.src for r in replies] == [IPv4Address("10.77.0.1")] * 3
        assert replies[0].ts < replies[1].ts < replies[2].ts
        # something a killed daemon would leave behind is gone after a revive
        seg.run("a", ["ip", "addr", "add", "10.77.0.50/24", "dev", "fxp0"])
        seg.revive("a")
        addrs = seg.run("a", ["ip", "-br", "addr", "show", "dev", "fxp0"])
        assert "10.77.0.1/24" in addrs and "10.77.0.50" not in addrs
        seg.run("c", ["ip", "neigh", "flush", "all"])  # the new veth has a new MAC
        seg.run("c", ["ping", "-c", "1", "-W", "2", "10.77.0.1"])
        with pytest.raises(NetLabError, match="not a namespace of this segment"):
            seg.ns("elsewhere")
    assert not (made & names())
