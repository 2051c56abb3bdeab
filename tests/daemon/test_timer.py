"""The daemon's deadline timer: never early, close to on time, re-armable, disarmable."""

from __future__ import annotations

import asyncio

import pytest

from rcnet.daemon.timerfd import DeadlineTimer


async def _fire_once(use_timerfd: bool, wait_us: int) -> tuple[int, int, int]:
    loop = asyncio.get_running_loop()
    fired: asyncio.Future[tuple[int, int]] = loop.create_future()
    # the clock is read in the callback: the lateness of the timer, not of the await's resumption
    timer = DeadlineTimer(loop, lambda due: fired.set_result((due, timer.now_us())))
    if not use_timerfd and timer.tfd is not None:
        loop.remove_reader(timer.tfd.fileno())
        timer.tfd.close()
        timer.tfd = None
    try:
        due = timer.now_us() + wait_us
        timer.arm(due)
        got, at = await asyncio.wait_for(fired, 5)
        return got, due, at - due
    finally:
        timer.close()


@pytest.mark.parametrize("use_timerfd", [True, False], ids=["timerfd", "epoll"])
def test_fires_at_its_deadline_never_before(use_timerfd: bool) -> None:
    got, due, late = asyncio.run(_fire_once(use_timerfd, 200_000))
    assert got == due
    assert late >= 0  # the engine is called with the deadline reached
    assert late < 50_000  # generous: a loaded CI machine, but not a missed deadline


def test_rearm_moves_the_deadline_and_none_disarms() -> None:
    async def scenario() -> list[int]:
        loop = asyncio.get_running_loop()
        calls: list[int] = []
        timer = DeadlineTimer(loop, calls.append)
        try:
            first = timer.now_us() + 50_000
            timer.arm(first)
            timer.arm(first + 100_000)  # later: the first must not fire
            await asyncio.sleep(0.3)
            timer.arm(timer.now_us() + 50_000)
            timer.arm(None)
            await asyncio.sleep(0.15)
            return [c - first for c in calls]
        finally:
            timer.close()

    assert asyncio.run(scenario()) == [100_000]
