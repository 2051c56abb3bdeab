"""What the engine asks its runner to do: small frozen dataclasses, returned, never performed.

The daemon turns them into packets, netlink calls, log lines and hook runs; the simulator
delivers `SendAdvert` payloads to the other engines and records `Transition`s. Order within a
returned list is the order to perform them in.
"""

from __future__ import annotations

from enum import IntEnum

from rcnet.carp.counters import Counter
from rcnet.frozen import record
from rcnet.model import IPAddress, IPInterface


class State(IntEnum):
    """carp(4) states, with FreeBSD's numbers."""

    INIT = 0
    BACKUP = 1
    MASTER = 2

    def __str__(self) -> str:
        return self.name


@record
class SendAdvert:
    """Send `payload` (a CARP or VRRPv3 header) as IP protocol 112, TTL/hop limit 255.

    `src` is the parent's address of that family (None when the model knows none: the runner
    picks, e.g. the IPv6 link-local); `dst` the multicast group or the unicast peer. The
    Ethernet source is `packet.virtual_mac(vhid)` unless the advert goes to a unicast peer.
    A VRRPv3 payload's checksum covers `src`/`dst`: rebuild it if the runner changes `src`.
    """

    vhid: int
    interface: str
    parent: str
    family: int
    src: IPAddress | None
    dst: IPAddress
    payload: bytes
    multicast: bool
    tos: int
    #: the advbase 255 / advskew 255 advert of a MASTER on its way down
    bow_out: bool = False


@record
class VipAction:
    """What the three actions on a vhid's addresses share (each compares equal only to its own
    kind: dataclass equality checks the class)."""

    vhid: int
    interface: str
    parent: str
    addresses: tuple[IPInterface, ...]
    mac: bytes


@record
class AddVips(VipAction):
    """Bring the vhid's addresses up (on becoming MASTER), answering ARP/NS with `mac`."""


@record
class RemoveVips(VipAction):
    """Take the vhid's addresses down (on leaving MASTER)."""


@record
class Announce(VipAction):
    """One gratuitous ARP per IPv4 VIP and one unsolicited NA (Override) per IPv6 VIP.

    Sent at once on becoming MASTER and again (`repeat`) with the second advert after that.
    """

    repeat: bool = False


@record
class Transition:
    """A state change, with FreeBSD's reason string (carp.md §8)."""

    vhid: int
    interface: str
    parent: str | None
    old: State
    new: State
    reason: str

    def log_line(self) -> str:
        """`carp: 1@carp0: BACKUP -> MASTER (master timed out)`."""
        return f"carp: {self.vhid}@{self.interface}: {self.old} -> {self.new} ({self.reason})"


@record
class Notify:
    """The devd event of a transition, for hooks: `system=CARP subsystem=1@em0 type=MASTER`."""

    vhid: int
    interface: str
    state: State
    old: State
    reason: str

    @property
    def subsystem(self) -> str:
        return f"{self.vhid}@{self.interface}"

    def devd(self) -> str:
        return f"system=CARP subsystem={self.subsystem} type={self.state}"


@record
class Dropped:
    """An advert the input pipeline rejected; `counter` is the carpstats field bumped.

    counter None: dropped without a counter (carp not allowed, not protocol 112). FreeBSD logs
    these at LOG_DEBUG when net.inet.carp.log >= 2.
    """

    ifname: str
    counter: Counter | None
    #: what was wrong, with a `{}` for each of `args`: filled in only when read (`detail`), so
    #: a flood of junk costs no string per packet
    reason: str
    vhid: int | None = None
    args: tuple[object, ...] = ()

    @property
    def detail(self) -> str:
        return self.reason.format(*self.args) if self.args else self.reason

    def log_line(self) -> str:
        return f"carp: {self.ifname}: {self.detail}"


@record
class Demoted:
    """net.inet.carp.demotion changed by `delta` to `total`."""

    delta: int
    total: int
    reason: str

    def log_line(self) -> str:
        return f"carp: demoted by {self.delta} to {self.total} ({self.reason})"


Action = SendAdvert | AddVips | RemoveVips | Announce | Transition | Notify | Dropped | Demoted
