"""One vhid's state machine: INIT / BACKUP / MASTER, as FreeBSD 10+ runs it (carp.md §4).

Rules this module keeps:
- The transitions are the table `transitions.TRANSITIONS` ((state, event) -> rule); the code
  decides which event happened (guards on advert timing, preempt, forced state) and then
  consults the table. An event with no row for the current state changes nothing.
- INIT -> BACKUP needs the `setrun` preconditions: a parent, parent up with link, the vhid's
  interface administratively up, at least one address, net.inet.carp.allow=1.
- Entering MASTER: addresses up, one advert per family at once, one announcement round (and a
  second with the second advert after that), advert timer armed. Leaving MASTER: addresses down.
  Entering BACKUP: the master-down timer of each family armed. Entering INIT: no timers.
- A MASTER going down on request (ifconfig down, graceful stop) first sends the bow-out advert
  (advbase 255, advskew 255; VRRPv3: priority 0).
- Comparisons use exact microseconds (`timing`); our advert interval uses the demoted skew,
  our master-down interval the configured one.

The vhost never touches host-wide policy (demotion bookkeeping, the input pipeline): the
engine does, through the `HostContext` it shares with every vhost of the host.
"""

from __future__ import annotations

import heapq
import ipaddress
import itertools
import random
from dataclasses import dataclass, field

from rcnet.carp import timing, wire
from rcnet.carp.actions import (
    Action,
    AddVips,
    Announce,
    Notify,
    RemoveVips,
    SendAdvert,
    State,
    Transition,
)
from rcnet.carp.counters import Counter, Counters
from rcnet.carp.packet import DEFAULT_DSCP, virtual_mac
from rcnet.carp.status import VhidStatus
from rcnet.carp.transitions import TRANSITIONS, Event
from rcnet.model import IPAddress, IPInterface, Vhid

_COUNTER_MASK = (1 << 64) - 1
_OPACKETS = {4: Counter.OPACKETS, 6: Counter.OPACKETS6}
#: announcements go out at once and again with the 2nd advert after becoming MASTER
_ANNOUNCE_AGAIN_AFTER = 2


@dataclass
class HostContext:
    """What every vhost of one host shares: the sysctls (net.inet.carp.*) and the counters."""

    allow: int = 1
    preempt: int = 0
    log: int = 1
    demotion: int = 0
    ifdown_demotion_factor: int = 240
    senderr_demotion_factor: int = 240
    dscp: int = DEFAULT_DSCP
    counters: Counters = field(default_factory=Counters)
    #: (deadline, tie-breaker, vhost) for every deadline a vhost set: a heap the engine reads
    #: lazily (an entry whose vhost's deadline moved since is stale and skipped), so the next
    #: timer costs O(log n) after a packet instead of a walk over every vhid
    wakeups: list[tuple[int, int, VHost]] = field(default_factory=list)


_WAKEUP_SEQ = itertools.count()


class VHost:
    """The state machine of one vhid on one host."""

    def __init__(self, cfg: Vhid, ctx: HostContext, rng: random.Random, now: int) -> None:
        self.ctx = ctx
        self.state = State.INIT
        self.since = now
        self._derive(cfg)
        # FreeBSD seeds the replay counter randomly and pre-increments it per advert sent.
        self.counter = rng.getrandbits(64)
        self.md_deadline: dict[int, int | None] = {4: None, 6: None}
        self.ad_deadline: int | None = None
        self.announce_countdown = 0
        #: the vhid's interface is administratively up (legacy carpN up, or not `ifconfig down`)
        self.admin_up = True
        #: parent up with link and carp allowed: maintained by the engine
        self.hw_up = True
        #: demotion this vhid added for its parent going down (reverted exactly)
        self.ifdown_demotion = 0
        self.senderr_errors = 0
        self.senderr_successes = 0
        self.senderr_demotion = 0
        #: VRRPv3 Master_Adver_Interval (cs): the master's, learnt from its adverts
        self.vrrp_master_interval = cfg.vrrp_interval
        self.src: dict[int, IPAddress | None] = {4: None, 6: None}

    def _derive(self, cfg: Vhid) -> None:
        """Every field that follows from the configuration alone."""
        self.cfg = cfg
        self.mac = virtual_mac(cfg.vhid)
        ips: list[IPAddress] = [a.ip for a in cfg.addresses]
        self.auth = wire.CarpAuth(cfg.key, cfg.vhid, ips)
        self.adverts = wire.CarpAdverts(self.auth, cfg.vhid)
        self.families: tuple[int, ...] = tuple(
            f for f in (4, 6) if any(a.version == f for a in ips)
        )
        #: family -> where its adverts go and whether that is a multicast group: the group,
        #: or the unicast `peer`/`peer6` of a CARP vhid (VRRPv3 is multicast only)
        self.dst: dict[int, tuple[IPAddress, bool]] = {}
        for fam, group, peer in ((4, wire.CARP_GROUP4, cfg.peer), (6, wire.CARP_GROUP6, cfg.peer6)):
            to = group if cfg.version == 3 or peer is None else peer
            self.dst[fam] = (to, to.is_multicast)

    def reconfigure(self, cfg: Vhid, now: int) -> list[Action]:
        """`ifconfig` changing a running vhid in place (same vhid, interface and parent): the
        state is kept, as FreeBSD's SIOCSVH/SIOCAIFADDR do, and carp_setrun runs again: a
        BACKUP re-arms the master-down timer of each family it still has (a family that left
        has no timer: its deadline would fire a false takeover), a MASTER its advert timer with
        the new interval. A MASTER whose addresses changed announces them. No transition."""
        if cfg == self.cfg:
            return []
        old = self.cfg
        self._derive(cfg)
        if cfg.vrrp_interval != old.vrrp_interval:
            self.vrrp_master_interval = cfg.vrrp_interval
        for fam in (4, 6):
            if fam not in self.families:
                self.md_deadline[fam] = None
        out: list[Action] = []
        if self.state is State.BACKUP:
            self.arm_master_down(now)
        elif self.state is State.MASTER:
            timing_of = (old.advbase, old.advskew, old.version, old.vrrp_interval)
            if timing_of != (cfg.advbase, cfg.advskew, cfg.version, cfg.vrrp_interval):
                self.ad_deadline = now + self.advert_interval()
                self.schedule()
            if cfg.addresses != old.addresses:
                out.append(AddVips(*self._vip_fields()))
                out.append(Announce(*self._vip_fields()))
        return out

    # --- queries ---------------------------------------------------------------------------

    @property
    def key(self) -> tuple[str, int]:
        return (self.cfg.interface, self.cfg.vhid)

    def can_run(self) -> bool:
        """carp_setrun's preconditions."""
        return (
            self.cfg.parent is not None
            and self.hw_up
            and self.admin_up
            and bool(self.families)
            and self.ctx.allow == 1
        )

    def schedule(self) -> None:
        """Tell the engine's heap of wake-ups about this vhid's (new) next deadline."""
        due = self.next_deadline()
        if due is not None:
            heapq.heappush(self.ctx.wakeups, (due, next(_WAKEUP_SEQ), self))

    def next_deadline(self) -> int | None:
        best = self.ad_deadline
        for d in self.md_deadline.values():
            if d is not None and (best is None or d < best):
                best = d
        return best

    def eff_skew(self) -> int:
        return timing.effective_skew(self.cfg.advskew, self.ctx.demotion)

    def advert_interval(self, skew: int | None = None) -> int:
        """How often this vhid advertises as MASTER; `skew`: eff_skew(), if the caller has it."""
        if self.cfg.version == 3:
            return self.cfg.vrrp_interval * timing.US_PER_CS
        return timing.tv(self.cfg.advbase, self.eff_skew() if skew is None else skew)

    def master_down_interval(self) -> int:
        if self.cfg.version == 3:
            if self.cfg.vrrp_prio >= 255:  # the address owner does not wait (RFC 5798 §6.4.1)
                return 0
            return timing.vrrp_master_down_interval(self.vrrp_master_interval, self.cfg.vrrp_prio)
        return timing.master_down_interval(self.cfg.advbase, self.cfg.advskew)

    def status(self) -> VhidStatus:
        c = self.cfg
        return VhidStatus(
            vhid=c.vhid,
            interface=c.interface,
            parent=c.parent,
            state=self.state,
            advbase=c.advbase,
            advskew=c.advskew,
            addresses=c.addresses,
            since=self.since,
            version=c.version,
            vrrp_prio=c.vrrp_prio,
            vrrp_interval=c.vrrp_interval,
            peer=c.peer,
            peer6=c.peer6,
        )

    # --- the transition table --------------------------------------------------------------

    def fire(self, event: Event, now: int) -> list[Action]:
        """Apply `event` through TRANSITIONS; no row (or unmet preconditions): no change."""
        rule = TRANSITIONS.get((self.state, event))
        if rule is None:
            return []
        if self.state is State.INIT and rule.to is State.BACKUP and not self.can_run():
            return []
        out: list[Action] = []
        if rule.bow_out and self.state is State.MASTER:
            out += self.send_adverts(now, bow_out=True)
        old, self.state, self.since = self.state, rule.to, now
        out.append(
            Transition(
                self.cfg.vhid, self.cfg.interface, self.cfg.parent, old, rule.to, rule.reason
            )
        )
        out.append(Notify(self.cfg.vhid, self.cfg.interface, rule.to, old, rule.reason))
        if old is State.MASTER:
            out.append(RemoveVips(*self._vip_fields()))
        if rule.to is State.MASTER:
            out += self._enter_master(now)
        elif rule.to is State.BACKUP:
            self._enter_backup(now)
        else:
            self.ad_deadline = None
            self.md_deadline = {4: None, 6: None}
        return out

    def _vip_fields(self) -> tuple[int, str, str, tuple[IPInterface, ...], bytes]:
        return (
            self.cfg.vhid,
            self.cfg.interface,
            self.cfg.parent or "",
            self.cfg.addresses,
            self.mac,
        )

    def _enter_master(self, now: int) -> list[Action]:
        self.ctx.counters.bump(Counter.PREEMPT)
        self.md_deadline = {4: None, 6: None}
        self.announce_countdown = _ANNOUNCE_AGAIN_AFTER
        out: list[Action] = [AddVips(*self._vip_fields())]
        out += self.send_adverts(now)
        out.append(Announce(*self._vip_fields()))
        return out

    def _enter_backup(self, now: int) -> None:
        self.ad_deadline = None
        self.vrrp_master_interval = self.cfg.vrrp_interval
        self.arm_master_down(now)

    def arm_master_down(
        self, now: int, family: int | None = None, interval: int | None = None
    ) -> None:
        wait = self.master_down_interval() if interval is None else interval
        for fam in self.families if family is None else (family,):
            if fam in self.families:
                self.md_deadline[fam] = now + wait
        self.schedule()

    # --- sending -----------------------------------------------------------------------------

    def send_adverts(self, now: int, bow_out: bool = False) -> list[Action]:
        """One advert per address family; a MASTER's timer is rearmed unless bowing out."""
        skew = self.eff_skew()
        out: list[Action] = [self._advert(fam, bow_out, skew) for fam in self.families]
        if bow_out:
            return out
        self.ad_deadline = now + self.advert_interval(skew)
        self.schedule()
        if self.announce_countdown > 0:
            self.announce_countdown -= 1
            if self.announce_countdown == 0:
                out.append(Announce(*self._vip_fields(), repeat=True))
        return out

    def _advert(self, family: int, bow_out: bool, skew: int) -> SendAdvert:
        """One advert of `family`; `skew` is the effective (demoted) advskew."""
        c = self.cfg
        dst, multicast = self.dst[family]
        src = self.src[family]
        if c.version == 3:
            csum_src = src or ipaddress.ip_address("0.0.0.0" if family == 4 else "::")
            prio = 0 if bow_out else c.vrrp_prio
            payload = wire.build_vrrp(
                c.vhid, prio, c.vrrp_interval, (a.ip for a in c.addresses), csum_src, dst
            )
        else:
            self.counter = (self.counter + 1) & _COUNTER_MASK
            base, skew = (wire.BOW_OUT, wire.BOW_OUT) if bow_out else (c.advbase, skew)
            payload = self.adverts.build(base, skew, self.counter)
        self.ctx.counters.bump(_OPACKETS[family])
        tos = (self.ctx.dscp << 2) & 0xFF
        # positional (vhid, interface, parent, family, src, dst, payload, multicast, tos,
        # bow_out): this runs for every advert
        return SendAdvert(
            c.vhid, c.interface, c.parent or "", family, src, dst, payload, multicast, tos, bow_out
        )

    def record_send(self, ok: bool) -> int:
        """carp_send_ad_error: the demotion change (0, +factor or -what was added)."""
        if not ok:
            self.senderr_successes = 0
            self.senderr_errors += 1
            if self.senderr_errors == 3 and not self.senderr_demotion:
                self.senderr_demotion = self.ctx.senderr_demotion_factor
                return self.senderr_demotion
            return 0
        if self.senderr_errors == 0:
            return 0
        self.senderr_successes += 1
        if self.senderr_successes < 3:
            return 0
        self.senderr_errors = self.senderr_successes = 0
        added, self.senderr_demotion = self.senderr_demotion, 0
        return -added

    # --- timers ------------------------------------------------------------------------------

    def on_timer(self, now: int) -> list[Action]:
        if self.state is State.MASTER and self.ad_deadline is not None and self.ad_deadline <= now:
            return self.send_adverts(now)
        if self.state is State.BACKUP and any(
            d is not None and d <= now for d in self.md_deadline.values()
        ):
            return self.fire(Event.MASTER_DOWN, now)
        return []

    # --- receiving (after the engine's pipeline accepted the advert) ---------------------------

    def on_carp(self, advbase: int, advskew: int, family: int, now: int) -> list[Action]:
        """carp_input_c's state logic for an authenticated CARP advert."""
        if self.state is State.INIT:
            return []
        skew = self.eff_skew()
        ours = timing.tv(self.cfg.advbase, skew)
        theirs = timing.tv(advbase, advskew)
        if self.state is State.MASTER:
            # Equal intervals make a MASTER yield too: ties are never broken by address.
            return self.fire(Event.MORE_FREQUENT, now) if ours >= theirs else []
        if self.ctx.preempt and ours < theirs:
            return self.fire(Event.PREEMPT, now)
        if timing.tv(3 * self.cfg.advbase, skew) < theirs:
            return self.fire(Event.WILL_TIME_OUT, now)
        self.arm_master_down(now, family)
        return []

    def on_vrrp(self, hdr: wire.VrrpHeader, src: IPAddress, family: int, now: int) -> list[Action]:
        """RFC 5798 §6.4.2-6.4.3, with FreeBSD's immediate preemption."""
        prio, mine = hdr.priority, self.cfg.vrrp_prio
        if self.state is State.MASTER:
            if hdr.priority == 0:
                return self.send_adverts(now)
            own = self.src[family]
            wins = prio > mine or (prio == mine and own is not None and int(src) > int(own))
            if not wins or mine >= 255:
                return []
            out = self.fire(Event.MORE_FREQUENT, now)
            self.vrrp_master_interval = max(hdr.interval, 1)
            self.arm_master_down(now, family)
            return out
        if self.state is not State.BACKUP:
            return []
        if prio == 0:
            skew = timing.vrrp_skew_cs(self.vrrp_master_interval, mine) * timing.US_PER_CS
            self.arm_master_down(now, family, skew)
            return []
        if self.ctx.preempt and prio < mine:
            return self.fire(Event.PREEMPT, now)
        self.vrrp_master_interval = max(hdr.interval, 1)
        self.arm_master_down(now, family)
        return []

    def adopt_counter(self, counter: int) -> None:
        """FreeBSD copies the peer's counter from every authenticated advert, in any state."""
        self.counter = counter
