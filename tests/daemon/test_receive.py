"""The daemon's receive path without a kernel namespace: packets handed to `Service._on_packets`
as the transport delivers them (one batch per readable event), the real deadline timer
(timerfd) on a real event loop. The executor is replaced by a recorder: it would bring vhid
links up on this machine's own network, which a test never touches.

What is checked (issue 10, the BACKUP's CPU): a BACKUP hearing its MASTER moves its master-down
deadlines later, and that costs no timerfd_settime per advert: the timer armed for the earlier
deadline fires, finds nothing due, and is armed then; a packet that needs an earlier deadline (a
bow-out that makes the BACKUP take over) arms it at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from lab.hosts import handbook_provider

from rcnet.carp.actions import Action, State, Transition
from rcnet.carp.wire import BOW_OUT, CARP_GROUP4, CarpAuth, build_carp
from rcnet.daemon.options import StartOptions
from rcnet.daemon.service import Service
from rcnet.daemon.timerfd import DeadlineTimer
from rcnet.linux.transport import Received
from rcnet.model import carp_key

MASTER = IPv4Address("192.168.1.3")
VIPS = {1: IPv4Address("192.168.1.50"), 2: IPv4Address("192.168.1.51")}


def advert(vhid: int, counter: int, base: int = 1, skew: int = 0) -> Received:
    auth = CarpAuth(carp_key("testpass"), vhid, [VIPS[vhid]])
    payload = build_carp(auth, vhid, base, skew, counter)
    return Received(MASTER, CARP_GROUP4, 255, payload, "fxp0")


class Backup:
    """The Handbook's provider (BACKUP of vhids 1 and 2) on a loop, with a counted timer."""

    def __init__(self, tmp: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.service = Service(handbook_provider(), StartOptions("rc.conf"), {}, str(tmp / "s"))
        self.service.loop = self.loop
        self.performed: list[Action] = []
        self.service.executor.perform = self.performed.extend  # type: ignore[method-assign]
        self.timer = self.service.timer = DeadlineTimer(self.loop, self.service._on_timer)
        assert self.timer.tfd is not None, "this machine has no timerfd"
        self.settimes: list[int | None] = []
        set_at_us = self.timer.tfd.set_at_us

        def counted(deadline: int | None) -> None:
            self.settimes.append(deadline)
            set_at_us(deadline)

        self.timer.tfd.set_at_us = counted  # type: ignore[method-assign]
        self.service.perform(self.service.engine.start(self.service.now()))

    def states(self) -> list[State]:
        return [vh.state for vh in self.service.engine.vhosts]

    def run(self, seconds: float) -> None:
        self.loop.run_until_complete(asyncio.sleep(seconds))

    def close(self) -> None:
        self.timer.close()
        self.loop.close()


@pytest.fixture
def backup(tmp_path: Path) -> Iterator[Backup]:
    made = Backup(tmp_path)
    try:
        yield made
    finally:
        made.close()


def test_adverts_that_move_deadlines_later_do_not_reset_the_timer(backup: Backup) -> None:
    assert backup.states() == [State.BACKUP, State.BACKUP]
    assert len(backup.settimes) == 1  # the start armed the first master-down deadline
    first = backup.timer.due
    backup.run(0.3)
    for counter in range(1, 41):  # both vhids, in turn: each moves the earliest deadline
        backup.service._on_packets([advert(1 + counter % 2, counter)])
    engine = backup.service.engine
    assert engine.counters.ipackets == 40 and engine.counters.badauth == 0
    assert len(backup.settimes) == 1, backup.settimes  # main: one timerfd_settime per advert
    assert backup.timer.due == first
    armed, wanted = backup.timer.due, engine.next_timer()
    assert armed is not None and wanted is not None and armed < wanted  # early, never late

    fired: list[int] = []
    callback = backup.timer.callback

    def first_fire(due: int) -> None:
        fired.append(due)
        callback(due)
        backup.loop.stop()

    backup.timer.callback = first_fire
    backup.performed.clear()
    backup.loop.run_forever()  # until the timer fires (3.39 s after the start)
    assert fired == [first]
    assert backup.states() == [State.BACKUP, State.BACKUP]  # nothing was due: no takeover
    assert not [a for a in backup.performed if isinstance(a, Transition)]
    assert backup.timer.due == engine.next_timer() == wanted  # armed for the real deadline


def test_a_packet_that_needs_an_earlier_deadline_arms_it_at_once(backup: Backup) -> None:
    backup.run(0.2)
    backup.service._on_packets([advert(2, 7), advert(1, 8, base=BOW_OUT, skew=BOW_OUT)])
    assert backup.states() == [State.MASTER, State.BACKUP]  # the bow-out: vhid 1 takes over
    engine = backup.service.engine
    advert_due = engine.vhosts[0].ad_deadline
    assert advert_due is not None and engine.next_timer() == advert_due
    assert backup.timer.due == advert_due  # not the later master-down deadline armed before
    assert backup.settimes[-1] == advert_due - DeadlineTimer.TIMERFD_EARLY_US
