"""Several hosts' engines on a virtual segment with a virtual clock, faults as events.

Rules this module keeps (cli.md "simulate"):
- Determinism: same hosts, events and seed, same result. Propagation delay is 0; events at the
  same instant run in command-line order and before the timers due then; hosts are visited in
  argument order; loss and the engines' replay counters draw from RNGs derived from the seed.
- An advert sent on a host's interface reaches every other live host's interface on the same
  link: the IPv4 network of the interface's first static address (the interface name when it
  has none), unless a partition puts them in different groups, loss drops it, or either end's
  link is down. A unicast advert (`peer`) reaches only the host that owns the address.
- `down`/`up NAME:IF` on a carpN or an interface carrying modern vhids is `ifconfig IF
  down|up` (bow-out, rejoin); on any other physical interface it is a link change.
- Every host starts at time 0 unless its first event is `start`.
"""

from __future__ import annotations

import ipaddress
import random
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from rcnet.carp import timing
from rcnet.carp.actions import Action, SendAdvert, State, Transition
from rcnet.carp.engine import Engine
from rcnet.frozen import record
from rcnet.model import Host, IPAddress

VERBS = ("kill", "stop", "start", "down", "up", "partition", "heal", "loss", "preempt")
#: same-instant work beyond this means the engines are ping-ponging: a bug, not a scenario
_MAX_STEPS_PER_INSTANT = 100_000


class SimError(ValueError):
    """A scenario that cannot run: unknown host or interface, malformed event."""


@record
class SimEvent:
    """One `TIME:ACTION` of the command line, parsed but not yet bound to hosts."""

    at: int
    verb: str
    #: host name (kill/stop/start/down/up)
    host: str | None = None
    ifname: str | None = None
    groups: tuple[tuple[str, ...], ...] = ()
    value: float = 0.0
    text: str = ""


def parse_event(spec: str) -> SimEvent:
    """`5:down hosta:fxp0`, `9.5:partition hosta,hostb|provider`, `20:loss 30`, ..."""
    when, sep, action = spec.partition(":")
    if not sep:
        raise SimError(f"event '{spec}': expected TIME:ACTION")
    try:
        at = timing.from_seconds(when.strip())
    except ValueError:
        raise SimError(f"event '{spec}': '{when}' is not a time in seconds") from None
    if at < 0:
        raise SimError(f"event '{spec}': time must not be negative")
    words = action.split()
    if not words or words[0] not in VERBS:
        raise SimError(f"event '{spec}': action must be one of {', '.join(VERBS)}")
    verb, args = words[0], words[1:]
    want = 0 if verb == "heal" else 1
    if len(args) != want:
        raise SimError(f"event '{spec}': '{verb}' takes {want or 'no'} argument{'s' * (want != 1)}")
    base = SimEvent(at=at, verb=verb, text=spec)
    if verb in ("kill", "stop", "start"):
        return replace(base, host=args[0])
    if verb in ("down", "up"):
        name, colon, ifname = args[0].partition(":")
        if not colon or not name or not ifname:
            raise SimError(f"event '{spec}': '{verb}' takes NAME:IF")
        return replace(base, host=name, ifname=ifname)
    if verb == "partition":
        groups = tuple(tuple(n for n in g.split(",") if n) for g in args[0].split("|"))
        if any(not g for g in groups):
            raise SimError(f"event '{spec}': partition takes NAME,NAME|NAME")
        return replace(base, groups=groups)
    if verb == "loss":
        try:
            pct = float(args[0])
        except ValueError:
            pct = -1.0
        if not 0.0 <= pct <= 100.0:
            raise SimError(f"event '{spec}': loss takes a percentage from 0 to 100")
        return replace(base, value=pct)
    if verb == "preempt":
        if args[0] not in ("0", "1"):
            raise SimError(f"event '{spec}': preempt takes 0 or 1")
        return replace(base, value=float(args[0]))
    return base


@record
class SimTransition:
    """A state change seen in the simulation."""

    t: int
    host: str
    vhid: int
    interface: str
    old: State
    new: State
    reason: str

    def text(self) -> str:
        return (
            f"{timing.format_seconds(self.t)} {self.host} {self.vhid}@{self.interface} "
            f"{self.old} -> {self.new} ({self.reason})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "t": timing.to_seconds(self.t),
            "host": self.host,
            "vhid": self.vhid,
            "interface": self.interface,
            "from": str(self.old),
            "to": str(self.new),
            "reason": self.reason,
        }


@dataclass
class _Node:
    host: Host
    engine: Engine | None = None
    incarnation: int = 0
    #: physical interface -> link up, kept across kill/start
    links: dict[str, bool] = field(default_factory=dict)
    #: interfaces `down` administratively, kept across kill/start
    admin_down: set[str] = field(default_factory=set)
    #: interface -> link key (see module docstring)
    link_keys: dict[str, str] = field(default_factory=dict)
    own: set[IPAddress] = field(default_factory=set)


def _link_key(host: Host, ifname: str) -> str:
    iface = host.interface(ifname)
    if iface is not None:
        for a in iface.addresses:
            if a.vhid is None and a.family == "inet":
                return str(a.network)
    return f"if:{ifname}"


class Simulator:
    """Run `hosts` (in argument order) through `events` on one virtual segment."""

    def __init__(
        self,
        hosts: list[Host],
        events: Iterable[SimEvent] = (),
        *,
        seed: int = 0,
        preempt: bool = False,
    ) -> None:
        names = [h.name for h in hosts]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise SimError(f"two hosts named {dupes[0]}")
        self.seed = seed
        self.nodes = [self._node(h) for h in hosts]
        self.now = 0
        self.loss = 0.0
        self.groups: dict[int, int] = {}
        self.preempt: int | None = 1 if preempt else None
        self.loss_rng = random.Random(f"rcnet-sim-loss:{seed}")
        self.transitions: list[SimTransition] = []
        ordered = sorted(enumerate(events), key=lambda p: (p[1].at, p[0]))
        self.events = deque(self._bind(e) for _, e in ordered)
        first: dict[str, str] = {}
        for e in self.events:
            if e.host is not None:
                first.setdefault(e.host, e.verb)
        # Implicit boots come first at t=0, in argument order.
        boot = [SimEvent(0, "start", n.host.name) for n in self.nodes]
        self.events.extendleft(reversed([b for b in boot if first.get(b.host or "") != "start"]))

    # --- setup -----------------------------------------------------------------------------

    @staticmethod
    def _node(host: Host) -> _Node:
        node = _Node(host)
        for iface in host.interfaces:
            if not iface.cloned:
                node.links[iface.name] = iface.up
            node.link_keys[iface.name] = _link_key(host, iface.name)
            node.own.update(a.address for a in iface.addresses)
        for vh in host.vhids:
            if vh.parent is not None:
                node.link_keys.setdefault(vh.parent, _link_key(host, vh.parent))
        return node

    def _find(self, name: str, spec: str) -> _Node:
        found = [n for n in self.nodes if n.host.matches(name)]
        if len(found) != 1:
            what = "no host" if not found else "more than one host"
            raise SimError(f"event '{spec}': {what} named {name}")
        return found[0]

    def _bind(self, ev: SimEvent) -> SimEvent:
        """Resolve names to hosts' full names and check interfaces."""
        if ev.verb == "partition":
            groups = tuple(tuple(self._find(n, ev.text).host.name for n in g) for g in ev.groups)
            return replace(ev, groups=groups)
        if ev.host is None:
            return ev
        node = self._find(ev.host, ev.text)
        if ev.ifname is not None and self._if_kind(node, ev.ifname) is None:
            raise SimError(f"event '{ev.text}': {node.host.name} has no interface {ev.ifname}")
        return replace(ev, host=node.host.name)

    @staticmethod
    def _if_kind(node: _Node, ifname: str) -> str | None:
        """'admin' for carpN and interfaces with modern vhids, 'link' for other physical ones."""
        if any(v.interface == ifname for v in node.host.vhids):
            return "admin"
        iface = node.host.interface(ifname)
        if iface is not None and iface.cloned and iface.kind == "carp":
            return "admin"
        if ifname in node.links:
            return "link"
        return None

    # --- running -----------------------------------------------------------------------------

    def run(self, until: int) -> list[SimTransition]:
        """Advance the virtual clock to `until` µs (inclusive); returns all transitions so far."""
        while True:
            te = self.events[0].at if self.events else None
            tt = self._next_timer()
            if te is not None and te <= until and (tt is None or te <= tt):
                self.now = te
                while self.events and self.events[0].at == te:
                    self._event(self.events.popleft())
            elif tt is not None and tt <= until:
                self.now = tt
                self._timers(tt)
            else:
                break
        self.now = max(self.now, until)
        return self.transitions

    def _next_timer(self) -> int | None:
        due = [t for t in (n.engine.next_timer() for n in self.nodes if n.engine) if t is not None]
        return min(due) if due else None

    def _timers(self, now: int) -> None:
        for _ in range(_MAX_STEPS_PER_INSTANT):
            ran = False
            for node in self.nodes:
                e = node.engine
                if e is not None and (t := e.next_timer()) is not None and t <= now:
                    self._process(node, e.handle_timer(now))
                    ran = True
            if not ran:
                return
        raise SimError(f"no progress at {timing.format_seconds(now)}")

    def _event(self, ev: SimEvent) -> None:
        node = next((n for n in self.nodes if n.host.name == ev.host), None)
        if ev.verb == "heal":
            self.groups, self.loss = {}, 0.0
        elif ev.verb == "loss":
            self.loss = ev.value
        elif ev.verb == "partition":
            self._partition(ev.groups)
        elif ev.verb == "preempt":
            self.preempt = int(ev.value)
            for n in self.nodes:
                if n.engine is not None:
                    self._process(n, n.engine.set_sysctl("preempt", self.preempt, self.now))
        elif node is not None:
            self._host_event(node, ev)

    def _partition(self, groups: tuple[tuple[str, ...], ...]) -> None:
        member = {name: i for i, g in enumerate(groups) for name in g}
        self.groups = {
            idx: member.get(n.host.name, len(groups)) for idx, n in enumerate(self.nodes)
        }

    def _host_event(self, node: _Node, ev: SimEvent) -> None:
        e = node.engine
        if ev.verb == "kill":
            node.engine = None
        elif ev.verb == "stop" and e is not None:
            self._process(node, e.stop(self.now))
            node.engine = None
        elif ev.verb == "start" and e is None:
            self._start(node)
        elif ev.verb in ("down", "up") and ev.ifname is not None:
            up = ev.verb == "up"
            if self._if_kind(node, ev.ifname) == "admin":
                (node.admin_down.discard if up else node.admin_down.add)(ev.ifname)
                if e is not None:
                    acts = (e.admin_up if up else e.admin_down)(ev.ifname, self.now)
                    self._process(node, acts)
            else:
                node.links[ev.ifname] = up
                if e is not None:
                    self._process(node, e.link_changed(ev.ifname, up, self.now))

    def _start(self, node: _Node) -> None:
        node.incarnation += 1
        sysctls = node.host.sysctls
        if self.preempt is not None:
            sysctls = replace(sysctls, preempt=self.preempt)
        rng = random.Random(f"rcnet-sim:{self.seed}:{node.host.name}:{node.incarnation}")
        e = Engine(node.host, rng, self.now, sysctls=sysctls)
        for ifname, up in node.links.items():
            e.link_changed(ifname, up, self.now)
        for ifname in sorted(node.admin_down):
            e.admin_down(ifname, self.now)
        node.engine = e
        self._process(node, e.start(self.now))

    # --- the wire ------------------------------------------------------------------------------

    def _process(self, sender: _Node, actions: list[Action]) -> None:
        """Record transitions and deliver adverts, breadth first, at the current instant."""
        queue: deque[tuple[_Node, list[Action]]] = deque([(sender, actions)])
        while queue:
            node, acts = queue.popleft()
            for a in acts:
                if isinstance(a, Transition):
                    self._record(node, a)
                elif isinstance(a, SendAdvert):
                    for rx, ifname in self._receivers(node, a):
                        assert rx.engine is not None
                        src = a.src or ipaddress.ip_address("0.0.0.0" if a.family == 4 else "::")
                        out = rx.engine.handle_packet(ifname, src, a.dst, 255, a.payload, self.now)
                        if out:
                            queue.append((rx, out))

    def _record(self, node: _Node, tr: Transition) -> None:
        self.transitions.append(
            SimTransition(
                self.now, node.host.name, tr.vhid, tr.interface, tr.old, tr.new, tr.reason
            )
        )

    def _receivers(self, sender: _Node, adv: SendAdvert) -> list[tuple[_Node, str]]:
        if not sender.links.get(adv.parent, True):
            return []
        key = sender.link_keys.get(adv.parent, f"if:{adv.parent}")
        s_idx = self.nodes.index(sender)
        out: list[tuple[_Node, str]] = []
        for idx, node in enumerate(self.nodes):
            if node is sender or node.engine is None:
                continue
            if self.groups.get(idx, 0) != self.groups.get(s_idx, 0):
                continue
            if not adv.multicast and adv.dst not in node.own:
                continue
            ifname = next(
                (i for i, k in node.link_keys.items() if k == key and node.links.get(i, False)),
                None,
            )
            if ifname is None:
                continue
            if self.loss and self.loss_rng.random() * 100.0 < self.loss:
                continue
            out.append((node, ifname))
        return out

    # --- results -------------------------------------------------------------------------------

    def masters(self) -> dict[str, list[str]]:
        """`vhid@segment` -> the names of the hosts MASTER of it now (sorted; [] for none)."""
        keys: dict[str, tuple[int, str]] = {}
        for node in self.nodes:
            for v in node.host.vhids:
                keys[v.key_id] = (v.vhid, str(v.segment or ""))
        result: dict[str, list[str]] = {k: [] for k in sorted(keys, key=lambda k: keys[k])}
        for node in self.nodes:
            if node.engine is None:
                continue
            for vh in node.engine.vhosts:
                if vh.state is State.MASTER:
                    result[vh.cfg.key_id].append(node.host.name)
        return {k: sorted(v) for k, v in result.items()}

    def engine(self, name: str) -> Engine | None:
        """The running engine of host `name` (full name or first label)."""
        found = [n for n in self.nodes if n.host.matches(name)]
        return found[0].engine if len(found) == 1 else None
