"""Reconfiguring a running engine: unchanged vhids keep state, timers and counter."""

from __future__ import annotations

import random
from dataclasses import replace

from rcnet.carp.actions import SendAdvert, State, Transition
from rcnet.carp.engine import Engine
from rcnet.carp.reload import reconfigure
from rcnet.carp.timing import US_PER_S

from . import handbook
from .helpers import engine, of

S = US_PER_S


def master_provider_at(t: int) -> Engine:
    eng = engine(handbook.provider())
    eng.start(0)
    eng.handle_timer(t)  # nobody else: both vhids time out and become MASTER
    assert [st.state for st in eng.status()] == [State.MASTER, State.MASTER]
    return eng


def test_unchanged_configuration_keeps_everything() -> None:
    eng = master_provider_at(4 * S)
    before = [(vh.state, vh.ad_deadline, vh.counter, vh.since) for vh in eng.vhosts]
    actions = reconfigure(eng, handbook.provider(), random.Random(9), 5 * S)
    assert actions == []
    assert [(vh.state, vh.ad_deadline, vh.counter, vh.since) for vh in eng.vhosts] == before


def test_changed_advskew_is_applied_in_place() -> None:
    eng = master_provider_at(4 * S)
    host = handbook.provider()
    v1 = replace(host.vhids[0], advskew=200)
    new = replace(host, vhids=(v1, host.vhids[1]))
    first = eng.vhosts[0]
    assert reconfigure(eng, new, random.Random(9), 5 * S) == []
    assert eng.vhosts[0] is first and first.state is State.MASTER
    assert first.cfg.advskew == 200
    adverts = of(SendAdvert, eng.handle_timer(eng.next_timer() or 0))
    assert adverts and adverts[0].payload[2] == 200  # advskew byte of the next advert


def test_removed_master_bows_out_and_new_vhid_starts() -> None:
    eng = master_provider_at(4 * S)
    host = handbook.provider()
    v3 = replace(host.vhids[1], vhid=3, interface="carp2")
    new = replace(host, vhids=(host.vhids[0], v3))
    actions = reconfigure(eng, new, random.Random(9), 5 * S)
    bow = [a for a in of(SendAdvert, actions) if a.bow_out]
    assert [a.vhid for a in bow] == [2]
    moves = [(t.vhid, t.old, t.new) for t in of(Transition, actions)]
    assert (2, State.MASTER, State.INIT) in moves
    assert (3, State.INIT, State.BACKUP) in moves
    assert [vh.cfg.vhid for vh in eng.vhosts] == [1, 3]
    assert eng.vhosts[0].state is State.MASTER
