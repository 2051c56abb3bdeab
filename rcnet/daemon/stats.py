"""Per-vhid counts for `rcnet metrics`: transitions by reason, adverts sent and received, drops.

FreeBSD keeps carpstats per host only; monitoring wants to know which vhid flaps or goes deaf.
The service feeds this from what it already handles (the engine's Transition and Dropped
actions, each send's result, each packet's vhid byte) and adds it to the status answer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any


class VhidStats:
    def __init__(self) -> None:
        #: (vhid, interface) -> reason -> count
        self.transitions: defaultdict[tuple[int, str], Counter[str]] = defaultdict(Counter)
        #: (vhid, interface) -> adverts sent
        self.sent: Counter[tuple[int, str]] = Counter()
        #: (vhid, parent) -> CARP packets that arrived with that vhid
        self.received: Counter[tuple[int, str]] = Counter()
        #: vhid -> counter name -> drops
        self.drops: defaultdict[int, Counter[str]] = defaultdict(Counter)

    def transition(self, vhid: int, interface: str, reason: str) -> None:
        self.transitions[vhid, interface][reason] += 1

    def advert_sent(self, vhid: int, interface: str) -> None:
        self.sent[vhid, interface] += 1

    def packet(self, parent: str, payload: bytes) -> None:
        if len(payload) >= 2:  # the CARP header's second byte is the vhid
            self.received[payload[1], parent] += 1

    def dropped(self, vhid: int | None, counter: str | None) -> None:
        if vhid is not None and counter is not None:
            self.drops[vhid][counter] += 1

    def add_to(self, vhids: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The status answer's vhid entries with their counts added."""
        for v in vhids:
            key = (int(v["vhid"]), str(v["interface"]))
            v["transitions"] = dict(self.transitions.get(key, {}))
            v["adverts_sent"] = self.sent[key]
            v["adverts_received"] = self.received[int(v["vhid"]), str(v.get("parent"))]
            v["drops"] = dict(self.drops.get(int(v["vhid"]), {}))
        return vhids
