"""Drive engines by hand in tests: a fake wire (h11's habit) and action filters."""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from rcnet.carp.actions import Action, SendAdvert, Transition
from rcnet.carp.engine import Engine
from rcnet.carp.timing import US_PER_S
from rcnet.model import Host

T = TypeVar("T")
S = US_PER_S
A = ipaddress.ip_address


def of(kind: type[T], actions: Iterable[object]) -> list[T]:
    return [a for a in actions if isinstance(a, kind)]


def engine(host: Host, seed: int = 1, now: int = 0) -> Engine:
    return Engine(host, random.Random(seed), now)


def feed(to: Engine, actions: Iterable[Action], now: int, ttl: int = 255) -> list[Action]:
    """Deliver every SendAdvert in `actions` to `to` on its own parent of the same name."""
    out: list[Action] = []
    for adv in of(SendAdvert, actions):
        src = adv.src or A("0.0.0.0")
        out += to.handle_packet(adv.parent, src, adv.dst, ttl, adv.payload, now)
    return out


@dataclass
class Wire:
    """Engines on one segment; adverts reach every other engine at once (no loss, no delay)."""

    engines: list[Engine]
    now: int = 0
    #: (time, host name, transition)
    log: list[tuple[int, str, Transition]] = field(default_factory=list)
    #: (time, host name, action) of everything the engines asked for
    actions: list[tuple[int, str, Action]] = field(default_factory=list)

    def start(self) -> None:
        for e in self.engines:
            self.apply(e, e.start(self.now))

    def apply(self, sender: Engine, actions: list[Action]) -> None:
        queue = [(sender, actions)]
        while queue:
            who, acts = queue.pop(0)
            for a in acts:
                self.actions.append((self.now, who.host.name, a))
                if isinstance(a, Transition):
                    self.log.append((self.now, who.host.name, a))
            if not of(SendAdvert, acts):
                continue
            for other in self.engines:
                if other is not who and other.running:
                    queue.append((other, feed(other, acts, self.now)))

    def run_until(self, until: int) -> None:
        while True:
            due = [t for t in (e.next_timer() for e in self.engines) if t is not None]
            if not due or min(due) > until:
                self.now = until
                return
            self.now = min(due)
            for e in self.engines:
                t = e.next_timer()
                if t is not None and t <= self.now:
                    self.apply(e, e.handle_timer(self.now))

    def states(self) -> dict[tuple[str, int], str]:
        return {
            (e.host.name.split(".")[0], s.vhid): str(s.state)
            for e in self.engines
            for s in e.status()
        }

    def transitions(self) -> list[tuple[float, str, int, str, str, str]]:
        return [
            (t / S, name.split(".")[0], tr.vhid, str(tr.old), str(tr.new), tr.reason)
            for t, name, tr in self.log
        ]
