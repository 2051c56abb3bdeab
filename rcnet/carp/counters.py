"""The carpstats counters (the field list FreeBSD, OpenBSD and ucarp share) and their renderings.

`to_json` names them by FreeBSD's libxo keys, as `netstat -s -p carp --libxo json` does, for
`rcnet status --json`; `render` prints `netstat -s -p carp`'s text. Three counters FreeBSD keeps
but never prints (badif, ostates, preempt) get rcnet keys in the same style, and so does rcnet's
own rcvqfull (the kernel's receive-queue drops), printed after netstat's lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

#: carpstats field -> FreeBSD libxo key (usr.bin/netstat/inet.c), then rcnet's for the rest
LIBXO_KEYS: dict[str, str] = {
    "ipackets": "received-inet-packets",
    "ipackets6": "received-inet6-packets",
    "badttl": "dropped-wrong-ttl",
    "hdrops": "dropped-short-header",
    "badsum": "dropped-bad-checksum",
    "badver": "dropped-bad-version",
    "badlen": "dropped-short-packet",
    "badauth": "dropped-bad-authentication",
    "badvhid": "dropped-bad-vhid",
    "badaddrs": "dropped-bad-address-list",
    "opackets": "sent-inet-packets",
    "opackets6": "sent-inet6-packets",
    "onomem": "send-failed-memory-error",
    # Not printed by FreeBSD; OpenBSD's netstat words them "discarded for bad interface" and
    # "transition(s) to master".
    "badif": "dropped-bad-interface",
    "preempt": "transitions-to-master",
    # rcnet's own: packets Linux dropped for a full receive queue (SO_RXQ_OVFL)
    "rcvqfull": "dropped-receive-queue-full",
    "ostates": "sent-state-updates",
}

#: netstat's lines: (field, tabs of indent, text with {n} the value and {s} the plural s)
NETSTAT_TEXT: tuple[tuple[str, int, str], ...] = (
    ("ipackets", 1, "{n} packet{s} received (IPv4)"),
    ("ipackets6", 1, "{n} packet{s} received (IPv6)"),
    ("badttl", 2, "{n} packet{s} discarded for wrong TTL"),
    ("hdrops", 2, "{n} packet{s} shorter than header"),
    ("badsum", 2, "{n} discarded for bad checksum{s}"),
    ("badver", 2, "{n} discarded packet{s} with a bad version"),
    ("badlen", 2, "{n} discarded because packet too short"),
    ("badauth", 2, "{n} discarded for bad authentication"),
    ("badvhid", 2, "{n} discarded for bad vhid"),
    ("badaddrs", 2, "{n} discarded because of a bad address list"),
    ("opackets", 1, "{n} packet{s} sent (IPv4)"),
    ("opackets6", 1, "{n} packet{s} sent (IPv6)"),
    ("onomem", 2, "{n} send failed due to mbuf memory error"),
    ("rcvqfull", 1, "{n} packet{s} dropped for a full receive queue"),
)


class Counter(StrEnum):
    """One carpstats counter (the field names FreeBSD, OpenBSD and ucarp share)."""

    IPACKETS = "ipackets"
    IPACKETS6 = "ipackets6"
    BADIF = "badif"
    BADTTL = "badttl"
    HDROPS = "hdrops"
    BADSUM = "badsum"
    BADVER = "badver"
    BADLEN = "badlen"
    BADAUTH = "badauth"
    BADVHID = "badvhid"
    #: never incremented, as in every kernel
    BADADDRS = "badaddrs"
    OPACKETS = "opackets"
    OPACKETS6 = "opackets6"
    ONOMEM = "onomem"
    #: unused, as in every kernel
    OSTATES = "ostates"
    #: transitions to MASTER (OpenBSD's meaning; FreeBSD never increments it)
    PREEMPT = "preempt"
    #: rcnet's own: dropped by Linux for a full receive queue (the SO_RXQ_OVFL count)
    RCVQFULL = "rcvqfull"


class Counters:
    """struct carpstats: one per host (per VNET in FreeBSD), bumped by the engine. Read one as
    `counters[Counter.BADAUTH]` or `counters.badauth`."""

    __slots__ = ("values",)

    def __init__(self, **initial: int) -> None:
        self.values: dict[Counter, int] = dict.fromkeys(Counter, 0)
        for name, value in initial.items():
            self.values[Counter(name)] = value

    def bump(self, counter: Counter, n: int = 1) -> None:
        self.values[counter] += n

    def __getitem__(self, counter: Counter) -> int:
        return self.values[counter]

    def __getattr__(self, name: str) -> int:
        try:
            return self.values[Counter(name)]
        except ValueError:
            raise AttributeError(name) from None

    def as_dict(self) -> dict[str, int]:
        return {str(c): n for c, n in self.values.items()}

    def to_json(self) -> dict[str, int]:
        """The counters under FreeBSD's libxo keys (rcnet's for the three FreeBSD omits)."""
        values = self.as_dict()
        return {key: values[name] for name, key in LIBXO_KEYS.items()}

    @classmethod
    def from_json(cls, data: dict[str, int]) -> Counters:
        """The counters of a `to_json` answer (a key missing counts 0)."""
        return cls(**{name: int(data.get(key, 0)) for name, key in LIBXO_KEYS.items()})

    def zero(self) -> None:
        """netstat -z."""
        self.values = dict.fromkeys(Counter, 0)

    def render(self, zeros: bool = True) -> str:
        """`netstat -s -p carp` text; `zeros=False` is `-ss` (lines with 0 left out)."""
        return render_json(self.to_json(), zeros)


def render_json(values: Mapping[str, int], zeros: bool = True) -> str:
    """`netstat -s -p carp` text of counters under their libxo keys (a status answer), with
    FreeBSD's plural forms (netstat's plural(): `1 packet received`, `2 packets received`)."""
    lines = ["carp:"]
    for name, indent, text in NETSTAT_TEXT:
        n = int(values.get(LIBXO_KEYS[name], 0))
        if n or zeros:
            lines.append("\t" * indent + text.format(n=n, s="" if n == 1 else "s"))
    return "\n".join(lines) + "\n"


COUNTER_NAMES: frozenset[str] = frozenset(str(c) for c in Counter)
