"""Reconfiguring a running engine as FreeBSD's live ifconfig would: unchanged vhids keep state,
timers and counter; a changed one keeps its state with no transition (ip_carp.c: SIOCSVH and
SIOCAIFADDR end in carp_setrun, which re-arms the timers of the families the vhid has)."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_interface

from rcnet.carp.actions import SendAdvert, State, Transition
from rcnet.carp.engine import Engine
from rcnet.carp.reload import vhid_changes
from rcnet.carp.timing import US_PER_S
from rcnet.model import Host

from . import handbook
from .helpers import engine, feed, of

S = US_PER_S
V6 = ip_interface("2001:db8::50/64")


def master_provider_at(t: int) -> Engine:
    eng = engine(handbook.provider())
    eng.start(0)
    eng.handle_timer(t)  # nobody else: both vhids time out and become MASTER
    assert [st.state for st in eng.status()] == [State.MASTER, State.MASTER]
    return eng


def dual_stack(host: Host) -> Host:
    v1 = replace(host.vhids[0], addresses=(*host.vhids[0].addresses, V6))
    return replace(host, vhids=(v1, *host.vhids[1:]))


def test_unchanged_configuration_keeps_everything() -> None:
    eng = master_provider_at(4 * S)
    before = [(vh.state, vh.ad_deadline, vh.counter, vh.since) for vh in eng.vhosts]
    assert eng.reconfigure(handbook.provider(), 5 * S) == []
    assert [(vh.state, vh.ad_deadline, vh.counter, vh.since) for vh in eng.vhosts] == before


def test_changed_advskew_is_applied_in_place() -> None:
    eng = master_provider_at(4 * S)
    host = handbook.provider()
    v1 = replace(host.vhids[0], advskew=200)
    new = replace(host, vhids=(v1, host.vhids[1]))
    first = eng.vhosts[0]
    assert eng.reconfigure(new, 5 * S) == []
    assert eng.vhosts[0] is first and first.state is State.MASTER
    assert first.cfg.advskew == 200
    # the advert timer runs with the new interval from the reload on (carp_setrun)
    assert first.ad_deadline == 5 * S + first.advert_interval()
    adverts = [a for a in of(SendAdvert, eng.handle_timer(first.ad_deadline)) if a.vhid == 1]
    assert adverts and adverts[0].payload[2] == 200  # advskew byte of the next advert
    assert vhid_changes(host, new) == ["vhid 1@carp0: advskew 100 -> 200"]


def test_removed_master_bows_out_and_new_vhid_starts() -> None:
    eng = master_provider_at(4 * S)
    host = handbook.provider()
    v3 = replace(host.vhids[1], vhid=3, interface="carp2")
    new = replace(host, vhids=(host.vhids[0], v3))
    actions = eng.reconfigure(new, 5 * S)
    bow = [a for a in of(SendAdvert, actions) if a.bow_out]
    assert [a.vhid for a in bow] == [2]
    moves = [(t.vhid, t.old, t.new) for t in of(Transition, actions)]
    assert (2, State.MASTER, State.INIT) in moves
    assert (3, State.INIT, State.BACKUP) in moves
    assert [vh.cfg.vhid for vh in eng.vhosts] == [1, 3]
    assert eng.vhosts[0].state is State.MASTER
    assert vhid_changes(host, new) == ["vhid 3@carp2 added (parent fxp0)", "vhid 2@carp1 removed"]


def test_a_backup_losing_its_ipv6_vip_keeps_no_ipv6_deadline() -> None:
    """The regression: the IPv6 master-down deadline outlived the family and fired a takeover
    while the master still advertised over IPv4."""
    master = engine(handbook.hosta(), seed=2)
    master.start(0)
    master.handle_timer(3 * S)
    assert master.status()[0].state is State.MASTER
    host = dual_stack(handbook.provider())
    eng = engine(host)
    eng.start(3 * S)
    first = eng.vhosts[0]
    assert first.state is State.BACKUP and first.md_deadline[6] is not None
    ipv4_only = handbook.provider()
    assert eng.reconfigure(ipv4_only, 3 * S + S // 2) == []
    assert first.md_deadline[6] is None and first.families == (4,)
    # the master keeps advertising over IPv4 every second: no transition, ever
    for t in range(4, 12):
        moves = feed(eng, master.handle_timer(t * S), t * S) + eng.handle_timer(t * S + S // 2)
        assert [m for m in of(Transition, moves) if m.vhid == 1] == []
    assert first.state is State.BACKUP
    assert vhid_changes(host, ipv4_only) == ["vhid 1@carp0: address 2001:db8::50/64 removed"]


def test_a_backup_gaining_a_family_arms_its_timer_and_a_master_announces() -> None:
    eng = master_provider_at(4 * S)
    actions = eng.reconfigure(dual_stack(handbook.provider()), 5 * S)
    assert not of(Transition, actions)
    assert [type(a).__name__ for a in actions] == ["AddVips", "Announce"]
    assert eng.vhosts[0].families == (4, 6)


def test_sources_prefer_the_configured_then_a_global_then_the_link_local() -> None:
    """carp_best_ifa: adverts leave from the parent's preferred address of the family; an IPv6
    vhid on a parent whose only address is a link-local still under DAD waits (src None)."""
    from ipaddress import ip_address

    eng = engine(dual_stack(handbook.provider()))
    first = eng.vhosts[0]
    assert first.src[4] == ip_address("192.168.1.5") and first.src[6] is None
    ll, glob = ip_address("fe80::5"), ip_address("2001:db8::5")
    eng.set_sources("fxp0", [ip_address("192.168.1.5"), ll])
    assert first.src[6] == ll
    eng.set_sources("fxp0", [ll, glob, ip_address("10.0.0.5"), ip_address("192.168.1.5")])
    assert first.src[6] == glob and first.src[4] == ip_address("192.168.1.5")
    eng.set_sources("fxp0", [])
    assert first.src == {4: None, 6: None}
    eng.start(0)
    adverts = of(SendAdvert, eng.handle_timer(4 * S))
    assert adverts and all(a.src is None for a in adverts)


def test_a_peer_given_or_taken_by_a_reload_redirects_the_next_advert() -> None:
    # each family's destination is decided when the configuration changes, not per advert:
    # a reload that adds `peer` (unicast adverts, FreeBSD's carp_peer) must reach the next one
    eng = master_provider_at(4 * S)
    host = handbook.provider()
    peer = ip_interface("192.0.2.9/32").ip
    with_peer = replace(host, vhids=(replace(host.vhids[0], peer=peer), host.vhids[1]))
    first = eng.vhosts[0]
    assert eng.reconfigure(with_peer, 5 * S) == []
    sent = [a for a in of(SendAdvert, eng.handle_timer(first.ad_deadline)) if a.vhid == 1]
    assert [(a.dst, a.multicast) for a in sent] == [(peer, False)]
    assert eng.reconfigure(host, 6 * S) == []
    sent = [a for a in of(SendAdvert, eng.handle_timer(first.ad_deadline)) if a.vhid == 1]
    assert [(str(a.dst), a.multicast) for a in sent] == [("224.0.0.18", True)]
