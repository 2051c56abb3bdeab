"""One host's CARP: its vhids, the input pipeline, demotion and the sysctls, sans-IO.

The API follows aioquic: every call takes `now` (integer microseconds, see `timing`) and returns
the actions to perform (`actions`); `next_timer()` says when `handle_timer(now)` is due. The
simulator and the Linux daemon drive the same object; nothing here reads a clock or a socket.

The input pipeline keeps FreeBSD-modern's order, and every rejection bumps one named counter
(carp.md §4.2): allow -> length >= 8 (badlen) -> version 2 or 3 (badver) -> full length (badlen)
-> checksum (badsum) -> vhid among those on the receiving interface with an address of the
packet's family (badvhid; vhid 0 from one of our own addresses: badif) -> vhid mode (badver) ->
TTL 255, only for multicast (badttl) -> HMAC (badauth) -> adopt counter -> state logic.

Demotion is host-wide, as FreeBSD's per-VNET integer: writing `demotion` adds; a parent going
down adds `ifdown_demotion_factor` once per vhid on it (reverted when it comes back); three
consecutive send errors of a vhid add `senderr_demotion_factor` (reverted after three
successes). Every change makes each MASTER advertise at once.
"""

from __future__ import annotations

import heapq
import random
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from rcnet.carp import packet, reload, wire
from rcnet.carp.actions import Action, Demoted, Dropped, State
from rcnet.carp.counters import Counter, Counters
from rcnet.carp.status import VhidStatus
from rcnet.carp.transitions import Event
from rcnet.carp.vhost import HostContext, VHost
from rcnet.model import CARP_SYSCTLS, CarpSysctls, Host, IPAddress

#: sysctl names under net.inet.carp. (model.CarpSysctls' fields)
SYSCTL_NAMES: tuple[str, ...] = CARP_SYSCTLS
SYSCTL_PREFIX = "net.inet.carp."


class CarpError(ValueError):
    """A control request the engine cannot apply (unknown sysctl, interface or vhid)."""


class Engine:
    """The CARP engine of one host: every vhid of `host`, sharing counters and sysctls.

    `rng` seeds the replay counters (pass a seeded `random.Random` for determinism). Create,
    optionally set link/admin states, then `start(now)`.
    """

    def __init__(
        self, host: Host, rng: random.Random, now: int, *, sysctls: CarpSysctls | None = None
    ) -> None:
        s = sysctls or host.sysctls
        self.host = host
        # HostContext has a field of each sysctl's name (and its own state besides)
        self.ctx = HostContext(**cast(dict[str, Any], s.to_json()))
        self.rng = rng
        self.vhosts: list[VHost] = [VHost(v, self.ctx, rng, now) for v in host.vhids]
        self.running = False
        #: parent interface -> link usable (IFF_UP and carrier); unknown names count as up
        self.links: dict[str, bool] = {i.name: i.up for i in host.interfaces if not i.cloned}
        self._on_parent: dict[str, list[VHost]] = defaultdict(list)
        self._by_vhid: dict[tuple[str, int], list[VHost]] = defaultdict(list)
        self._order: dict[VHost, int] = {}
        #: (parent, vhid, family) -> the vhid an advert received there is for
        self._by_input: dict[tuple[str, int, int], VHost] = {}
        self.reindex()
        for vh in self.vhosts:
            own = host.interface(vh.cfg.interface)
            if vh.cfg.legacy and own is not None:
                vh.admin_up = own.up
            for fam in (4, 6):
                vh.src[fam] = self.parent_address(vh.cfg.parent, fam)

    def reindex(self) -> None:
        """Rebuild the lookups by parent and by (interface or parent, vhid), and the heap of
        wake-ups, after `vhosts` changed: every packet and every control request goes through
        them."""
        self._order = {vh: i for i, vh in enumerate(self.vhosts)}
        self.ctx.wakeups.clear()
        for vh in self.vhosts:
            vh.schedule()
        self._on_parent = defaultdict(list)
        self._by_vhid = defaultdict(list)
        self._by_input = {}
        for vh in reversed(self.vhosts):  # the first of a (parent, vhid, family) wins
            for fam in vh.families:
                if vh.cfg.parent is not None:
                    self._by_input[(vh.cfg.parent, vh.cfg.vhid, fam)] = vh
        for vh in self.vhosts:
            if vh.cfg.parent is not None:
                self._on_parent[vh.cfg.parent].append(vh)
            for name in {vh.cfg.interface, vh.cfg.parent}:
                if name is not None:
                    self._by_vhid[(name, vh.cfg.vhid)].append(vh)

    @property
    def counters(self) -> Counters:
        return self.ctx.counters

    def parent_address(self, parent: str | None, family: int) -> IPAddress | None:
        """FreeBSD-10+ sources adverts from the parent's own (non-CARP) address."""
        iface = self.host.interface(parent) if parent else None
        if iface is None:
            return None
        for a in iface.addresses:
            if a.vhid is None and a.address.version == family:
                return a.address
        return None

    # --- life cycle ------------------------------------------------------------------------

    def start(self, now: int) -> list[Action]:
        """Run every vhid: INIT -> BACKUP where the preconditions hold, then forced states."""
        self.running = True
        out: list[Action] = []
        for vh in self.vhosts:
            vh.hw_up = self.hw_ok(vh)
            vh.since = now
            out += vh.fire(Event.SETRUN, now)
        for vh in self.vhosts:
            if vh.cfg.state == "master":
                out += vh.fire(Event.FORCE_MASTER, now)
        return out

    def stop(self, now: int) -> list[Action]:
        """Graceful stop: every MASTER bows out, every vhid goes INIT; the engine goes quiet."""
        out: list[Action] = []
        for vh in self.vhosts:
            out += vh.fire(Event.STOP, now)
        self.running = False
        return out

    def reconfigure(self, host: Host, now: int) -> list[Action]:
        """Bring the engine to `host`'s vhids as FreeBSD's live ifconfig would (a reload):
        `reload.apply`."""
        return reload.apply(self, host, now)

    # --- timers ----------------------------------------------------------------------------

    def next_timer(self) -> int | None:
        if not self.running:
            return None
        heap = self.ctx.wakeups
        while heap:
            due, _, vh = heap[0]
            if vh.next_deadline() == due:
                return due
            heapq.heappop(heap)  # stale: that vhid's deadline moved or was cleared since
        return None

    def handle_timer(self, now: int) -> list[Action]:
        """Run the vhids whose deadline has come, in configuration order."""
        if not self.running:
            return []
        heap = self.ctx.wakeups
        due: set[VHost] = set()
        while heap and heap[0][0] <= now:
            due.add(heapq.heappop(heap)[2])
        out: list[Action] = []
        order = self._order  # a vhid a reload removed is no longer run
        for vh in sorted((v for v in due if v in order), key=order.__getitem__):
            out += vh.on_timer(now)  # sets (and pushes) the vhid's next deadline
        return out

    # --- input -------------------------------------------------------------------------------

    def handle_ip_packet(self, ifname: str, data: bytes, now: int) -> list[Action]:
        """A whole IPv4/IPv6 packet as a raw socket returns it."""
        if not self.running:
            return []
        try:
            ip = packet.parse_ip(data)
        except wire.WireError as exc:
            self.counters.bump(Counter.HDROPS)
            return [Dropped(ifname, Counter.HDROPS, str(exc))]
        if ip.proto != wire.IPPROTO_CARP:
            return [Dropped(ifname, None, f"protocol {ip.proto}, not {wire.IPPROTO_CARP}")]
        return self.handle_packet(ifname, ip.src, ip.dst, ip.ttl, ip.payload, now)

    def count_queue_drops(self, n: int) -> None:
        """Packets the kernel dropped because the receive socket's queue was full."""
        self.counters.bump(Counter.RCVQFULL, n)

    def handle_packet(
        self, ifname: str, src: IPAddress, dst: IPAddress, ttl: int, payload: bytes, now: int
    ) -> list[Action]:
        """One advert (the IP payload) received on the physical interface `ifname`."""
        if not self.running:
            return []
        family = src.version
        self.counters.values[Counter.IPACKETS if family == 4 else Counter.IPACKETS6] += 1
        if self.ctx.allow != 1:
            return [Dropped(ifname, None, "carp is not allowed (net.inet.carp.allow=0)")]
        if family == 6 and not self._on_parent.get(ifname):
            return self._drop(
                ifname, Counter.BADIF, "IPv6 advert on {}, which has no vhid", None, ifname
            )
        verdict = wire.check_header(payload, src, dst, family)
        if verdict is not None:
            failed, reason, args = verdict
            return self._drop(ifname, failed, reason, None, *args)
        version, vhid = payload[0] >> 4, payload[1]
        vh = self._by_input.get((ifname, vhid, family))
        if vh is None:
            if vhid == 0 and src in self._carp_addresses(self._on_parent.get(ifname, [])):
                return self._drop(ifname, Counter.BADIF, "vhid 0 advert from our own {}", None, src)
            return self._drop(
                ifname, Counter.BADVHID, "no vhid {} on {} for IPv{}", None, vhid, ifname, family
            )
        if vh.cfg.version != version:
            return self._drop(
                ifname,
                Counter.BADVER,
                "version {} advert for vhid {} in version {} mode",
                vhid,
                *(version, vhid, vh.cfg.version),
            )
        peer = vh.cfg.peer if family == 4 else vh.cfg.peer6
        if ttl != wire.CARP_TTL and (version == 3 or peer is None):
            return self._drop(
                ifname, Counter.BADTTL, "TTL {} from {}, vhid {}", vhid, ttl, src, vhid
            )
        if version == 3:
            return vh.on_vrrp(wire.decode_vrrp(payload, family), src, family, now)
        advbase, advskew, counter, md = wire.carp_fields(payload)
        if not vh.auth.verify(counter, md):
            return self._drop(
                ifname, Counter.BADAUTH, "bad authentication from {}, vhid {}", vhid, src, vhid
            )
        vh.adopt_counter(counter)
        return vh.on_carp(advbase, advskew, family, now)

    @staticmethod
    def _carp_addresses(vhosts: Iterable[VHost]) -> set[IPAddress]:
        return {a.ip for vh in vhosts for a in vh.cfg.addresses}

    def _drop(
        self, ifname: str, counter: Counter, reason: str, vhid: int | None, *args: object
    ) -> list[Action]:
        """Bump `counter` and say why (`reason` formatted with `args` only if logged)."""
        self.counters.values[counter] += 1
        return [Dropped(ifname, counter, reason, vhid, args)]

    # --- links, ifconfig, sysctls --------------------------------------------------------------

    def hw_ok(self, vh: VHost) -> bool:
        parent = vh.cfg.parent
        return parent is not None and self.links.get(parent, True) and self.ctx.allow == 1

    def _refresh_hw(self, vh: VHost, now: int) -> list[Action]:
        """carp_sc_state: follow the parent's state and `allow`, demoting while down."""
        hw = self.hw_ok(vh)
        if hw == vh.hw_up:
            return []
        vh.hw_up = hw
        if not hw:
            out = vh.fire(Event.HW_DOWN, now)
            if not vh.ifdown_demotion and self.ctx.ifdown_demotion_factor:
                vh.ifdown_demotion = self.ctx.ifdown_demotion_factor
                out += self._demote(vh.ifdown_demotion, "interface down", now)
            return out
        out = vh.fire(Event.HW_UP, now)
        added, vh.ifdown_demotion = vh.ifdown_demotion, 0
        return out + self._demote(-added, "interface up", now)

    def _demote(self, delta: int, reason: str, now: int) -> list[Action]:
        if delta == 0:
            return []
        self.ctx.demotion += delta
        out: list[Action] = [Demoted(delta, self.ctx.demotion, reason)]
        if self.running:
            for vh in self.vhosts:
                if vh.state is State.MASTER:
                    out += vh.send_adverts(now)
        return out

    def link_changed(self, ifname: str, up: bool, now: int) -> list[Action]:
        """The physical interface `ifname` lost or regained its link (or IFF_UP)."""
        self.links[ifname] = up
        if not self.running:
            return []
        out: list[Action] = []
        for vh in self._on_parent.get(ifname, []):
            out += self._refresh_hw(vh, now)
        return out

    def _targets(self, ifname: str) -> list[VHost]:
        """The vhids `ifconfig IF ...` acts on: those named by IF, else those running on IF."""
        named = [vh for vh in self.vhosts if vh.cfg.interface == ifname]
        found = named or self._on_parent.get(ifname, [])
        if not found:
            raise CarpError(f"{ifname}: no vhid on this interface")
        return list(found)

    def admin_down(self, ifname: str, now: int) -> list[Action]:
        """`ifconfig carp0 down`: a MASTER bows out, then INIT ("user requested via ifconfig")."""
        out: list[Action] = []
        for vh in self._targets(ifname):
            if vh.admin_up:
                vh.admin_up = False
                out += vh.fire(Event.ADMIN_DOWN, now) if self.running else []
        return out

    def admin_up(self, ifname: str, now: int) -> list[Action]:
        """`ifconfig carp0 up`: rejoin via BACKUP with a full master-down wait."""
        out: list[Action] = []
        for vh in self._targets(ifname):
            if not vh.admin_up:
                vh.admin_up = True
                out += vh.fire(Event.ADMIN_UP, now) if self.running else []
        return out

    def find(self, ifname: str, vhid: int) -> VHost:
        found = self._by_vhid.get((ifname, vhid))
        if found:
            return found[0]
        raise CarpError(f"{ifname}: no vhid {vhid}")

    def force_state(self, ifname: str, vhid: int, state: str | State, now: int) -> list[Action]:
        """`ifconfig IF vhid N state master|backup`; ignored in INIT."""
        name = state.name if isinstance(state, State) else state.upper()
        events = {"MASTER": Event.FORCE_MASTER, "BACKUP": Event.FORCE_BACKUP}
        if name not in events:
            raise CarpError(f"state {str(state).lower()}: must be master or backup")
        vh = self.find(ifname, vhid)
        return vh.fire(events[name], now) if self.running else []

    def send_result(self, interface: str, vhid: int, ok: bool, now: int) -> list[Action]:
        """Report whether a SendAdvert went out; 3 errors in a row demote, 3 successes undo."""
        vh = self.find(interface, vhid)
        delta = vh.record_send(ok)
        if not delta:
            return []
        return self._demote(delta, "send error" if delta > 0 else "send ok", now)

    def set_sources(self, ifname: str, addresses: Iterable[IPAddress]) -> None:
        """The addresses parent `ifname` has now (usable as a source): adverts leave from its
        preferred one per family (carp_best_ifa): the configured address when present, else
        the first global, else the link-local; none yet (an IPv6 link-local still under DAD):
        the vhid's adverts of that family wait (SendAdvert.src None)."""
        have = list(addresses)
        for family in (4, 6):
            mine = [a for a in have if a.version == family]
            configured = self.parent_address(ifname, family)
            if configured in mine:
                best: IPAddress | None = configured
            else:
                best = next((a for a in mine if not a.is_link_local), mine[0] if mine else None)
            for vh in self._on_parent.get(ifname, []):
                vh.src[family] = best

    @staticmethod
    def sysctl_name(name: str) -> str:
        short = name.removeprefix(SYSCTL_PREFIX)
        if short not in SYSCTL_NAMES:
            raise CarpError(f"unknown oid '{name}'")
        return short

    def sysctl(self, name: str) -> int:
        value: int = getattr(self.ctx, self.sysctl_name(name))
        return value

    def sysctls(self) -> dict[str, int]:
        return {SYSCTL_PREFIX + n: self.sysctl(n) for n in SYSCTL_NAMES}

    def set_sysctl(self, name: str, value: int, now: int) -> list[Action]:
        """FreeBSD's meanings: `demotion` adds `value`; `allow` 0 puts every vhid in INIT."""
        short = self.sysctl_name(name)
        if short == "demotion":
            return self._demote(value, "sysctl", now)
        if short == "dscp" and not 0 <= value <= 63:
            raise CarpError(f"{SYSCTL_PREFIX}dscp: {value} is not in 0-63")
        if short == "allow":
            value = 1 if value else 0
        setattr(self.ctx, short, value)
        if short != "allow" or not self.running:
            return []
        out: list[Action] = []
        for vh in self.vhosts:
            out += self._refresh_hw(vh, now)
        return out

    # --- status --------------------------------------------------------------------------------

    def status(self) -> list[VhidStatus]:
        return [vh.status() for vh in self.vhosts]
