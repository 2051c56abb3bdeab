"""The asyncio service: sockets and timers around the CARP engine, in the aioquic style.

The engine says what to do (actions) and when it next needs the clock (`next_timer`); this
module performs the actions, re-arms one `loop.call_at`, feeds it packets, link events and
control requests, and maps signals: SIGTERM/SIGINT stop gracefully, SIGHUP reloads, SIGUSR1
logs the status. Time is the loop's monotonic clock in integer microseconds.
"""

from __future__ import annotations

import asyncio
import logging
import random
import signal
from typing import Any

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
from rcnet.daemon.control import ControlServer
from rcnet.daemon.hooks import HookRunner
from rcnet.daemon.options import StartOptions
from rcnet.daemon.sdnotify import sd_notify
from rcnet.daemon.stats import VhidStats
from rcnet.daemon.timerfd import DeadlineTimer
from rcnet.journal import NOTICE_LEVEL
from rcnet.linux import owned
from rcnet.linux.changes import Change
from rcnet.linux.links import AddressRemoved, Event, LinkRemoved, LinkState, SourcesChanged
from rcnet.linux.rtnl import LinkSwitch
from rcnet.linux.transport import ParentTransport, Received
from rcnet.model import Host

log = logging.getLogger("rcnet")

US = 1_000_000
HOOK_DRAIN_S = 3.0


class Service:
    def __init__(self, host: Host, options: StartOptions, ifmap: dict[str, str], control: str):
        self.host = host
        self.options = options
        self.ifmap = ifmap
        self.control_path = control
        self.loop: asyncio.AbstractEventLoop | None = None
        self.engine: Engine | None = None
        self.transports: dict[str, ParentTransport] = {}
        self.switch: LinkSwitch | None = None
        self.watcher: Any = None
        self.control: ControlServer | None = None
        self.hooks = HookRunner([*options.notify, *([host.notify] if host.notify else [])])
        self.timer: DeadlineTimer | None = None
        self.arm_pending = False
        self.stopped = asyncio.Event()
        self.stopping = False
        self.repair_task: asyncio.Task[None] | None = None
        #: one operation that changes rcnet's state at a time: reload, repair, stop
        self.ops = asyncio.Lock()
        self.macvlans: dict[tuple[int, str], str] = {}
        #: vhids whose last advert could not be sent (logged once per run of failures)
        self.send_failing: set[int] = set()
        #: (vhid, parent, family) whose adverts wait for a source address (logged once)
        self.waiting: set[tuple[int, str, int]] = set()
        self.stats = VhidStats()

    # -- names ----------------------------------------------------------------------------------

    def lx(self, name: str) -> str:
        return self.ifmap.get(name, name)

    def fbsd(self, linux_name: str) -> str:
        for old, new in self.ifmap.items():
            if new == linux_name:
                return old
        return linux_name

    def _index_macvlans(self, host: Host) -> None:
        self.macvlans = {}
        for v in host.vhids:
            if v.parent is None:
                continue
            legacy = self.lx(v.interface) if v.legacy else None
            self.macvlans[(v.vhid, v.interface)] = owned.macvlan_name(
                v.vhid, self.lx(v.parent), legacy
            )

    def now(self) -> int:
        assert self.loop is not None
        return int(self.loop.time() * US)

    # -- life cycle -------------------------------------------------------------------------------

    async def run(self) -> int:
        self.loop = asyncio.get_running_loop()
        now = self.now()
        self.engine = Engine(self.host, random.Random(), now)
        self.timer = DeadlineTimer(self.loop, self._on_timer)
        self._index_macvlans(self.host)
        self.switch = LinkSwitch()
        self._open_transports(self.host)
        self._watch_links()
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

    def _open_transports(self, host: Host) -> None:
        wanted: dict[str, tuple[bool, bool]] = {}
        for v in host.vhids:
            if v.parent is None:
                continue
            inet, inet6 = wanted.get(self.lx(v.parent), (False, False))
            wanted[self.lx(v.parent)] = (inet or bool(v.addrs4), inet6 or bool(v.addrs6))
        assert self.loop is not None
        for name, (inet, inet6) in wanted.items():
            if name in self.transports:
                continue
            transport = ParentTransport(name, inet=inet or not inet6, inet6=inet6)
            transport.attach(self.loop, self._on_packet)
            self.transports[name] = transport

    def _watch_links(self) -> None:
        from rcnet.linux.links import LinkWatcher

        assert self.loop is not None and self.engine is not None
        if self.watcher is not None:
            self.watcher.close()
        self.watcher = LinkWatcher(self.transports, owned_links=self.macvlans.values())
        now = self.now()
        for name in self.transports:
            self.engine.set_sources(self.fbsd(name), self.watcher.sources(name))
            state = self.watcher.current().get(name)
            up = state is not None and state.admin_up and state.carrier
            self.perform(self.engine.link_changed(self.fbsd(name), up, now))
        self.watcher.attach(self.loop, self._on_link_event)

    def _unwatch_links(self) -> None:
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
        sd_notify("STOPPING=1")
        log.info("rcnet: stopping")
        if self.timer is not None:
            self.timer.close()
        if self.engine is not None:
            self.perform(self.engine.stop(self.now()))
        self._unwatch_links()
        async with self.ops:  # waits for what runs; none starts after (they check `stopping`)
            await self.hooks.drain(HOOK_DRAIN_S)
            await self.hooks.close()
            assert self.loop is not None
            failures = await self.loop.run_in_executor(None, self._remove_macvlans)
            for failure in failures:
                log.warning("rcnet: stop: %s", failure)
            for transport in self.transports.values():
                transport.close()
            if self.switch is not None:
                self.switch.close()
        self.stopped.set()

    def _remove_macvlans(self) -> list[str]:
        from rcnet.daemon.run import delete_vhid_links

        return delete_vhid_links(set(self.macvlans.values()))[1]

    def _on_stop_signal(self) -> None:
        assert self.loop is not None
        self.loop.create_task(self.shutdown())

    # -- timers -----------------------------------------------------------------------------------

    def _arm(self) -> None:
        assert self.engine is not None and self.timer is not None
        self.timer.arm(None if self.stopping else self.engine.next_timer())

    def _on_timer(self, due: int) -> None:
        assert self.engine is not None
        # the engine must see its own deadline as reached, whatever the clock's rounding
        self.perform(self.engine.handle_timer(max(self.now(), due)))

    def _arm_soon(self) -> None:
        """Re-arm once after a batch of packets, not once per packet."""
        if not self.arm_pending and self.loop is not None:
            self.arm_pending = True
            self.loop.call_soon(self._arm_now)

    def _arm_now(self) -> None:
        self.arm_pending = False
        self._arm()

    # -- input ------------------------------------------------------------------------------------

    def _on_packet(self, packet: Received) -> None:
        if self.engine is None or self.stopping:
            return
        self.stats.packet(self.fbsd(packet.ifname), packet.payload)
        actions = self.engine.handle_packet(
            self.fbsd(packet.ifname), packet.src, packet.dst, packet.ttl, packet.payload, self.now()
        )
        if actions:  # a BACKUP hearing its MASTER has nothing to do but re-arm
            self.perform(actions, arm=False)
        self._arm_soon()

    def _on_link_event(self, event: Event) -> None:
        if self.engine is None or self.stopping:
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
            if event.ifname in self.transports:
                log.warning("rcnet: %s was deleted", self.fbsd(event.ifname))
                self.perform(self.engine.link_changed(self.fbsd(event.ifname), False, self.now()))
            else:
                log.warning("rcnet: %s was deleted by someone else; restoring it", event.ifname)
                self._schedule_repair()
        elif isinstance(event, SourcesChanged):
            if event.ifname in self.transports and self.watcher is not None:
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
        assert self.loop is not None
        if self.repair_task is None or self.repair_task.done():
            self.repair_task = self.loop.create_task(self._repair())

    async def _repair(self) -> None:
        """Re-apply the host (only what is missing), then re-assert the MASTER macvlans. Under
        the lock of operations, with the host as it is then (a reload may have changed it)."""
        from rcnet.linux import netlink

        await asyncio.sleep(0.05)  # let a burst of deletions arrive first
        async with self.ops:
            if self.stopping:
                return  # the stop removes what we would restore
            assert self.loop is not None and self.engine is not None
            host, ifmap = self.host, self.ifmap

            def reapply() -> list[str]:
                changes = self._running_plan(host, ifmap)
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
            for st in self.engine.status():
                name = self.macvlans.get((st.vhid, st.interface))
                if name is not None:
                    self._switch(name, st.state is State.MASTER)
            if self.watcher is not None:
                self._watch_links()

    def _running_plan(
        self, host: Host, ifmap: dict[str, str], *, prune: bool = False
    ) -> list[Change]:
        """The plan for `host` while the engine runs: a planner that finds a vhid macvlan up
        takes it for a crashed MASTER's and brings it down, but here up means MASTER now."""
        from rcnet.linux import netlink
        from rcnet.linux.changes import SetLink

        ours = set(self.macvlans.values())
        return [
            c
            for c in netlink.plan(host, ifmap, prune=prune)
            if not (isinstance(c, SetLink) and not c.up and c.ifname in ours)
        ]

    # -- actions ----------------------------------------------------------------------------------

    def perform(self, actions: list[Action], *, arm: bool = True) -> None:
        """Do what the engine asked: frames first (adverts, gratuitous ARP: microseconds on
        the parent's packet socket), then the vhid links (a netlink call that waits for the
        kernel's RTNL lock, which any other namespace's link change may hold for 15 ms), then
        logs and hooks. Within each kind the engine's order is kept."""
        assert self.engine is not None
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
                self._send(action)
            elif isinstance(action, AddVips | RemoveVips):
                name = self.macvlans.get((action.vhid, action.interface))
                if name is not None:
                    self._switch(name, isinstance(action, AddVips))
            elif isinstance(action, Announce):
                self._announce(action)
            elif isinstance(action, Transition):
                self.stats.transition(action.vhid, action.interface, action.reason)
                if self.engine.sysctl("log") >= 1:
                    log.log(NOTICE_LEVEL, "%s", action.log_line())
            elif isinstance(action, Notify):
                self.hooks.notify(action.subsystem, str(action.state))
            elif isinstance(action, Dropped):
                self.stats.dropped(action.vhid, action.counter)
                if self.engine.sysctl("log") >= 2:
                    log.info("%s", action.log_line())
            elif isinstance(action, Demoted):
                log.info("%s", action.log_line())
        if arm:
            self._arm()

    def _switch(self, name: str, up: bool) -> None:
        assert self.switch is not None
        try:
            self.switch.set_up(name, up)
        except OSError:
            # A link re-created by a repair has a new ifindex: the switch dropped the stale one
            # on this failure, so one retry reaches the new link. (Asking for a repair is no
            # help here: this call may come from the repair itself, which is still running.)
            try:
                self.switch.set_up(name, up)
            except OSError as exc:
                log.error("rcnet: %s", exc.strerror or exc)
                if up:
                    self._schedule_repair()

    def _send(self, action: SendAdvert) -> None:
        assert self.engine is not None
        transport = self.transports.get(self.lx(action.parent))
        ok = False
        if action.src is None:
            # no address of that family on the parent yet (an IPv6 link-local under DAD): the
            # advert waits for one, as the vhid cannot speak without; not a send error
            key = (action.vhid, action.parent, action.family)
            if key not in self.waiting:
                self.waiting.add(key)
                log.info(
                    "rcnet: vhid %d: waiting for an IPv%d address on %s to send from",
                    action.vhid,
                    action.family,
                    action.parent,
                )
            return
        self.waiting.discard((action.vhid, action.parent, action.family))
        if transport is None:
            log.error("rcnet: vhid %d: no transport on %s", action.vhid, action.parent)
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
            self.perform(more)

    def _announce(self, action: Announce) -> None:
        transport = self.transports.get(self.lx(action.parent))
        if transport is None:
            return
        try:
            transport.announce(action.vhid, [a.ip for a in action.addresses])
        except OSError as exc:
            log.warning("rcnet: vhid %d: announcement failed: %s", action.vhid, exc)

    # -- control ----------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        assert self.engine is not None
        now = self.now()
        return {
            "ok": True,
            "host": self.host.name,
            "vhids": self.stats.add_to([s.to_json(now) for s in self.engine.status()]),
            "counters": self.engine.counters.to_json(),
            "links": self._links(),
        }

    def _links(self) -> dict[str, str]:
        """FreeBSD name -> Linux link, for `rcnet ifconfig` (a legacy carpN: its macvlan)."""
        from rcnet.linux.plan import BUILTIN_MAP

        names = {**BUILTIN_MAP, **self.ifmap}
        links = {i.name: names.get(i.name, i.name) for i in self.host.interfaces}
        for v in self.host.vhids:
            if v.legacy and (v.vhid, v.interface) in self.macvlans:
                links[v.interface] = self.macvlans[(v.vhid, v.interface)]
        return links

    def _log_status(self) -> None:
        assert self.engine is not None
        now = self.now()
        for st in self.engine.status():
            log.info(
                "rcnet: status: %s: carp: %s vhid %d advbase %d advskew %d (%.1f s)",
                st.interface,
                st.state,
                st.vhid,
                st.advbase,
                st.advskew,
                (now - st.since) / US,
            )
        for line in self.engine.counters.render().splitlines():
            log.info("rcnet: status: %s", line)

    async def handle_request(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self.engine is not None
        cmd = message.get("cmd")
        if self.stopping and cmd == "reload":
            return await self.reload()
        if self.stopping and cmd != "status":
            return {"ok": False, "error": "the daemon is stopping"}
        try:
            if cmd == "status":
                return self.status()
            if cmd == "ifconfig":
                return self._ifconfig(message)
            if cmd == "sysctl":
                return self._sysctl(message)
            if cmd == "stop":
                await self.shutdown()
                return {"ok": True, "lines": [f"rcnet: {self.host.name} stopped"]}
            if cmd == "reload":
                return await self.reload()
        except CarpError as exc:
            return {"ok": False, "error": str(exc)}
        return {"ok": False, "error": f"unknown request {cmd!r}"}

    def _ifconfig(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self.engine is not None
        ifname = str(message.get("if", ""))
        now = self.now()
        if message.get("action") == "down":
            self.perform(self.engine.admin_down(ifname, now))
        elif message.get("action") == "up":
            self.perform(self.engine.admin_up(ifname, now))
        elif "state" in message:
            self.perform(
                self.engine.force_state(ifname, int(message["vhid"]), str(message["state"]), now)
            )
        else:
            return {"ok": False, "error": "expected up, down or vhid N state master|backup"}
        lines = [
            f"{s.interface}: carp: {s.state} vhid {s.vhid} advbase {s.advbase} advskew {s.advskew}"
            for s in self.engine.status()
            if ifname in (s.interface, s.parent)
        ]
        return {"ok": True, "lines": lines}

    def _sysctl(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self.engine is not None
        prefix = "net.inet.carp."
        name = message.get("name")
        if name is None:
            return {"ok": True, "lines": [f"{k}: {v}" for k, v in self.engine.sysctls().items()]}
        old = self.engine.sysctl(str(name))
        if "value" not in message:
            return {"ok": True, "lines": [f"{prefix}{name}: {old}"]}
        self.perform(self.engine.set_sysctl(str(name), int(message["value"]), self.now()))
        new = self.engine.sysctl(str(name))
        return {"ok": True, "lines": [f"{prefix}{name}: {old} -> {new}"]}

    # -- reload -----------------------------------------------------------------------------------

    def _on_reload_signal(self) -> None:
        assert self.loop is not None
        self.loop.create_task(self._reload_logged())

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
        if self.stopping:
            return {"ok": False, "error": "the daemon is stopping", "findings": []}
        async with self.ops:
            if self.stopping:
                return {"ok": False, "error": "the daemon is stopping", "findings": []}
            return await self._reload()

    async def _reload(self) -> dict[str, Any]:
        from rcnet.daemon import reload
        from rcnet.daemon.run import effective_ifmap
        from rcnet.linux import netlink

        assert self.loop is not None and self.engine is not None
        path = self.options.host_path
        checked = await self.loop.run_in_executor(None, reload.read, path)
        if isinstance(checked, reload.Refusal):
            checked.log()
            return checked.answer()
        new = checked.host
        if new == self.host:
            return reload.applied(path, [])
        ifmap = effective_ifmap(new, self.options)
        # what the new plan removes, rcnet removes itself: the watcher must not call it someone
        # else's doing and schedule a repair (_watch_links below watches the new set again)
        self._unwatch_links()
        try:
            plan = await self.loop.run_in_executor(
                None, lambda: self._running_plan(new, ifmap, prune=True)
            )
            await self.loop.run_in_executor(None, netlink.apply, plan)
        except Exception as exc:
            if not self.stopping:
                self._watch_links()
            refusal = reload.Refusal(f"applying failed: {exc}")
            refusal.log()
            return refusal.answer()
        old_links = set(self.macvlans.values())
        removed_names = self._removed_macvlans(new, ifmap)
        kept = self.engine.reconfigure(new, self.now())
        old_host, self.host, self.ifmap = self.host, new, ifmap
        self._index_macvlans(new)
        lines = reload.changes(old_host, new, plan, old_links | set(self.macvlans.values()))
        self._open_transports(new)
        self.perform(kept)
        if removed_names:
            await self.loop.run_in_executor(None, self._delete_links, removed_names)
        if not self.stopping:
            self._watch_links()
        return reload.applied(path, lines)

    def _removed_macvlans(self, new: Host, ifmap: dict[str, str]) -> list[str]:
        old_names = set(self.macvlans.values())
        keep: set[str] = set()
        for v in new.vhids:
            if v.parent is not None:
                legacy = ifmap.get(v.interface, v.interface) if v.legacy else None
                keep.add(owned.macvlan_name(v.vhid, ifmap.get(v.parent, v.parent), legacy))
        return sorted(old_names - keep)

    @staticmethod
    def _delete_links(names: list[str]) -> None:
        from rcnet.linux import netlink
        from rcnet.linux.changes import DeleteLink

        for failure in netlink.apply([DeleteLink(n) for n in names], best_effort=True):
            log.warning("rcnet: reload: %s", failure)
