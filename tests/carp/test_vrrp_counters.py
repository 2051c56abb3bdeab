"""VRRPv3 mode (FreeBSD's `carpver 3`, keepalived's protocol) and the carpstats renderings."""

from __future__ import annotations

import ipaddress

from rcnet.carp import wire
from rcnet.carp.actions import Dropped, SendAdvert, State, Transition
from rcnet.carp.counters import LIBXO_KEYS, Counter, Counters
from rcnet.carp.engine import Engine
from rcnet.model import CarpSysctls, Host

from .handbook import VhidSpec, make_host
from .helpers import S, Wire, engine, of

A = ipaddress.ip_address
GROUP = wire.CARP_GROUP4
PEER = ipaddress.IPv4Address("192.168.1.9")


def vrrp_host(name: str, ip: str, prio: int, preempt: int = 0) -> Host:
    spec = VhidSpec("em0", 7, ("192.168.1.50/32",), version=3, vrrp_prio=prio)
    return make_host(
        name, ip, [spec], parent="em0", modern=True, sysctls=CarpSysctls(preempt=preempt)
    )


def lone(prio: int = 100) -> Engine:
    e = engine(vrrp_host("a", "192.168.1.3", prio))
    e.start(0)
    return e


def advert(prio: int, interval: int = 100, src: ipaddress.IPv4Address = PEER) -> bytes:
    return wire.build_vrrp(7, prio, interval, [A("192.168.1.50")], src, GROUP)


def test_vrrp_master_down_and_adverts() -> None:
    e = lone()
    # 3 x 100 cs + (256 - 100) x 100 / 256 cs (60, integer centiseconds) = 3.6 s
    assert e.next_timer() == 3_600_000
    out = e.handle_timer(3_600_000)
    assert [t.reason for t in of(Transition, out)] == ["master timed out"]
    ads = of(SendAdvert, out)
    assert len(ads) == 1 and ads[0].dst == GROUP and ads[0].multicast
    h = wire.decode_vrrp(ads[0].payload, 4)
    assert (h.version, h.vrid, h.priority, h.interval, h.addresses) == (
        3,
        7,
        100,
        100,
        (A("192.168.1.50"),),
    )
    assert wire.vrrp_checksum_ok(ads[0].payload, A("192.168.1.3"), GROUP)
    assert e.next_timer() == 4_600_000


def test_vrrp_higher_priority_wins_on_a_segment() -> None:
    low = engine(vrrp_host("low", "192.168.1.3", 100))
    high = engine(vrrp_host("high", "192.168.1.4", 200), seed=2)
    w = Wire([low, high])
    w.start()
    w.run_until(20 * S)
    assert w.states() == {("low", 7): "BACKUP", ("high", 7): "MASTER"}


def test_vrrp_master_yields_to_higher_priority_and_to_higher_address_on_a_tie() -> None:
    e = lone()
    e.handle_timer(e.next_timer() or 0)
    assert of(Transition, e.handle_packet("em0", PEER, GROUP, 255, advert(100, src=PEER), 5 * S))
    assert e.status()[0].state is State.BACKUP
    e2 = lone()
    e2.handle_timer(e2.next_timer() or 0)
    lower = ipaddress.IPv4Address("192.168.1.2")
    assert e2.handle_packet("em0", lower, GROUP, 255, advert(100, src=lower), 5 * S) == []
    assert e2.status()[0].state is State.MASTER


def test_vrrp_priority_zero_means_take_over_after_skew_time() -> None:
    e = lone()
    assert e.handle_packet("em0", PEER, GROUP, 255, advert(0), S) == []
    # Skew_Time = (256 - 100) x 100 / 256 cs = 60 cs
    assert e.next_timer() == S + 600_000


def test_vrrp_preempt_and_owner() -> None:
    e = engine(vrrp_host("a", "192.168.1.3", 200, preempt=1))
    e.start(0)
    out = e.handle_packet("em0", PEER, GROUP, 255, advert(100), S)
    assert [t.reason for t in of(Transition, out)] == ["preempting a slower master"]
    owner = lone(prio=255)
    assert owner.next_timer() == 0
    assert [t.new for t in of(Transition, owner.handle_timer(0))] == [State.MASTER]


def test_vrrp_pipeline_counters() -> None:
    e = lone()
    assert [
        d.counter for d in of(Dropped, e.handle_packet("em0", PEER, GROUP, 254, advert(100), S))
    ] == ["badttl"]
    bad = bytearray(advert(100))
    bad[7] ^= 1
    assert [
        d.counter for d in of(Dropped, e.handle_packet("em0", PEER, GROUP, 255, bytes(bad), S))
    ] == ["badsum"]
    carp = wire.build_carp(wire.CarpAuth(bytes(20), 7, [A("192.168.1.50")]), 7, 1, 0, 1)
    assert [d.counter for d in of(Dropped, e.handle_packet("em0", PEER, GROUP, 255, carp, S))] == [
        "badver"
    ]
    assert [
        d.counter for d in of(Dropped, e.handle_packet("em0", PEER, GROUP, 255, advert(100)[:9], S))
    ] == ["badlen"]


def test_vrrp_stop_sends_priority_zero() -> None:
    e = lone()
    e.handle_timer(e.next_timer() or 0)
    ads = of(SendAdvert, e.stop(5 * S))
    assert [wire.decode_vrrp(a.payload, 4).priority for a in ads] == [0]


def test_vrrp_status_json() -> None:
    got = lone().status()[0].to_json(0)
    assert (got["carpver"], got["vrrpprio"], got["vrrpinterval"]) == (3, 100, 100)


# --- counters --------------------------------------------------------------------------------


def test_netstat_rendering() -> None:
    c = Counters(ipackets=1, badttl=2, badsum=1, opackets=3)
    text = c.render()
    assert text.splitlines()[:5] == [
        "carp:",
        "\t1 packet received (IPv4)",
        "\t0 packets received (IPv6)",
        "\t\t2 packets discarded for wrong TTL",
        "\t\t0 packets shorter than header",
    ]
    assert "\t\t1 discarded for bad checksum\n" in text
    assert "\t3 packets sent (IPv4)\n" in text
    assert "\t\t0 send failed due to mbuf memory error\n" in text
    assert c.render(zeros=False) == (
        "carp:\n\t1 packet received (IPv4)\n\t\t2 packets discarded for wrong TTL\n"
        "\t\t1 discarded for bad checksum\n\t3 packets sent (IPv4)\n"
    )


def test_libxo_keys() -> None:
    c = Counters()
    c.bump(Counter.BADAUTH)
    c.bump(Counter.IPACKETS6)
    j = c.to_json()
    assert j["dropped-bad-authentication"] == 1 and j["received-inet6-packets"] == 1
    for key in (
        "received-inet-packets",
        "dropped-wrong-ttl",
        "dropped-short-header",
        "dropped-bad-checksum",
        "dropped-bad-version",
        "dropped-short-packet",
        "dropped-bad-vhid",
        "dropped-bad-address-list",
        "sent-inet-packets",
        "sent-inet6-packets",
        "send-failed-memory-error",
    ):
        assert j[key] == 0
    assert set(LIBXO_KEYS) == set(c.as_dict())
    c.zero()
    assert set(c.as_dict().values()) == {0}
