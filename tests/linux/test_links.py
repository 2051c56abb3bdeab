"""The link watcher: parent admin state and carrier, and rcnet's things removed by others."""

from __future__ import annotations

import asyncio
import select
from ipaddress import IPv4Address, IPv4Interface

import pytest
from lab.hosts import handbook_provider
from lab.netns import Segment

from rcnet.linux import netlink
from rcnet.linux.links import (
    AddressRemoved,
    Event,
    LinkRemoved,
    LinkState,
    LinkWatcher,
    SourcesChanged,
)

pytestmark = pytest.mark.netns


def settle(watcher: LinkWatcher, timeout: float = 1.0) -> list[Event]:
    """Every event that arrives until the socket stays quiet for 0.1 s."""
    out: list[Event] = []
    wait = timeout
    while select.select([watcher], [], [], wait)[0]:
        out.extend(watcher.read())
        wait = 0.1
    return out


def test_parent_admin_and_carrier(handbook_segment: Segment) -> None:
    lab = handbook_segment.lab
    with LinkWatcher(["fxp0"], netns=lab.name("provider")) as watcher:
        now = watcher.current()["fxp0"]
        assert (now.admin_up, now.carrier) == (True, True)
        lab.ip("lan", "link", "set", "v-provider", "down")  # carrier lost, still admin up
        assert settle(watcher) == [LinkState("fxp0", now.index, True, False)]
        lab.ip("lan", "link", "set", "v-provider", "up")
        assert settle(watcher) == [LinkState("fxp0", now.index, True, True)]
        lab.ip("provider", "link", "set", "fxp0", "down")
        assert settle(watcher) == [LinkState("fxp0", now.index, False, False)]
        lab.ip("provider", "link", "set", "lo", "down")  # not a parent: nothing
        assert settle(watcher, 0.3) == []


def test_owned_links_and_addresses_removed_by_someone_else(handbook_segment: Segment) -> None:
    lab = handbook_segment.lab
    ns = lab.name("provider")
    lab.ip("provider", "addr", "del", "192.168.1.5/24", "dev", "fxp0")
    netlink.apply(netlink.plan(handbook_provider(), netns=ns), netns=ns)
    # fxp0's link-local finishing DAD is a SourcesChanged of its own (seen under load: two
    # where the 10.1.1.1 step expects one)
    lab.wait_dad("provider", "fxp0")
    with LinkWatcher(["fxp0"], owned_links=["carp0", "carp1"], netns=ns) as watcher:
        lab.ip("provider", "addr", "del", "192.168.1.50/24", "dev", "carp0")
        assert settle(watcher) == [AddressRemoved("carp0", IPv4Interface("192.168.1.50/24"))]
        lab.ip("provider", "link", "del", "carp1")
        events = settle(watcher)
        assert any(isinstance(e, LinkRemoved) and e.ifname == "carp1" for e in events)
        assert AddressRemoved("carp1", IPv4Interface("192.168.1.51/24")) in events
        # the user's own address: no removal event, but the parent's sources follow it
        lab.ip("provider", "addr", "add", "10.1.1.1/24", "dev", "fxp0")
        assert settle(watcher, 0.3) == [SourcesChanged("fxp0")]
        assert IPv4Address("10.1.1.1") in watcher.sources("fxp0")
        lab.ip("provider", "addr", "del", "10.1.1.1/24", "dev", "fxp0")
        assert settle(watcher, 0.3) == [SourcesChanged("fxp0")]
        assert IPv4Address("10.1.1.1") not in watcher.sources("fxp0")
        assert IPv4Address("192.168.1.5") in watcher.sources("fxp0")


def test_asyncio_attach(handbook_segment: Segment) -> None:
    lab = handbook_segment.lab
    watcher = LinkWatcher(["fxp0"], netns=lab.name("provider"))

    async def main() -> Event:
        loop = asyncio.get_running_loop()
        got: asyncio.Future[Event] = loop.create_future()

        def on_event(event: Event) -> None:
            if not got.done():
                got.set_result(event)

        watcher.attach(loop, on_event)
        await loop.run_in_executor(None, lambda: lab.ip("provider", "link", "set", "fxp0", "down"))
        try:
            return await asyncio.wait_for(got, 2)
        finally:
            watcher.detach()

    try:
        event = asyncio.run(main())
    finally:
        watcher.close()
    assert isinstance(event, LinkState) and not event.admin_up
