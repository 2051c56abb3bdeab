"""A snapshot of one vhid for `rcnet status`, and its one full JSON form."""

from __future__ import annotations

import ipaddress
from typing import Any

from rcnet.carp import timing
from rcnet.carp.actions import State
from rcnet.frozen import record
from rcnet.model import IPInterface


@record
class VhidStatus:
    """A snapshot for `rcnet status`; `advskew` is the configured value."""

    vhid: int
    interface: str
    parent: str | None
    state: State
    advbase: int
    advskew: int
    addresses: tuple[IPInterface, ...]
    #: µs timestamp of the last transition
    since: int
    version: int = 2
    vrrp_prio: int = 100
    vrrp_interval: int = 100
    peer: ipaddress.IPv4Address | None = None
    peer6: ipaddress.IPv6Address | None = None

    def to_json(self, now: int) -> dict[str, Any]:
        """The one full form of a vhid's status (`rcnet status --json`, and what every
        rendering is made from: `rcnet.daemon.status`)."""
        out: dict[str, Any] = {
            "vhid": self.vhid,
            "interface": self.interface,
            "parent": self.parent,
            "state": str(self.state),
            "carpver": self.version,
            "advbase": self.advbase,
            "advskew": self.advskew,
            "peer": None if self.peer is None else str(self.peer),
            "peer6": None if self.peer6 is None else str(self.peer6),
            "addresses": [str(a) for a in self.addresses],
            "since": timing.to_seconds(now - self.since),
        }
        if self.version == 3:
            out["vrrpprio"] = self.vrrp_prio
            out["vrrpinterval"] = self.vrrp_interval
        return out
