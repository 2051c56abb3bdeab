"""Doing what the engine asks: frames, the vhid links and their VIPs, logs and hooks.

Order: frames first (adverts, gratuitous ARP / unsolicited NA: microseconds on the parent's
packet socket), then the vhid links (a netlink call that waits for the kernel's RTNL lock, which
any other namespace's link change may hold for 15 ms), then logs and hooks. Within each kind the
engine's order is kept.

A VIP is the kernel's own address only while its vhid is MASTER, as on FreeBSD, where a BACKUP's
carp address has no route (ip_carp.c: carp_delroute on leaving MASTER, carp_addroute on becoming
MASTER). Linux keeps an IPv4 address's local route on a DOWN link, and one added to a DOWN link
gets one: a BACKUP host would answer its own connections to the VIP, never reaching the master.
So after a vhid leaves MASTER (or its link got addresses while not MASTER) the VIPs' routes in
the local table go (`withdraw`); bringing the link up for MASTER restores them in the kernel's
own NETDEV_UP handling (IPv4, and IPv6 routes the kernel itself removed on DOWN), so the
takeover costs no extra message. An IPv6 local route rcnet deleted by hand is not restored by
the kernel: those links are remembered and their routes re-added after the link is up, after
the announcements, off the first frames' path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from rcnet.carp.actions import (
    Action,
    AddVips,
    Announce,
    Demoted,
    Dropped,
    Notify,
    RemoveVips,
    SendAdvert,
    State,
    Transition,
)
from rcnet.carp.engine import CarpError, Engine
from rcnet.daemon.hooks import HookRunner
from rcnet.daemon.stats import VhidStats
from rcnet.journal import NOTICE_LEVEL
from rcnet.linux import owned
from rcnet.linux.rtnl import LinkSwitch
from rcnet.linux.transport import ParentTransport
from rcnet.model import IPAddress, IPInterface

log = logging.getLogger("rcnet")

#: the longest a netlink request may hold the event loop (RTNL is kernel-wide: another
#: namespace's link changes can hold it for tens of milliseconds)
NETLINK_BOUND_S = 0.05
#: a failed link change is tried again after 0.1 s, 0.2 s, 0.3 s, then repaired
RETRY_DELAY_S = 0.1
RETRIES = 3


class Executor:
    """Performs actions on this host's sockets and links. `more` receives the actions the
    engine returns in answer to a send result; `broken` is told a vhid link is missing."""

    def __init__(
        self,
        engine: Engine,
        hooks: HookRunner,
        stats: VhidStats,
        now: Callable[[], int],
        lx: Callable[[str], str],
        more: Callable[[list[Action]], None],
        broken: Callable[[], None],
        later: Callable[[float, Callable[[], None]], object],
    ) -> None:
        self.engine = engine
        self.hooks = hooks
        self.stats = stats
        self.now = now
        self.lx = lx
        self.more = more
        self.broken = broken
        self.later = later
        self.transports: dict[str, ParentTransport] = {}
        self.switch = LinkSwitch(timeout=NETLINK_BOUND_S)
        #: link -> failed attempts in a row to bring it to its vhid's state (retried later)
        self.retries: dict[str, int] = {}
        #: (vhid, interface) -> the Linux name of its macvlan
        self.macvlans: dict[tuple[int, str], str] = {}
        #: the namespace checks packets' sources in the FIB (check_sources_in_fib)
        self.checked_sources = False
        #: links whose IPv6 local routes rcnet deleted (the kernel will not restore them on up)
        self.withdrawn6: set[str] = set()
        #: vhids whose last advert could not be sent (logged once per run of failures)
        self.send_failing: set[int] = set()
        #: (vhid, parent, family) whose adverts wait for a source address (logged once)
        self.waiting: set[tuple[int, str, int]] = set()

    def perform(self, actions: Iterable[Action]) -> None:
        frames: list[Action] = []
        links: list[Action] = []
        others: list[Action] = []
        for action in actions:
            if isinstance(action, SendAdvert | Announce):
                frames.append(action)
            elif isinstance(action, AddVips | RemoveVips):
                links.append(action)
            else:
                others.append(action)
        for action in [*frames, *links, *others] if links or others else frames:
            if isinstance(action, SendAdvert):
                self.send(action)
            elif isinstance(action, AddVips | RemoveVips):
                self.vips(action)
            elif isinstance(action, Announce):
                self.announce(action)
            elif isinstance(action, Transition):
                self.stats.transition(action.vhid, action.interface, action.reason)
                if self.engine.ctx.log >= 1:
                    log.log(NOTICE_LEVEL, "%s", action.log_line())
            elif isinstance(action, Notify):
                self.hooks.notify(action.subsystem, str(action.state))
            elif isinstance(action, Dropped):
                self.stats.dropped(action.vhid, action.counter)
                if self.engine.ctx.log >= 2:
                    log.info("%s", action.log_line())
            elif isinstance(action, Demoted):
                log.info("%s", action.log_line())

    # -- the vhid links and their VIPs ------------------------------------------------------------

    def vips(self, action: AddVips | RemoveVips) -> None:
        name = self.macvlans.get((action.vhid, action.interface))
        if name is None:
            return
        master = isinstance(action, AddVips)
        if not self.switch_link(name, master):
            return  # retried later, VIPs with it
        if master:
            self.restore(name, action.addresses)
        else:
            self.withdraw(name, action.addresses)

    def switch_link(self, name: str, up: bool) -> bool:
        """`ip link set NAME up|down` within NETLINK_BOUND_S. On failure (RTNL held by another
        namespace, or a link re-created by a repair under a new index, which the switch then
        looks up again) the link is brought to its vhid's state again a little later, from the
        loop, never by waiting here; after RETRIES failures in a row it is repaired."""
        try:
            self.switch.set_up(name, up)
        except OSError as exc:
            tries = self.retries.get(name, 0) + 1
            self.retries[name] = tries
            if tries > RETRIES:
                del self.retries[name]
                log.error("rcnet: %s", exc.strerror or exc)
                self.broken()
            else:
                log.debug("rcnet: %s; retrying", exc.strerror or exc)
                self.later(RETRY_DELAY_S * tries, lambda: self.assert_links({name}))
            return False
        self.retries.pop(name, None)
        return True

    def withdraw(self, name: str, addresses: Iterable[IPInterface]) -> None:
        """The VIPs stop being the kernel's own addresses (their local routes go)."""
        for vip in addresses:
            try:
                if vip.version == 4 and not self.checked_sources:
                    self.check_sources_in_fib(name, vip.ip)
                if self.switch.local_route(name, vip.ip, False) and vip.version == 6:
                    self.withdrawn6.add(name)
            except OSError as exc:
                log.warning("rcnet: %s", exc.strerror or exc)

    def check_sources_in_fib(self, name: str, vip: IPAddress) -> None:
        """Linux takes an IPv4 packet whose source is any address configured on the host for
        a martian and drops it (fib_validate_source: inet_lookup_ifaddr_rcu), unless the
        namespace has custom local routes: then the check looks the source up in the FIB, where
        a BACKUP's VIP is no longer local, and the master's answers from the VIP come in. The
        kernel sets that mark (fib_has_custom_local_routes, never cleared) on the first local
        route a user adds: one in rcnet's own table, removed at once, sets it."""
        self.switch.local_route(name, vip, True, table=owned.RCNET_PROTO)
        self.switch.local_route(name, vip, False, table=owned.RCNET_PROTO)
        self.checked_sources = True

    def restore(self, name: str, addresses: Iterable[IPInterface]) -> None:
        """After the link is up: the IPv6 local routes the kernel does not restore itself."""
        if name not in self.withdrawn6:
            return
        self.withdrawn6.discard(name)
        for vip in addresses:
            if vip.version == 6:
                try:
                    self.switch.local_route(name, vip.ip, True)
                except OSError as exc:
                    log.warning("rcnet: %s", exc.strerror or exc)

    def assert_links(self, only: set[str] | None = None) -> None:
        """Every vhid's link (or those named) as its state wants it: up with its VIPs local
        only while MASTER (after start, a reload or a repair added links or addresses)."""
        for st in self.engine.status():
            name = self.macvlans.get((st.vhid, st.interface))
            if name is None or (only is not None and name not in only):
                continue
            master = st.state is State.MASTER
            if not self.switch_link(name, master):
                continue
            if master:
                self.restore(name, st.addresses)
            else:
                self.withdraw(name, st.addresses)

    # -- frames -----------------------------------------------------------------------------------

    def send(self, action: SendAdvert) -> None:
        if action.src is None:
            key = (action.vhid, action.parent, action.family)
            # no address of that family on the parent yet (an IPv6 link-local under DAD): the
            # advert waits for one, as the vhid cannot speak without; not a send error
            if key not in self.waiting:
                self.waiting.add(key)
                log.info(
                    "rcnet: vhid %d: waiting for an IPv%d address on %s to send from",
                    action.vhid,
                    action.family,
                    action.parent,
                )
            return
        if self.waiting:  # (the sets are empty but for a failure: nothing to do per advert)
            self.waiting.discard((action.vhid, action.parent, action.family))
        transport = self.transports.get(self.lx(action.parent))
        ok = False
        if transport is None:
            log.error("rcnet: vhid %d: no socket on %s", action.vhid, action.parent)
        else:
            try:
                transport.send_advert(
                    action.vhid,
                    action.src,
                    action.payload,
                    peer=None if action.multicast else action.dst,
                    tos=action.tos,
                )
                ok = True
                if self.send_failing:
                    self.send_failing.discard(action.vhid)
                self.stats.advert_sent(action.vhid, action.interface)
            except OSError as exc:
                if action.vhid not in self.send_failing:  # once per run of failures
                    log.error("rcnet: vhid %d: send failed: %s", action.vhid, exc)
                self.send_failing.add(action.vhid)
        try:
            more = self.engine.send_result(action.interface, action.vhid, ok, self.now())
        except CarpError:
            return  # the bow-out of a vhid a reload removed: the engine keeps no count for it
        if more:
            self.more(more)

    def announce(self, action: Announce) -> None:
        transport = self.transports.get(self.lx(action.parent))
        if transport is None:
            return
        try:
            transport.announce(action.vhid, [a.ip for a in action.addresses])
        except OSError as exc:
            log.warning("rcnet: vhid %d: announcement failed: %s", action.vhid, exc)

    def close(self) -> None:
        for transport in self.transports.values():
            transport.close()
        self.transports.clear()
        self.switch.close()
