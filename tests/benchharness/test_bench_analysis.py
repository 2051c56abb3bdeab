"""bench.analysis and bench.stats: the figures a failover is judged by, on hand-made captures."""

from __future__ import annotations

from datetime import datetime
from ipaddress import IPv4Address

import pytest

from bench import pcap
from bench.analysis import (
    advert_deviations,
    analyse,
    first_answer,
    log_time_us,
    longest_gap,
    takeover_logged_us,
)
from bench.stats import median_index, percentile, summary
from tests.benchharness import pcapbuild as pb

T0 = 1_700_000_000_000_000
M, B, VIP = "192.168.1.3", "192.168.1.4", "192.168.1.50"
BOUND = 3_390_625


def frames(records: list[tuple[int, bytes]]) -> list[pcap.Frame]:
    return pcap.parse(pb.pcap_file(records))


def failover_capture(garp_at: int, cut: int) -> list[pcap.Frame]:
    """m advertises every second until T0+2 s, is cut at `cut`; b takes over at `garp_at`."""
    recs = [(T0 + i * 1_000_000, pb.carp(M, 1)) for i in range(3)]
    recs += [(T0 + i * 10_000, pb.echo(VIP, "192.168.1.5", True, i)) for i in range(0, 250)]
    recs += [(garp_at - 80, pb.carp(B, 1, 1, 100)), (garp_at, pb.garp(VIP))]
    recs += [
        (garp_at + 5_000 + i * 10_000, pb.echo(VIP, "192.168.1.5", True, 900 + i)) for i in range(5)
    ]
    recs.sort(key=lambda r: r[0])
    assert cut < garp_at
    return frames(recs)


def test_overhead_is_garp_minus_last_advert_plus_bound() -> None:
    last = T0 + 2_000_000
    seen = analyse(
        failover_capture(last + BOUND + 4_200, T0 + 2_400_000),
        victim=IPv4Address(M),
        survivor=IPv4Address(B),
        vip=IPv4Address(VIP),
        vhid=1,
        after=T0 + 2_400_000,
    )
    assert seen.last_advert == last and not seen.bow_out
    assert seen.overhead_us(BOUND) == 4_200
    assert seen.handover_us() == BOUND + 4_200
    assert seen.new_advert == last + BOUND + 4_200 - 80
    # replies stop at 2.49 s and resume 5 ms after the GARP
    assert seen.gap == (last + BOUND + 4_200 + 5_000) - (T0 + 2_490_000)


def test_vip_usable_is_the_survivors_first_answer_to_the_client() -> None:
    last, cut = T0 + 2_000_000, T0 + 2_400_000
    garp_at = last + BOUND + 4_200
    # what entered the bridge from b's port: its GARP, then its answers to the client
    answers = frames(
        [
            (cut - 5, pb.echo(VIP, "192.168.1.5", True, 1)),  # before the event: not b's answer
            (garp_at, pb.garp(VIP, op=2)),  # gratuitous: answers nobody's probe
            (garp_at + 100, pb.echo(VIP, "192.168.1.9", True, 2)),  # another client
            (garp_at + 300, pb.arp_reply(VIP, "192.168.1.5")),
            (garp_at + 2_000, pb.echo(VIP, "192.168.1.5", True, 3)),
        ]
    )
    client = IPv4Address("192.168.1.5")
    assert first_answer(answers, IPv4Address(VIP), client, cut) == garp_at + 300
    seen = analyse(
        failover_capture(garp_at, cut),
        victim=IPv4Address(M),
        survivor=IPv4Address(B),
        vip=IPv4Address(VIP),
        vhid=1,
        after=cut,
        answers=answers,
        client=client,
    )
    assert seen.usable == garp_at + 300
    assert seen.usable_overhead_us(BOUND) == 4_500 and seen.overhead_us(BOUND) == 4_200
    assert seen.usable_handover_us() == BOUND + 4_500
    # no answer at all: not usable (never the GARP's time instead)
    assert first_answer(answers[:3], IPv4Address(VIP), client, cut) is None


def test_a_garp_before_the_event_is_not_the_takeover() -> None:
    recs = [(T0, pb.carp(M, 1)), (T0 + 100, pb.garp(VIP)), (T0 + 1_000_000, pb.carp(M, 1))]
    seen = analyse(
        frames(recs),
        victim=IPv4Address(M),
        survivor=IPv4Address(B),
        vip=IPv4Address(VIP),
        vhid=1,
        after=T0 + 1_200_000,
    )
    assert seen.garp is None and seen.overhead_us(BOUND) is None and seen.gap is None


def test_a_garp_for_another_address_or_vhid_adverts_do_not_count() -> None:
    recs = [
        (T0, pb.carp(M, 1)),
        (T0 + 50, pb.carp(M, 2)),
        (T0 + 3_000_000, pb.garp("192.168.1.51")),
    ]
    seen = analyse(
        frames(recs),
        victim=IPv4Address(M),
        survivor=IPv4Address(B),
        vip=IPv4Address(VIP),
        vhid=1,
        after=T0 + 10,
    )
    assert seen.last_advert == T0 and seen.garp is None


def test_planned_handover_from_a_bow_out() -> None:
    recs = [
        (T0, pb.carp(M, 1)),
        (T0 + 300_000, pb.carp(M, 1, 255, 255)),
        (T0 + 312_000, pb.garp(VIP)),
    ]
    seen = analyse(
        frames(recs),
        victim=IPv4Address(M),
        survivor=IPv4Address(B),
        vip=IPv4Address(VIP),
        vhid=1,
        after=T0 + 299_000,
    )
    assert seen.bow_out and seen.handover_us() == 12_000


def test_timeline_is_relative_to_the_last_advert_in_ms() -> None:
    last = T0 + 2_000_000
    seen = analyse(
        failover_capture(last + BOUND + 1_000, T0 + 2_400_000),
        victim=IPv4Address(M),
        survivor=IPv4Address(B),
        vip=IPv4Address(VIP),
        vhid=1,
        after=T0 + 2_400_000,
    )
    tl = seen.timeline(BOUND)
    assert tl["last_advert_ms"] == 0.0 and tl["garp_ms"] == pytest.approx(3391.625)
    assert tl["victim_adverts_ms"] == [-2000.0, -1000.0, 0.0]
    assert tl["bound_ms"] == 3390.625


def test_longest_gap_needs_replies_on_both_sides() -> None:
    assert longest_gap([0, 10, 20, 500, 510], 15, 400) == 480
    assert longest_gap([0, 10, 20], 15, 400) is None
    assert longest_gap([500, 510], 15, 400) is None


def test_advert_deviations_per_vhid_without_bow_outs() -> None:
    recs = [
        (T0, pb.carp(M, 1)),
        (T0 + 10, pb.carp(M, 2)),
        (T0 + 1_000_500, pb.carp(M, 1)),
        (T0 + 1_000_000, pb.carp(M, 2)),
        (T0 + 2_003_000, pb.carp(M, 1)),
        (T0 + 2_100_000, pb.carp(M, 2, 255, 255)),
        (T0 + 2_000_000, pb.carp(B, 2)),
    ]
    recs.sort(key=lambda r: r[0])
    assert advert_deviations(frames(recs), IPv4Address(M), 1_000_000) == [-10, 500, 2_500]


def test_log_time_is_read_on_the_day_nearest_the_capture() -> None:
    near = int(datetime(2024, 3, 1, 23, 59, 59, 900_000).timestamp() * 1e6)
    after_midnight = log_time_us("00:00:00.004 carp: 1@fxp0: BACKUP -> MASTER (x)", near)
    assert after_midnight == int(datetime(2024, 3, 2, 0, 0, 0, 4000).timestamp() * 1e6)
    assert log_time_us("not a log line", near) is None


def test_takeover_logged_picks_the_transition_nearest_the_garp() -> None:
    near = int(datetime(2024, 3, 1, 12, 0, 10).timestamp() * 1e6)
    lines = [
        "12:00:01.000 carp: 1@fxp0: BACKUP -> MASTER (master timed out)",
        "12:00:05.000 carp: 1@fxp0: MASTER -> BACKUP (more frequent advertisement received)",
        "12:00:09.997 carp: 1@fxp0: BACKUP -> MASTER (master timed out)",
        "12:00:09.999 carp: 2@fxp0: BACKUP -> MASTER (master timed out)",
    ]
    got = takeover_logged_us(lines, 1, near)
    assert got == near - 3_000


def test_percentile_and_summary() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([5.0], 90) == 5.0
    assert percentile(list(map(float, range(1, 11))), 90) == pytest.approx(9.1)
    s = summary([3.0, None, 1.0, 2.0])
    assert s == {"median": 2.0, "p90": 2.8, "min": 1.0, "max": 3.0, "n": 3, "failed": 1}
    assert summary([None])["n"] == 0 and summary([None])["median"] is None
    with pytest.raises(ValueError):
        percentile([], 50)


def test_median_index_points_at_the_median_trial() -> None:
    assert median_index([9.0, None, 1.0, 5.0]) == 3
    assert median_index([4.0, 1.0, 3.0, 2.0]) == 3  # lower median of 1 2 3 4 is 2.0, index 3
    assert median_index([None]) is None
