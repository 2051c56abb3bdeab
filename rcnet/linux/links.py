"""Link events for the daemon: parents going down or up, and things rcnet owns disappearing.

    watcher = LinkWatcher(["fxp0"], owned_links=["carp0", "carp1"])
    watcher.current()                       # {"fxp0": LinkState("fxp0", 2, True, True)}
    watcher.attach(loop, on_event)          # loop.add_reader on the netlink socket
    ...
    watcher.close()

Events, each emitted once per actual change:
- `LinkState(ifname, index, admin_up, carrier)` for a parent whose administrative state
  (IFF_UP) or carrier (IFF_LOWER_UP) changed, or which appeared.
- `LinkRemoved(ifname, index)` for a parent or an owned link that was deleted.
- `AddressRemoved(ifname, address)` for an address carrying rcnet's IFA_PROTO mark that was
  deleted (by someone else, or by rcnet's own teardown: the daemon ignores them while stopping).
- `SourcesChanged(ifname)` when the addresses a parent can send adverts from changed (one came
  or went, or finished DAD): `sources(ifname)` lists them (an IPv6 link-local appears there
  only once DAD is done).

It subscribes to RTNLGRP_LINK and RTNLGRP_IPV4_IFADDR/IPV6_IFADDR. When the kernel drops events
(ENOBUFS) it re-reads every link and reports the differences, so no parent change is lost.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable, Iterable

from rcnet.frozen import record
from rcnet.linux.owned import RCNET_PROTO
from rcnet.linux.rtnl import (
    RTMGRP_IPV4_IFADDR,
    RTMGRP_IPV6_IFADDR,
    RTMGRP_LINK,
    AddrMsg,
    LinkMsg,
    RtnlSocket,
)
from rcnet.model import IPAddress, IPInterface


@record
class LinkState:
    ifname: str
    index: int
    admin_up: bool
    carrier: bool


@record
class LinkRemoved:
    ifname: str
    index: int


@record
class AddressRemoved:
    ifname: str
    address: IPInterface


@record
class SourcesChanged:
    """The addresses a parent could source adverts from changed (one came, went, or finished
    DAD): ask `LinkWatcher.sources(ifname)`."""

    ifname: str


Event = LinkState | LinkRemoved | AddressRemoved | SourcesChanged


class LinkWatcher:
    def __init__(
        self,
        parents: Iterable[str],
        owned_links: Iterable[str] = (),
        *,
        netns: str | None = None,
        timeout: float = 2.0,
    ) -> None:
        self.parents = frozenset(parents)
        self.owned = frozenset(owned_links)
        groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR
        # subscribe before the dump, so no change falls between the two
        self.events = RtnlSocket(groups, netns=netns)
        self.control = RtnlSocket(netns=netns, timeout=timeout)
        try:
            self._setup()
        except BaseException:
            self.events.close()
            self.control.close()
            raise

    def _setup(self) -> None:
        self._names: dict[int, str] = {}
        self._states: dict[str, LinkState] = {}
        #: parent -> its own addresses (not rcnet's VIPs) usable as a source, in kernel order
        self._sources: dict[str, dict[IPAddress, None]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stale = False
        self._resync(emit=False)

    def current(self) -> dict[str, LinkState]:
        """The last known state of each parent that exists."""
        return dict(self._states)

    def fileno(self) -> int:
        return self.events.fileno()

    def _resync(self, emit: bool = True) -> list[Event]:
        links = self.control.dump_links()
        out: list[Event] = []
        seen = set()
        for link in links:
            seen.add(link.name)
            out.extend(self._on_link(link))
        self._names = {link.index: link.name for link in links}
        for name in [n for n in self._states if n not in seen]:
            out.append(LinkRemoved(name, self._states.pop(name).index))
        before, self._sources = self._sources, {}
        for addr in self.control.dump_addrs():
            self._note_source(addr)
        out += [SourcesChanged(p) for p in self.parents if before.get(p) != self._sources.get(p)]
        return out if emit else []

    def sources(self, ifname: str) -> list[IPAddress]:
        """The parent's own addresses usable as an advert's source now (DAD done), in the order
        the kernel lists them."""
        return list(self._sources.get(ifname, {}))

    def _note_source(self, msg: AddrMsg) -> bool:
        """Track a parent's own address; True when its usable set changed."""
        name = self._names.get(msg.index)
        if name is None or name not in self.parents:
            return False
        have = self._sources.setdefault(name, {})
        if msg.deleted or not msg.usable:
            return have.pop(msg.address, 0) is None
        if msg.address in have:
            return False
        have[msg.address] = None
        return True

    def _on_link(self, msg: LinkMsg) -> list[Event]:
        if msg.deleted:
            self._names.pop(msg.index, None)
            if msg.name in self.parents:
                self._states.pop(msg.name, None)
            if msg.name in self.parents or msg.name in self.owned:
                return [LinkRemoved(msg.name, msg.index)]
            return []
        self._names[msg.index] = msg.name
        if msg.name not in self.parents:
            return []
        state = LinkState(msg.name, msg.index, msg.admin_up, msg.carrier)
        if self._states.get(msg.name) == state:
            return []
        self._states[msg.name] = state
        return [state]

    def _on_addr(self, msg: AddrMsg) -> list[Event]:
        out: list[Event] = []
        if self._note_source(msg):
            out.append(SourcesChanged(self._names[msg.index]))
        if not msg.deleted or msg.proto != RCNET_PROTO:
            return out
        ifname = self._names.get(msg.index, f"if{msg.index}")
        interface = ipaddress.ip_interface(f"{msg.address}/{msg.prefixlen}")
        return [*out, AddressRemoved(ifname, interface)]

    def read(self) -> list[Event]:
        """The events pending now (non-blocking)."""
        messages = self.events.read_events()
        if messages is None or self._stale:
            try:
                self._stale = False
                return self._resync()
            except TimeoutError:  # RTNL busy beyond the bound: again with the next event
                self._stale = True
                return []
        out: list[Event] = []
        for msg in messages:
            out.extend(self._on_link(msg) if isinstance(msg, LinkMsg) else self._on_addr(msg))
        return out

    def attach(self, loop: asyncio.AbstractEventLoop, callback: Callable[[Event], None]) -> None:
        def readable() -> None:
            for event in self.read():
                callback(event)

        loop.add_reader(self.fileno(), readable)
        self._loop = loop

    def detach(self) -> None:
        if self._loop is not None:
            self._loop.remove_reader(self.fileno())
            self._loop = None

    def close(self) -> None:
        self.detach()
        self.events.close()
        self.control.close()

    def __enter__(self) -> LinkWatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
