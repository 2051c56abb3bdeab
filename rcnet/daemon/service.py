"""The asyncio service: sockets and timers around the CARP engine, in the aioquic style.

The engine says what to do (actions) and when it next needs the clock (`next_timer`); this
module reads the sockets, feeds the engine packets, link events and control requests, has the
`Executor` perform the actions and re-arms one deadline timer. Signals: SIGTERM/SIGINT stop
gracefully, SIGHUP reloads, SIGUSR1 logs the status. Time is the monotonic clock (the loop's)
in integer microseconds.

One owner of state: the operations that change what rcnet made (start, reload, repair, stop)
run one at a time under `ops`; once `stopping` is set no operation starts, and the stop waits
for the one under way before it removes the vhid links. Packets, timers and link events are
handled between those operations' awaits: the engine keeps running during a reload's netlink
work.
"""

from __future__ import annotations

import asyncio
import logging
import random
import signal
import time
from collections.abc import Callable
from typing import Any

from rcnet.carp.actions import Action
from rcnet.carp.engine import Engine
from rcnet.daemon import requests
from rcnet.daemon.control import ControlServer
from rcnet.daemon.hooks import HookRunner
from rcnet.daemon.options import StartOptions
from rcnet.daemon.perform import NETLINK_BOUND_S, RETRY_DELAY_S, Executor
from rcnet.daemon.sdnotify import sd_notify
from rcnet.daemon.stats import VhidStats
from rcnet.daemon.timerfd import DeadlineTimer
from rcnet.linux import owned
from rcnet.linux.changes import Change
from rcnet.linux.links import (
    AddressRemoved,
    Event,
    LinkRemoved,
    LinkState,
    LinkWatcher,
    SourcesChanged,
)
from rcnet.linux.transport import ParentTransport, Received
from rcnet.model import Host

log = logging.getLogger("rcnet")

US = 1_000_000
HOOK_DRAIN_S = 3.0


def vhid_links(host: Host, ifmap: dict[str, str]) -> dict[tuple[int, str], str]:
    """(vhid, interface) -> the Linux name of its macvlan, for every vhid with a parent."""
    out: dict[tuple[int, str], str] = {}
    for v in host.vhids:
        if v.parent is not None:
            legacy = ifmap.get(v.interface, v.interface) if v.legacy else None
            out[(v.vhid, v.interface)] = owned.macvlan_name(
                v.vhid, ifmap.get(v.parent, v.parent), legacy
            )
    return out


class Service:
    loop: asyncio.AbstractEventLoop
    timer: DeadlineTimer
    control: ControlServer

    def __init__(self, host: Host, options: StartOptions, ifmap: dict[str, str], control: str):
        self.host = host
        self.options = options
        self.ifmap = ifmap
        self.control_path = control
        self.engine = Engine(host, random.Random(), self.now())
        self.hooks = HookRunner([*options.notify, *([host.notify] if host.notify else [])])
        self.stats = VhidStats()
        self.executor = Executor(
            self.engine,
            self.hooks,
            self.stats,
            self.now,
            self.lx,
            self.perform,
            self._schedule_repair,
            lambda delay, fn: self.loop.call_later(delay, self._unless_stopping, fn),
        )
        self.executor.macvlans = vhid_links(host, ifmap)
        self.watcher: LinkWatcher | None = None
        self.stopped = asyncio.Event()
        self.stopping = False
        #: one operation that changes rcnet's state at a time: reload, repair, stop
        self.ops = asyncio.Lock()
        self.tasks: set[asyncio.Task[Any]] = set()
        self.repair: asyncio.Task[Any] | None = None

    # -- names ----------------------------------------------------------------------------------

    def lx(self, name: str) -> str:
        return self.ifmap.get(name, name)

    def fbsd(self, linux_name: str) -> str:
        for old, new in self.ifmap.items():
            if new == linux_name:
                return old
        return linux_name

    @staticmethod
    def now() -> int:
        return int(time.monotonic() * US)  # the loop's clock (asyncio uses time.monotonic)

    def _unless_stopping(self, fn: Callable[[], None]) -> None:
        if not self.stopping:
            fn()

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        """A task of ours, kept until done (the loop holds tasks only weakly)."""
        task = self.loop.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    # -- life cycle -------------------------------------------------------------------------------

    async def run(self) -> int:
        self.loop = asyncio.get_running_loop()
        self.timer = DeadlineTimer(self.loop, self._on_timer)
        self.open_transports(self.host)
        self.watch_links()
        self.control = ControlServer(self.control_path, self.handle_request)
        await self.control.start()
        self.hooks.start()
        for sig, handler in (
            (signal.SIGTERM, self._on_stop_signal),
            (signal.SIGINT, self._on_stop_signal),
            (signal.SIGHUP, self._on_reload_signal),
            (signal.SIGUSR1, self._log_status),
        ):
            self.loop.add_signal_handler(sig, handler)
        self.perform(self.engine.start(self.now()))
        self.executor.assert_links()  # the VIPs of every vhid not MASTER are not local
        sd_notify("READY=1\nSTATUS=running CARP for " + self.host.name)
        log.info(
            "rcnet: %s running %d vhid(s); control socket %s",
            self.host.name,
            len(self.host.vhids),
            self.control_path,
        )
        await self.stopped.wait()
        await self.control.close()  # after the stop request (if any) had its answer
        return 0

    def open_transports(self, host: Host) -> None:
        wanted: dict[str, tuple[bool, bool]] = {}
        for v in host.vhids:
            if v.parent is None:
                continue
            inet, inet6 = wanted.get(self.lx(v.parent), (False, False))
            wanted[self.lx(v.parent)] = (inet or bool(v.addrs4), inet6 or bool(v.addrs6))
        transports = self.executor.transports
        for name, (inet, inet6) in wanted.items():
            if name not in transports:
                transport = ParentTransport(name, inet=inet or not inet6, inet6=inet6)
                transport.attach(self.loop, self._on_packets)
                transports[name] = transport
            # the kernel filter lets in only this parent's vhids (again on every reload)
            mine = [v for v in host.vhids if v.parent is not None and self.lx(v.parent) == name]
            transports[name].set_vhids(
                [v.vhid for v in mine if v.addrs4], [v.vhid for v in mine if v.addrs6]
            )

    def watch_links(self) -> None:
        """(Re)subscribe to link and address events of the parents and the vhid links. The
        first dump waits at most NETLINK_BOUND_S; past that (RTNL busy) it is tried again
        shortly, from the loop."""
        self.unwatch_links()
        transports = self.executor.transports
        try:
            self.watcher = LinkWatcher(
                transports, owned_links=self.executor.macvlans.values(), timeout=NETLINK_BOUND_S
            )
        except TimeoutError:
            log.debug("rcnet: link dump beyond %.0f ms; retrying", NETLINK_BOUND_S * 1000)
            self.loop.call_later(RETRY_DELAY_S, self._unless_stopping, self.watch_links)
            return
        now = self.now()
        for name in transports:
            self.engine.set_sources(self.fbsd(name), self.watcher.sources(name))
            state = self.watcher.current().get(name)
            up = state is not None and state.admin_up and state.carrier
            self.perform(self.engine.link_changed(self.fbsd(name), up, now))
        self.watcher.attach(self.loop, self._on_link_event)

    def unwatch_links(self) -> None:
        if self.watcher is not None:
            self.watcher.close()
            self.watcher = None

    async def shutdown(self) -> None:
        """Graceful stop: bow-out adverts at once; then, once the operation under way (a reload,
        a repair) has finished, the vhid macvlans and their addresses go. After this begins no
        operation starts, so nothing is created."""
        if self.stopping:
            await self.stopped.wait()
            return
        self.stopping = True
        # a reload has no meaning any more; after the loop a SIGHUP would kill the process
        self.loop.remove_signal_handler(signal.SIGHUP)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        sd_notify("STOPPING=1")
        log.info("rcnet: stopping")
        self.timer.close()
        self.perform(self.engine.stop(self.now()))
        self.unwatch_links()
        async with self.ops:  # waits for what runs; none starts after (they check `stopping`)
            await self.hooks.drain(HOOK_DRAIN_S)
            await self.hooks.close()
            names = set(self.executor.macvlans.values())
            failures = await self.loop.run_in_executor(None, _delete_vhid_links, names)
            for failure in failures:
                log.warning("rcnet: stop: %s", failure)
            self.executor.close()
        self.stopped.set()

    def _on_stop_signal(self) -> None:
        self.spawn(self.shutdown())

    # -- timers -----------------------------------------------------------------------------------

    def _arm(self) -> None:
        self.timer.arm(None if self.stopping else self.engine.next_timer())

    def _on_timer(self, due: int) -> None:
        # the engine must see its own deadline as reached, whatever the clock's rounding
        self.perform(self.engine.handle_timer(max(self.now(), due)))

    def _arm_after_packets(self) -> None:
        """Re-arm once after a batch of packets, and only for an earlier deadline: a BACKUP
        hearing its MASTER moves a master-down deadline later, and the timer armed for the
        earlier one fires, finds nothing due and is armed then (`_on_timer`): one wakeup per
        master-down interval instead of a timerfd_settime per advert."""
        if self.stopping:
            return
        due, armed = self.engine.next_timer(), self.timer.due
        if armed is not None and (due is None or armed <= due):
            return
        self.timer.arm(due)

    def perform(self, actions: list[Action], *, arm: bool = True) -> None:
        self.executor.perform(actions)
        if arm:
            self._arm()

    # -- input ------------------------------------------------------------------------------------

    def _on_packets(self, packets: list[Received]) -> None:
        """What one readable event read: each packet to the engine, then the timer once."""
        for packet in packets:
            self._on_packet(packet)
        self._arm_after_packets()

    def _on_packet(self, packet: Received) -> None:
        if self.stopping:
            return
        if packet.overflows:
            self.engine.count_queue_drops(packet.overflows)
        parent = self.fbsd(packet.ifname)
        self.stats.packet(parent, packet.payload)
        actions = self.engine.handle_packet(
            parent, packet.src, packet.dst, packet.ttl, packet.payload, self.now()
        )
        if actions:  # a BACKUP hearing its MASTER has nothing to do but re-arm
            self.perform(actions, arm=False)

    def _on_link_event(self, event: Event) -> None:
        if self.stopping:
            return
        if isinstance(event, LinkState):
            up = event.admin_up and event.carrier
            log.info(
                "rcnet: %s: link %s (admin %s, carrier %s)",
                self.fbsd(event.ifname),
                "up" if up else "down",
                "up" if event.admin_up else "down",
                "on" if event.carrier else "off",
            )
            self.perform(self.engine.link_changed(self.fbsd(event.ifname), up, self.now()))
        elif isinstance(event, LinkRemoved):
            if event.ifname in self.executor.transports:
                log.warning("rcnet: %s was deleted", self.fbsd(event.ifname))
                self.perform(self.engine.link_changed(self.fbsd(event.ifname), False, self.now()))
            else:
                log.warning("rcnet: %s was deleted by someone else; restoring it", event.ifname)
                self._schedule_repair()
        elif isinstance(event, SourcesChanged):
            if event.ifname in self.executor.transports and self.watcher is not None:
                sources = self.watcher.sources(event.ifname)
                self.engine.set_sources(self.fbsd(event.ifname), sources)
        elif isinstance(event, AddressRemoved):
            log.warning(
                "rcnet: %s was removed from %s by someone else; restoring it",
                event.address,
                event.ifname,
            )
            self._schedule_repair()

    # -- repair -----------------------------------------------------------------------------------

    def _schedule_repair(self) -> None:
        if self.stopping or (self.repair is not None and not self.repair.done()):
            return
        self.repair = self.spawn(self._repair())

    async def _repair(self) -> None:
        """Re-apply the host (only what is missing), then re-assert the vhid links. Under the
        lock of operations, with the host as it is then (a reload may have changed it)."""
        from rcnet.linux import netlink

        await asyncio.sleep(0.05)  # let a burst of deletions arrive first
        async with self.ops:
            if self.stopping:
                return  # the stop removes what we would restore
            host, ifmap = self.host, self.ifmap

            def reapply() -> list[str]:
                changes = self.running_plan(host, ifmap)
                netlink.apply(changes)
                return [c.describe() for c in changes]

            try:
                done = await self.loop.run_in_executor(None, reapply)
            except Exception as exc:  # netlink errors of every kind: log, keep running
                log.error("rcnet: restoring failed: %s", exc)
                return
            for line in done:
                log.info("rcnet: restored: %s", line)
            if self.stopping:
                return
            self.executor.assert_links()
            self.watch_links()

    def running_plan(
        self, host: Host, ifmap: dict[str, str], *, prune: bool = False
    ) -> list[Change]:
        """The plan for `host` while the engine runs: a planner that finds a vhid macvlan up
        takes it for a crashed MASTER's and brings it down, but here up means MASTER now."""
        from rcnet.linux import netlink
        from rcnet.linux.changes import SetLink

        ours = set(self.executor.macvlans.values())
        return [
            c
            for c in netlink.plan(host, ifmap, prune=prune)
            if not (isinstance(c, SetLink) and not c.up and c.ifname in ours)
        ]

    # -- control ----------------------------------------------------------------------------------

    async def handle_request(self, message: dict[str, Any]) -> dict[str, Any]:
        return await requests.handle(self, message)

    def _log_status(self) -> None:
        from rcnet.daemon.status import render_status

        for line in render_status(requests.status(self)).splitlines():
            log.info("rcnet: status: %s", line)

    # -- reload -----------------------------------------------------------------------------------

    def _on_reload_signal(self) -> None:
        self.spawn(self._reload_logged())

    async def _reload_logged(self) -> None:
        """SIGHUP has nobody to answer: the answer is logged (by `reload`), and a reload that
        fails in an unforeseen way is logged here, in one line; the daemon runs on."""
        try:
            await self.reload()
        except Exception as exc:
            log.error("rcnet: reload failed: %s: %s", type(exc).__name__, exc)

    async def reload(self) -> dict[str, Any]:
        """Re-read the host; refuse a configuration with errors and keep running. The answer
        (and the log) is the same for SIGHUP and the control request."""
        from rcnet.daemon import reload

        if self.stopping:
            return reload.Refusal("the daemon is stopping").answer()
        async with self.ops:
            if self.stopping:
                return reload.Refusal("the daemon is stopping").answer()
            return await reload.run(self)


def _delete_vhid_links(names: set[str]) -> list[str]:
    from rcnet.daemon.run import delete_vhid_links

    return delete_vhid_links(names)[1]
