"""The engine against carp.md §9: input pipeline, timing, transitions, demotion, notifications."""

from __future__ import annotations

import ipaddress
import random

import pytest

from rcnet.carp import timing, wire
from rcnet.carp.actions import (
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
from rcnet.carp.transitions import TRANSITIONS, Event
from rcnet.model import CarpSysctls, carp_key

from .handbook import VhidSpec, hosta, make_host, provider
from .helpers import S, Wire, engine, feed, of

A = ipaddress.ip_address
SRC = A("192.168.1.9")
GROUP = wire.CARP_GROUP4
V1 = bytes.fromhex("210100070001a4f40000000000000001c081b12350147c5791042a1d4ebae5a4ae5b5e13")


def lone() -> Engine:
    """hosta with its one vhid (1, testpass, 192.168.1.50), started at t=0: BACKUP."""
    e = engine(hosta())
    e.start(0)
    return e


def rx(e: Engine, payload: bytes, now: int = S, ttl: int = 255, src: object = SRC) -> list[object]:
    assert isinstance(src, ipaddress.IPv4Address)
    return list(e.handle_packet("fxp0", src, GROUP, ttl, payload, now))


def dropped(actions: list[object]) -> list[str | None]:
    return [d.counter for d in of(Dropped, actions)]


def refill(raw: bytes | bytearray) -> bytes:
    """Recompute the checksum of an edited header."""
    h = wire.decode_carp(bytes(raw))
    return h.pack()


# --- §9.3-11: the input pipeline --------------------------------------------------------------


def test_v1_is_accepted_and_rearms_master_down() -> None:
    e = lone()
    before = e.next_timer()
    assert dropped(rx(e, V1, now=2 * S)) == []
    assert e.counters.ipackets == 1
    assert before == 3 * S and e.next_timer() == 5 * S


def test_counter_is_authenticated() -> None:
    e = lone()
    raw = bytearray(V1)
    raw[15] = 2  # counter 2 with V1's HMAC
    assert dropped(rx(e, refill(raw))) == ["badauth"]
    assert e.counters.badauth == 1


def test_skew_is_not_authenticated() -> None:
    e = lone()
    raw = bytearray(V1)
    raw[2] = 200
    assert dropped(rx(e, refill(raw))) == []


def test_flipped_checksum_is_badsum_without_state_change() -> None:
    e = lone()
    raw = bytearray(V1)
    raw[6] ^= 0x01
    assert dropped(rx(e, bytes(raw))) == ["badsum"]
    assert e.status()[0].state is State.BACKUP and e.next_timer() == 3 * S


def test_ttl_multicast_unicast_and_unknown_vhid() -> None:
    e = lone()
    assert dropped(rx(e, V1, ttl=254)) == ["badttl"]
    # Unknown vhid is found before TTL is looked at (FreeBSD 14 order).
    raw = bytearray(V1)
    raw[1] = 9
    assert dropped(rx(e, refill(raw), ttl=254)) == ["badvhid"]
    unicast = make_host(
        "u", "192.168.1.3", [VhidSpec("carp0", 1, ("192.168.1.50",), peer="192.168.1.9")]
    )
    u = engine(unicast)
    u.start(0)
    assert dropped(rx(u, V1, ttl=254)) == []


@pytest.mark.parametrize("first", [0x11, 0x41])
def test_bad_version(first: int) -> None:
    e = lone()
    raw = bytearray(V1)
    raw[0] = first
    assert dropped(rx(e, refill(raw))) == ["badver"]


def test_vrrp_advert_for_a_carp_vhid_is_badver() -> None:
    e = lone()
    adv = wire.build_vrrp(1, 100, 100, [A("192.168.1.50")], SRC, GROUP)
    assert dropped(rx(e, adv)) == ["badver"]


def test_unknown_vhid_and_short_packets() -> None:
    e = lone()
    raw = bytearray(V1)
    raw[1] = 9
    assert dropped(rx(e, refill(raw))) == ["badvhid"]
    assert dropped(rx(e, V1[:35])) == ["badlen"]
    assert dropped(rx(e, V1[:5])) == ["badlen"]
    assert e.counters.badlen == 2 and e.counters.badvhid == 1


@pytest.mark.parametrize(("offset", "value"), [(0, 0x22), (3, 0)])
def test_type_and_authlen_are_ignored(offset: int, value: int) -> None:
    e = lone()
    raw = bytearray(V1)
    raw[offset] = value
    assert dropped(rx(e, refill(raw))) == []


def test_address_set_is_bound_by_the_hmac() -> None:
    two = make_host("b", "192.168.1.4", [VhidSpec("carp0", 1, ("192.168.1.51", "192.168.1.50"))])
    e = engine(two)
    e.start(0)
    assert dropped(rx(e, V1)) == ["badauth"]
    key = carp_key("testpass")
    auth = wire.CarpAuth(key, 1, [A("192.168.1.50"), A("192.168.1.51")])
    assert dropped(rx(e, wire.build_carp(auth, 1, 1, 0, 5))) == []


def test_passphrase_truncation_interoperates() -> None:
    long = make_host(
        "a", "192.168.1.3", [VhidSpec("carp0", 1, ("192.168.1.50",), password="A" * 25)]
    )
    short = make_host(
        "b", "192.168.1.4", [VhidSpec("carp0", 1, ("192.168.1.50",), password="A" * 19)]
    )
    w = Wire([engine(long), engine(short, seed=2)])
    w.start()
    w.run_until(10 * S)
    assert sorted(w.states().values()) == ["BACKUP", "MASTER"]
    assert all(e.counters.badauth == 0 for e in w.engines)


def test_ipv6_advert_on_an_interface_without_vhids_is_badif() -> None:
    e = lone()
    out = e.handle_packet("em9", A("fe80::1"), wire.CARP_GROUP6, 255, V1, S)
    assert dropped(list(out)) == ["badif"] and e.counters.ipackets6 == 1


def test_not_allowed_drops_without_counter() -> None:
    e = lone()
    e.set_sysctl("allow", 0, S)
    assert dropped(rx(e, V1)) == [None]


def test_raw_ip_packet_path() -> None:
    from rcnet.carp import packet

    e = lone()
    dgram = packet.build_ipv4(ipaddress.IPv4Address("192.168.1.9"), GROUP, V1)
    assert dropped(list(e.handle_ip_packet("fxp0", dgram, S))) == []
    assert dropped(list(e.handle_ip_packet("fxp0", b"\x45\x00", S))) == ["hdrops"]
    assert e.counters.ipackets == 1 and e.counters.hdrops == 1


# --- §9.13-18: timing and transitions ----------------------------------------------------------


def test_startup_of_a_lone_node() -> None:
    e = engine(hosta())
    first = e.start(0)
    assert [(t.old, t.new, t.reason) for t in of(Transition, first)] == [
        (State.INIT, State.BACKUP, "initialization complete")
    ]
    assert e.next_timer() == 3 * S
    out = e.handle_timer(3 * S)
    assert [(t.old, t.new, t.reason) for t in of(Transition, out)] == [
        (State.BACKUP, State.MASTER, "master timed out")
    ]
    assert len(of(Announce, out)) == 1 and of(Announce, out)[0].repeat is False
    ads = of(SendAdvert, out)
    assert len(ads) == 1 and ads[0].dst == GROUP and ads[0].src == A("192.168.1.3")
    assert [type(a).__name__ for a in out] == [
        "Transition",
        "Notify",
        "AddVips",
        "SendAdvert",
        "Announce",
    ]
    times = []
    for _ in range(4):
        t = e.next_timer()
        assert t is not None
        times.append(t)
        out = e.handle_timer(t)
        assert len(of(SendAdvert, out)) == 1
        # The second announcement round rides on the second advert (one interval later).
        assert len(of(Announce, out)) == (1 if t == 4 * S else 0)
    assert times == [4 * S, 5 * S, 6 * S, 7 * S]


def test_master_down_with_skew_is_exact() -> None:
    assert timing.master_down_interval(1, 100) == 3_390_625
    e = engine(provider())
    e.start(0)
    assert e.next_timer() == 3_390_625
    assert timing.format_seconds(3_390_625) == "3.390625"


def test_counter_is_random_start_then_pre_incremented_and_adopted() -> None:
    e1, e2 = engine(hosta(), seed=7), engine(hosta(), seed=7)
    assert e1.vhosts[0].counter == e2.vhosts[0].counter == random.Random(7).getrandbits(64)
    e1.start(0)
    start = e1.vhosts[0].counter
    out = e1.handle_timer(3 * S)
    hdr = wire.decode_carp(of(SendAdvert, out)[0].payload)
    assert hdr.counter == start + 1
    e3 = engine(provider())
    e3.start(0)
    feed(e3, out, 3 * S)
    assert e3.vhosts[0].counter == start + 1


def test_equal_priority_master_steps_down() -> None:
    a = engine(hosta())
    a.start(0)
    a.handle_timer(3 * S)
    assert a.status()[0].state is State.MASTER
    auth = wire.CarpAuth(carp_key("testpass"), 1, [A("192.168.1.50")])
    out = rx(a, wire.build_carp(auth, 1, 1, 0, 99), now=3 * S + 5)
    assert [(t.new, t.reason) for t in of(Transition, out)] == [
        (State.BACKUP, "more frequent advertisement received")
    ]
    assert len(of(RemoveVips, out)) == 1 and a.next_timer() == 6 * S + 5


def _master_backup(preempt: int) -> Wire:
    """provider MASTER of vhid 1 (hosta started later): hosta advertises faster."""
    pa = engine(provider(sysctls=CarpSysctls(preempt=preempt)))
    ha = engine(hosta(sysctls=CarpSysctls(preempt=preempt)), seed=2)
    w = Wire([pa, ha])
    w.apply(pa, pa.start(0))
    w.run_until(10 * S)
    w.apply(ha, ha.start(w.now))
    return w


def test_no_preemption_by_default() -> None:
    w = _master_backup(preempt=0)
    w.run_until(30 * S)
    assert w.states()[("provider", 1)] == "MASTER" and w.states()[("hosta", 1)] == "BACKUP"


def test_preemption_on_next_advert() -> None:
    w = _master_backup(preempt=1)
    w.run_until(30 * S)
    assert w.states()[("provider", 1)] == "BACKUP" and w.states()[("hosta", 1)] == "MASTER"
    tr = [x for x in w.transitions() if x[2] == 1 and x[0] >= 10]
    # provider's adverts (every 1.390625 s since 3.390625) : first one after 10 s is 10.34375.
    assert tr == [
        (10.0, "hosta", 1, "INIT", "BACKUP", "initialization complete"),
        (10.34375, "hosta", 1, "BACKUP", "MASTER", "preempting a slower master"),
        (10.34375, "provider", 1, "MASTER", "BACKUP", "more frequent advertisement received"),
    ]


def test_bow_out_takes_over_at_once_even_without_preempt() -> None:
    e = lone()
    auth = wire.CarpAuth(carp_key("testpass"), 1, [A("192.168.1.50")])
    out = rx(e, wire.build_carp(auth, 1, 255, 255, 3), now=2 * S)
    assert [(t.new, t.reason) for t in of(Transition, out)] == [
        (State.MASTER, "master will time out")
    ]


def test_slow_master_is_treated_as_timed_out() -> None:
    e = lone()
    auth = wire.CarpAuth(carp_key("testpass"), 1, [A("192.168.1.50")])
    out = rx(e, wire.build_carp(auth, 1, 4, 0, 3), now=2 * S)
    assert [t.reason for t in of(Transition, out)] == ["master will time out"]
    e2 = lone()
    out = rx(e2, wire.build_carp(auth, 1, 3, 0, 3), now=2 * S)  # 3 s is not < 3 s
    assert of(Transition, out) == []


# --- §9.19-21: demotion ------------------------------------------------------------------------


def _two_parents(preempt: int = 0, name: str = "a", skew: int = 0) -> Engine:
    em1 = make_host(
        "x",
        "10.0.0.1",
        [VhidSpec("em1", 2, ("10.0.0.50",), advskew=skew)],
        parent="em1",
        modern=True,
    )
    host = make_host(
        name,
        "192.168.1.3",
        [VhidSpec("em0", 1, ("192.168.1.50",), advskew=skew)],
        parent="em0",
        modern=True,
        sysctls=CarpSysctls(preempt=preempt),
        extra=(em1.interfaces[0],),
    )
    from dataclasses import replace

    return engine(replace(host, vhids=host.vhids + em1.vhids))


def test_link_down_demotes_and_other_vhids_advertise_240() -> None:
    a = _two_parents()
    a.start(0)
    a.handle_timer(3 * S)
    assert [s.state for s in a.status()] == [State.MASTER, State.MASTER]
    out = a.link_changed("em0", False, 4 * S + 1)
    assert [(t.vhid, t.old, t.new, t.reason) for t in of(Transition, out)] == [
        (1, State.MASTER, State.INIT, "hardware interface down")
    ]
    assert [(d.delta, d.total) for d in of(Demoted, out)] == [(240, 240)]
    assert a.sysctl("net.inet.carp.demotion") == 240
    ads = of(SendAdvert, out)
    assert [(x.vhid, wire.decode_carp(x.payload).advskew) for x in ads] == [(2, 240)]
    assert a.vhosts[1].ad_deadline == 4 * S + 1 + timing.tv(1, 240)
    back = a.link_changed("em0", True, 5 * S)
    assert [(t.vhid, t.new, t.reason) for t in of(Transition, back)] == [
        (1, State.BACKUP, "hardware interface up")
    ]
    assert a.sysctl("demotion") == 0


def test_demoted_master_is_preempted_by_peer() -> None:
    a = _two_parents(name="a")
    b = _two_parents(preempt=1, name="b", skew=100)
    w = Wire([a, b])
    w.start()
    w.run_until(20 * S)
    assert w.states()[("a", 2)] == "MASTER" and w.states()[("b", 2)] == "BACKUP"
    w.apply(a, a.link_changed("em0", False, w.now))
    w.run_until(40 * S)
    assert w.states()[("a", 2)] == "BACKUP" and w.states()[("b", 2)] == "MASTER"
    reasons = [x[5] for x in w.transitions() if x[1] == "b" and x[2] == 2]
    assert reasons[-1] == "preempting a slower master"


def test_demotion_clamp_and_floor() -> None:
    e = engine(provider())
    e.start(0)
    e.set_sysctl("demotion", 200, 0)
    assert e.vhosts[0].eff_skew() == 240
    e.set_sysctl("demotion", -350, 0)  # total -150
    assert e.sysctl("demotion") == -150 and e.vhosts[0].eff_skew() == 0
    out = e.handle_timer(e.next_timer() or 0)
    assert [wire.decode_carp(a.payload).advskew for a in of(SendAdvert, out)] == [0, 0]


def test_demotion_write_adds_and_masters_advertise_at_once() -> None:
    e = lone()
    e.handle_timer(3 * S)
    out = e.set_sysctl("net.inet.carp.demotion", 240, 3 * S + 7)
    assert [(d.delta, d.total, d.reason) for d in of(Demoted, out)] == [(240, 240, "sysctl")]
    assert [wire.decode_carp(a.payload).advskew for a in of(SendAdvert, out)] == [240]
    e.set_sysctl("demotion", 240, 3 * S + 8)
    assert e.sysctl("demotion") == 480
    assert of(Demoted, e.set_sysctl("demotion", -480, 4 * S))[0].log_line() == (
        "carp: demoted by -480 to 0 (sysctl)"
    )


def test_send_errors_demote_after_three_and_recover_after_three() -> None:
    e = lone()
    e.handle_timer(3 * S)
    assert e.send_result("carp0", 1, False, 3 * S) == []
    assert e.send_result("carp0", 1, False, 4 * S) == []
    out = e.send_result("carp0", 1, False, 5 * S)
    assert [d.delta for d in of(Demoted, out)] == [240]
    assert e.send_result("carp0", 1, False, 6 * S) == []  # no double demotion
    assert e.send_result("carp0", 1, True, 7 * S) == []
    assert e.send_result("carp0", 1, True, 8 * S) == []
    out = e.send_result("carp0", 1, True, 9 * S)
    assert [d.delta for d in of(Demoted, out)] == [-240] and e.sysctl("demotion") == 0


# --- ifconfig, sysctls, stop ---------------------------------------------------------------------


def test_admin_down_bows_out_and_up_waits_a_full_master_down() -> None:
    e = lone()
    e.handle_timer(3 * S)
    out = e.admin_down("carp0", 5 * S)
    ads = of(SendAdvert, out)
    assert len(ads) == 1 and ads[0].bow_out
    hdr = wire.decode_carp(ads[0].payload)
    assert (hdr.advbase, hdr.advskew) == (255, 255)
    assert [(t.old, t.new, t.reason) for t in of(Transition, out)] == [
        (State.MASTER, State.INIT, "user requested via ifconfig")
    ]
    assert len(of(RemoveVips, out)) == 1 and e.next_timer() is None
    up = e.admin_up("carp0", 6 * S)
    assert [(t.new, t.reason) for t in of(Transition, up)] == [
        (State.BACKUP, "user requested via ifconfig")
    ]
    assert e.next_timer() == 9 * S
    with pytest.raises(CarpError):
        e.admin_down("carp7", 6 * S)


def test_forced_state_and_ignored_in_init() -> None:
    e = lone()
    out = e.force_state("carp0", 1, "MASTER", S)
    assert [(t.new, t.reason) for t in of(Transition, out)] == [
        (State.MASTER, "user requested via ifconfig")
    ]
    out = e.force_state("fxp0", 1, "backup", 2 * S)
    assert [t.new for t in of(Transition, out)] == [State.BACKUP]
    assert e.force_state("carp0", 1, "backup", 2 * S) == []  # no change, no event
    e.link_changed("fxp0", False, 3 * S)
    assert e.force_state("carp0", 1, "master", 3 * S) == []
    with pytest.raises(CarpError):
        e.force_state("carp0", 1, "init", 3 * S)
    with pytest.raises(CarpError):
        e.force_state("carp0", 9, "master", 3 * S)


def test_configured_state_master_applies_at_start() -> None:
    h = make_host("a", "192.168.1.3", [VhidSpec("carp0", 1, ("192.168.1.50",), state="master")])
    out = engine(h).start(0)
    assert [t.new for t in of(Transition, out)] == [State.BACKUP, State.MASTER]


def test_allow_zero_puts_everything_in_init_and_back() -> None:
    e = engine(provider())
    e.start(0)
    out = e.set_sysctl("allow", 0, S)
    assert [(t.new, t.reason) for t in of(Transition, out)] == [
        (State.INIT, "hardware interface down"),
        (State.INIT, "hardware interface down"),
    ]
    assert e.sysctl("demotion") == 480 and e.next_timer() is None
    out = e.set_sysctl("allow", 1, 2 * S)
    assert [t.new for t in of(Transition, out)] == [State.BACKUP, State.BACKUP]
    assert e.sysctl("demotion") == 0


def test_unknown_sysctl_and_dscp_range() -> None:
    e = lone()
    with pytest.raises(CarpError, match="unknown oid"):
        e.set_sysctl("net.inet.carp.bogus", 1, 0)
    with pytest.raises(CarpError):
        e.set_sysctl("dscp", 64, 0)
    e.set_sysctl("dscp", 0x04, 0)
    out = e.handle_timer(3 * S)
    assert of(SendAdvert, out)[0].tos == 0x10
    assert e.sysctls()["net.inet.carp.preempt"] == 0


def test_graceful_stop_bows_out_from_every_master() -> None:
    e = engine(provider())
    e.start(0)
    e.handle_timer(e.next_timer() or 0)
    out = e.stop(4 * S)
    assert [wire.decode_carp(a.payload).advbase for a in of(SendAdvert, out)] == [255, 255]
    assert [t.new for t in of(Transition, out)] == [State.INIT, State.INIT]
    assert e.next_timer() is None and not e.running
    assert rx(e, V1) == []


# --- §9.24-25: notifications and the virtual MAC -------------------------------------------------


def test_one_notification_and_log_line_per_change() -> None:
    e = engine(
        make_host(
            "a",
            "192.168.1.3",
            [VhidSpec("em0", 1, ("192.168.1.50/32",))],
            parent="em0",
            modern=True,
        )
    )
    e.start(0)
    out = e.handle_timer(3 * S)
    notes = of(Notify, out)
    assert [n.devd() for n in notes] == ["system=CARP subsystem=1@em0 type=MASTER"]
    assert [t.log_line() for t in of(Transition, out)] == [
        "carp: 1@em0: BACKUP -> MASTER (master timed out)"
    ]
    assert of(Notify, e.handle_timer(4 * S)) == []


def test_virtual_mac_only_while_master() -> None:
    e = lone()
    assert of(AddVips, e.handle_timer(2 * S)) == []
    adds = of(AddVips, e.handle_timer(3 * S))
    assert [a.mac.hex(":") for a in adds] == ["00:00:5e:00:01:01"]
    assert adds[0].addresses == (ipaddress.ip_interface("192.168.1.50/24"),)


def test_status_snapshot() -> None:
    e = engine(provider())
    e.start(0)
    st = e.status()
    assert st[0].to_json(2 * S) == {
        "vhid": 1,
        "interface": "carp0",
        "parent": "fxp0",
        "state": "BACKUP",
        "carpver": 2,
        "advbase": 1,
        "advskew": 100,
        "peer": None,
        "peer6": None,
        "addresses": ["192.168.1.50/24"],
        "since": 2.0,
    }


def test_transition_table_is_the_spec() -> None:
    reasons = {rule.reason for rule in TRANSITIONS.values()}
    assert reasons == {
        "initialization complete",
        "master timed out",
        "preempting a slower master",
        "master will time out",
        "more frequent advertisement received",
        "user requested via ifconfig",
        "hardware interface down",
        "hardware interface up",
    }
    assert (State.INIT, Event.FORCE_MASTER) not in TRANSITIONS


def test_ipv6_vhid_sends_on_both_families_with_one_hmac() -> None:
    h = make_host(
        "a",
        "192.168.1.3",
        [
            VhidSpec(
                "carp0",
                3,
                ("192.168.1.50", "2001:db8::50/64"),
                password="secret",
                advbase=2,
                advskew=50,
            )
        ],
    )
    e = engine(h)
    e.start(0)
    out = e.handle_timer(e.next_timer() or 0)
    ads = of(SendAdvert, out)
    assert [(a.family, str(a.dst)) for a in ads] == [(4, "224.0.0.18"), (6, "ff02::12")]
    c4, c6 = (wire.decode_carp(a.payload).counter for a in ads)
    assert c6 == c4 + 1
    auth = wire.CarpAuth(carp_key("secret"), 3, [A("2001:db8::50"), A("192.168.1.50")])
    assert all(auth.verify(wire.decode_carp(a.payload).counter, a.payload[16:]) for a in ads)
    assert e.counters.opackets == 1 and e.counters.opackets6 == 1


def test_each_rejection_says_why_in_the_same_words() -> None:
    """The drop reasons are formatted only when read (a flood costs no string per packet): the
    log lines read as they did when they were built for every packet."""
    e = lone()
    raw = bytearray(V1)
    raw[6] ^= 0xFF  # checksum
    wrong_vhid = bytearray(V1)
    wrong_vhid[1] = 9
    forged = bytearray(V1)
    forged[15] = 2
    cases = [
        (V1[:6], 255, "carp: fxp0: 6-byte advert from 192.168.1.9"),
        (bytes([0x11]) + V1[1:], 255, "carp: fxp0: version 1 advert from 192.168.1.9"),
        (V1[:20], 255, "carp: fxp0: 20-byte advert from 192.168.1.9"),
        (bytes(raw), 255, "carp: fxp0: bad checksum from 192.168.1.9"),
        (refill(wrong_vhid), 255, "carp: fxp0: no vhid 9 on fxp0 for IPv4"),
        (V1, 64, "carp: fxp0: TTL 64 from 192.168.1.9, vhid 1"),
        (refill(forged), 255, "carp: fxp0: bad authentication from 192.168.1.9, vhid 1"),
    ]
    for payload, ttl, line in cases:
        drops = of(Dropped, rx(e, payload, ttl=ttl))
        assert [d.log_line() for d in drops] == [line]
