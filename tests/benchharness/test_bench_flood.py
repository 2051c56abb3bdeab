"""bench.flood: the junk is what it claims, and the verdicts follow the figures."""

from __future__ import annotations

from ipaddress import IPv4Address

from bench import report
from bench.flood import episodes, intervals_ms, judge, junk
from bench.pcap import Advert
from bench.peers import PASS
from rcnet.carp.wire import CarpAuth, carp_checksum_ok, decode_carp

VIP = [IPv4Address("192.168.1.50")]


def test_junk_is_half_bad_hmac_adverts_of_the_configured_vhid() -> None:
    packets = junk(64)
    adverts = [p for p in packets if len(p) == 36 and p[0] == 0x21 and carp_checksum_ok(p)]
    assert len(adverts) == 32
    good = CarpAuth(PASS.encode(), 1, VIP)
    for p in adverts:
        header = decode_carp(p)
        assert (header.vhid, header.advbase, header.advskew) == (1, 1, 0)
        assert header.hmac != good.digest(header.counter)  # signed with another key
    assert len({p for p in packets if p not in adverts}) == 32


def advert(ts_s: float, src: str = "192.168.1.3") -> Advert:
    return Advert(int(ts_s * 1e6), "00:00:5e:00:01:01", IPv4Address(src), "carp", 1, 1, 0)


def test_intervals_and_takeover_episodes() -> None:
    assert intervals_ms([advert(0), advert(1.0), advert(2.5)]) == [1000.0, 1500.0]
    assert episodes([]) == 0
    assert episodes([advert(10), advert(11.4), advert(20)]) == 2


def test_verdicts_and_report() -> None:
    held = {"interval_median_ms": 1000.2, "interval_max_ms": 1090.0, "false_takeovers": 0}
    held["backup_state_after"] = "BACKUP"
    assert judge(held, 1000.0) == {
        "interval_within_10_percent": "met",
        "no_false_takeover": "met",
    }
    late = {**held, "interval_max_ms": 1200.0, "false_takeovers": 1}
    assert judge(late, 1000.0) == {
        "interval_within_10_percent": "missed",
        "no_false_takeover": "missed",
    }
    run = {**late, "flood": {"rate_pps": 50000}, "targets": judge(late, 1000.0)}
    text = "\n".join(report.flood_section({"implementations": {"ucarp": run}}))
    assert "| ucarp | 50000 | 1,000.2 | 1,200.0 | 1 |" in text and "missed" in text
    assert "| rcnet | not run |" in text
