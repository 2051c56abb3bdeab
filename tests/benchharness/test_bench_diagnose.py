"""bench.diagnose_rcnet.breakdown: the steps of a takeover from probe marks and wire times."""

from __future__ import annotations

from bench.diagnose_rcnet import Mark, breakdown

MS = 1_000_000  # ns
LAST = 1_700_000_000 * 10**9  # ns since the epoch of the wire's last advert
OFFSET = 10**17  # wall - mono for the daemon's clocks


def mark(event: str, wall_ms: float, detail: str = "") -> Mark:
    wall = LAST + int(wall_ms * MS)
    return Mark(event, wall, wall - OFFSET, detail)


def test_unplanned_steps_with_frames_before_the_link() -> None:
    bound_ms = 3390.625
    deadline_mono_us = (LAST + int((bound_ms + 0.3) * MS) - OFFSET) // 1000
    marks = [
        mark("_on_packet:start", 0.3, "192.168.1.3"),
        mark("_on_timer:start", bound_ms + 0.3 - 1.5, str(deadline_mono_us)),
        mark("_send:start", bound_ms + 0.5),
        mark("_announce:start", bound_ms + 0.6),
        mark("_switch:start", bound_ms + 0.7, "vh1-fxp0:up"),
        mark("_switch:end", bound_ms + 1.0),
    ]
    trial = {
        "kind": "unplanned",
        "last_advert_us": LAST // 1000,
        "garp_us": (LAST + int((bound_ms + 0.62) * MS)) // 1000,
        "bound_ms": bound_ms,
    }
    got = breakdown(marks, trial, "192.168.1.3")
    assert got is not None
    assert round(got["rx_latency_ms"], 3) == 0.3
    assert round(got["deadline_shift_ms"], 3) == 0.3
    assert round(got["start_to_send_ms"], 3) == 0.2
    assert round(got["send_to_announce_ms"], 3) == 0.1
    assert round(got["announce_to_wire_ms"], 3) == 0.02
    assert round(got["up_call_ms"], 3) == 0.3
    assert round(got["link_up_after_garp_ms"], 3) == 0.38


def test_planned_starts_at_the_bow_out_read_and_misses_give_none() -> None:
    marks = [
        mark("_on_packet:start", 0.4, "192.168.1.3"),
        mark("_switch:start", 0.5, "vh1-fxp0:up"),
        mark("_switch:end", 10.5),
        mark("_send:start", 10.6),
        mark("_announce:start", 10.7),
    ]
    trial = {
        "kind": "planned",
        "last_advert_us": LAST // 1000,
        "garp_us": (LAST + 10_800_000) // 1000,
    }
    got = breakdown(marks, trial, "192.168.1.3")
    assert got is not None
    assert round(got["start_to_send_ms"], 3) == 10.2
    assert round(got["link_up_after_garp_ms"], 3) == -0.3
    assert "deadline_shift_ms" not in got
    assert breakdown(marks[:2], trial, "192.168.1.3") is None
    assert breakdown(marks, trial, "192.168.1.4") is None
