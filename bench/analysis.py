"""What one failover looks like on the wire, from the frames of its captures (no harness clock).

The VIP is usable when the new master first answers a client's probe: its first echo reply from
the VIP, or ARP reply for the VIP, to the client, after the event, in the capture of what enters
the bridge from the survivor's port. Unplanned: overhead = that answer (or the first gratuitous
ARP for the VIP, the second column) - (the dead master's last advert + the survivor's master-down
interval). Planned: handover = the answer (or the GARP) - the stopping master's last advert (its
bow-out, when the implementation sends one). Client gap: the longest silence between two
consecutive echo replies from the VIP that spans the takeover.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from ipaddress import IPv4Address
from typing import Any

from bench.pcap import Advert, Arp, Echo, Frame

#: how much of the capture around the takeover a timeline keeps (µs before the last advert)
TIMELINE_BEFORE_US = 2_500_000
TIMELINE_AFTER_GARP_US = 1_500_000


@dataclass
class Takeover:
    """One trial's figures (µs on the capture's clock) and what its timeline plot needs."""

    last_advert: int | None = None
    bow_out: bool = False
    garp: int | None = None
    garp_mac: str | None = None
    #: the new master's first answer to the client's probe (echo or ARP reply): the VIP usable
    usable: int | None = None
    new_advert: int | None = None
    gap: int | None = None
    replies: list[int] = field(default_factory=list)
    victim_adverts: list[int] = field(default_factory=list)
    survivor_adverts: list[int] = field(default_factory=list)

    def overhead_us(self, bound_us: int) -> int | None:
        if self.last_advert is None or self.garp is None:
            return None
        return self.garp - (self.last_advert + bound_us)

    def handover_us(self) -> int | None:
        if self.last_advert is None or self.garp is None:
            return None
        return self.garp - self.last_advert

    def usable_overhead_us(self, bound_us: int) -> int | None:
        if self.last_advert is None or self.usable is None:
            return None
        return self.usable - (self.last_advert + bound_us)

    def usable_handover_us(self) -> int | None:
        if self.last_advert is None or self.usable is None:
            return None
        return self.usable - self.last_advert

    def timeline(self, bound_us: int) -> dict[str, Any]:
        """Times in ms relative to the dead master's last advert, for the plot."""
        if self.last_advert is None:
            return {}
        t0 = self.last_advert
        lo = t0 - TIMELINE_BEFORE_US
        hi = (self.garp or t0 + bound_us) + TIMELINE_AFTER_GARP_US

        def rel(ts: list[int]) -> list[float]:
            return [round((t - t0) / 1000, 2) for t in ts if lo <= t <= hi]

        return {
            "last_advert_ms": 0.0,
            "bow_out": self.bow_out,
            "bound_ms": round(bound_us / 1000, 3),
            "garp_ms": None if self.garp is None else round((self.garp - t0) / 1000, 3),
            "usable_ms": None if self.usable is None else round((self.usable - t0) / 1000, 3),
            "victim_adverts_ms": rel(self.victim_adverts),
            "survivor_adverts_ms": rel(self.survivor_adverts),
            "replies_ms": rel(self.replies),
        }


def first_garp(frames: list[Frame], vip: IPv4Address, after: int) -> Arp | None:
    for f in frames:
        if isinstance(f, Arp) and f.gratuitous and f.spa == vip and f.ts > after:
            return f
    return None


def first_answer(
    frames: list[Frame], vip: IPv4Address, client: IPv4Address, after: int
) -> int | None:
    """When the first answer to `client`'s probe of `vip` came (an echo reply from the VIP, or
    an ARP reply for it that is no gratuitous ARP), after `after`; None if none did."""
    for f in frames:
        if f.ts <= after:
            continue
        if isinstance(f, Echo) and f.reply and f.src == vip and f.dst == client:
            return f.ts
        if isinstance(f, Arp) and f.op == 2 and f.spa == vip and f.tpa == client:
            return f.ts
    return None


def longest_gap(replies: list[int], start: int, end: int) -> int | None:
    """The longest interval between consecutive replies among those that overlap [start, end];
    None when no reply came before start or none after end (the silence is not closed)."""
    before = [t for t in replies if t <= start]
    after = [t for t in replies if t >= end]
    if not before or not after:
        return None
    inner = [before[-1], *(t for t in replies if start < t < end), after[0]]
    return max(b - a for a, b in itertools.pairwise(inner))


def analyse(
    frames: list[Frame],
    *,
    victim: IPv4Address,
    survivor: IPv4Address,
    vip: IPv4Address,
    vhid: int,
    after: int,
    answers: list[Frame] | None = None,
    client: IPv4Address | None = None,
) -> Takeover:
    """`after`: the event's time on the capture clock (no frame of the victim can come later
    for a cut link; for a graceful stop, the moment the stop was asked for). `answers`: what the
    survivor sent (its bridge port's capture), where the client's answers are looked for."""
    out = Takeover()
    adverts = [f for f in frames if isinstance(f, Advert) and f.vhid == vhid]
    out.victim_adverts = [a.ts for a in adverts if a.src == victim]
    out.survivor_adverts = [a.ts for a in adverts if a.src == survivor]
    out.replies = [f.ts for f in frames if isinstance(f, Echo) and f.reply and f.src == vip]
    victim_last = [a for a in adverts if a.src == victim]
    if not victim_last:
        return out
    last = victim_last[-1]
    out.last_advert, out.bow_out = last.ts, last.bow_out
    if answers is not None and client is not None:
        out.usable = first_answer(answers, vip, client, max(after, last.ts))
    garp = first_garp(frames, vip, max(after, last.ts))
    if garp is None:
        return out
    out.garp, out.garp_mac = garp.ts, garp.sha
    new = [t for t in out.survivor_adverts if t > last.ts]
    out.new_advert = new[0] if new else None
    out.gap = longest_gap(out.replies, last.ts, garp.ts)
    return out


def advert_deviations(frames: list[Frame], src: IPv4Address, nominal_us: int) -> list[int]:
    """Per vhid, each interval between consecutive adverts from `src` minus the nominal
    interval (µs). Bow-outs are not part of the rhythm and are left out."""
    last: dict[int, int] = {}
    out: list[int] = []
    for f in frames:
        if not isinstance(f, Advert) or f.src != src or f.bow_out:
            continue
        prev = last.get(f.vhid)
        if prev is not None:
            out.append(f.ts - prev - nominal_us)
        last[f.vhid] = f.ts
    return out


_LOG_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) ")


def log_time_us(line: str, near_us: int) -> int | None:
    """The wall-clock time of an rcnet log line (`HH:MM:SS.mmm`, local time, ms truncated) as
    µs since the epoch, on the day that puts it nearest to `near_us`."""
    m = _LOG_TIME.match(line)
    if m is None:
        return None
    hh, mm, ss, ms = (int(g) for g in m.groups())
    base = datetime.fromtimestamp(near_us / 1e6).replace(
        hour=hh, minute=mm, second=ss, microsecond=ms * 1000
    )
    candidates = [base + timedelta(days=d) for d in (-1, 0, 1)]
    stamps = [int(c.timestamp() * 1_000_000) for c in candidates]
    return min(stamps, key=lambda s: abs(s - near_us))


def takeover_logged_us(lines: list[str], vhid: int, near_us: int) -> int | None:
    """When the daemon logged its `BACKUP -> MASTER` for `vhid` nearest to `near_us`."""
    pattern = re.compile(rf"carp: {vhid}@\S+: BACKUP -> MASTER")
    found = [log_time_us(line, near_us) for line in lines if pattern.search(line)]
    stamps = [s for s in found if s is not None]
    return min(stamps, key=lambda s: abs(s - near_us)) if stamps else None
