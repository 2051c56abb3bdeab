"""Hypothesis properties: any bytes get a verdict, codecs round-trip, engine invariants hold."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from rcnet.carp import packet, timing, wire
from rcnet.carp.actions import Dropped, State
from rcnet.carp.counters import COUNTER_NAMES
from rcnet.carp.engine import Engine
from rcnet.model import CarpSysctls, carp_key

from .handbook import VhidSpec, make_host, provider
from .helpers import S, engine, of

A = ipaddress.ip_address
SRC = ipaddress.IPv4Address("192.168.1.9")
DROP_COUNTERS = COUNTER_NAMES - {"ipackets", "ipackets6", "opackets", "opackets6", "preempt"}


def started(host_preempt: int = 0) -> Engine:
    e = engine(provider(sysctls=CarpSysctls(preempt=host_preempt)))
    e.start(0)
    return e


def carpish() -> st.SearchStrategy[bytes]:
    """Bytes that often look like CARP: a 0x21/0x31 start, a known vhid, sometimes 36 long."""
    head = st.sampled_from([b"\x21\x01", b"\x21\x02", b"\x31\x01", b"\x21\x09", b""])
    return st.builds(lambda h, rest: h + rest, head, st.binary(max_size=80))


@settings(deadline=None, max_examples=300)
@given(payload=st.one_of(st.binary(max_size=100), carpish()), ttl=st.integers(0, 255))
def test_any_payload_gets_a_verdict_and_at_most_one_counter(payload: bytes, ttl: int) -> None:
    e = started()
    before = e.counters.as_dict()
    out = e.handle_packet("fxp0", SRC, wire.CARP_GROUP4, ttl, payload, S)
    after = e.counters.as_dict()
    assert after["ipackets"] == before["ipackets"] + 1
    bumped = {k for k in DROP_COUNTERS if after[k] != before[k]}
    drops = of(Dropped, out)
    assert len(drops) <= 1
    if drops:
        assert drops[0].counter in DROP_COUNTERS and bumped == {drops[0].counter}
    else:
        assert bumped == set()


@settings(deadline=None, max_examples=200)
@given(data=st.binary(max_size=120), v6=st.booleans())
def test_any_ip_packet_or_frame_is_handled(data: bytes, v6: bool) -> None:
    e = started()
    if v6 and data:
        data = bytes([0x60 | (data[0] & 0x0F)]) + data[1:]
    out = e.handle_ip_packet("fxp0", data, S)
    # random bytes are never an authenticated advert: one verdict, a drop, and no state change
    assert len(out) == 1 and isinstance(out[0], Dropped), out
    for parse in (packet.parse_ethernet, packet.parse_sll, packet.parse_sll2):
        with contextlib.suppress(wire.WireError):
            got = parse(data)
            # what a parser finds is inside the bytes it was given, never made up
            assert got is None or got.payload in data
    with contextlib.suppress(wire.WireError):
        kind, found = packet.sniff(data)
        assert kind in ("ip", "ethernet", "header") and (found is None or found.payload in data)


@settings(deadline=None)
@given(
    vhid=st.integers(0, 255),
    advbase=st.integers(0, 255),
    advskew=st.integers(0, 255),
    counter=st.integers(0, 2**64 - 1),
    md=st.binary(min_size=20, max_size=20),
    demote=st.integers(0, 255),
    version=st.integers(0, 15),
    type_=st.integers(0, 15),
)
def test_carp_header_round_trip(
    vhid: int,
    advbase: int,
    advskew: int,
    counter: int,
    md: bytes,
    demote: int,
    version: int,
    type_: int,
) -> None:
    h = wire.CarpHeader(vhid, advbase, advskew, counter, md, version, type_, 7, demote)
    raw = h.pack()
    assert len(raw) == 36 and wire.carp_checksum_ok(raw)
    back = wire.decode_carp(raw)
    assert back == wire.CarpHeader(
        vhid, advbase, advskew, counter, md, version, type_, 7, demote, back.checksum
    )
    assert back.pack(fill_checksum=False) == raw


ipv4s = st.builds(ipaddress.IPv4Address, st.integers(0, 2**32 - 1))
ipv6s = st.builds(ipaddress.IPv6Address, st.integers(0, 2**128 - 1))


@settings(deadline=None)
@given(
    key=st.binary(max_size=100),
    vhid=st.integers(0, 255),
    addresses=st.lists(st.one_of(ipv4s, ipv6s), max_size=4),
    counter=st.integers(0, 2**64 - 1),
    advbase=st.integers(0, 255),
    advskew=st.integers(0, 255),
    demote=st.integers(0, 255),
)
def test_the_send_fast_path_matches_the_plain_definitions(
    key: bytes,
    vhid: int,
    addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address],
    counter: int,
    advbase: int,
    advskew: int,
    demote: int,
) -> None:
    # CarpAuth keeps RFC 2104's two SHA-1 states itself: the same bytes as the hmac module,
    # keys longer than a block included; build_carp packs what CarpHeader.pack would
    auth = wire.CarpAuth(key, vhid, addresses)
    message = wire.hmac_message_prefix(vhid, addresses) + counter.to_bytes(8, "big")
    md = hmac.new(key, message, hashlib.sha1).digest()
    assert auth.digest(counter) == md and auth.verify(counter, md)
    raw = wire.build_carp(auth, vhid, advbase, advskew, counter, demote)
    assert raw == wire.CarpHeader(vhid, advbase, advskew, counter, md, demote=demote).pack()
    assert wire.carp_fields(raw) == (advbase, advskew, counter, md)
    # the per-vhid template a MASTER sends from: byte-identical, also after its fields change
    # (a bow-out, a demotion) and back
    adverts = wire.CarpAdverts(auth, vhid)
    assert adverts.build(advbase, advskew, counter, demote) == raw
    after = (counter + 1) & (2**64 - 1)
    bow_out = wire.build_carp(auth, vhid, wire.BOW_OUT, wire.BOW_OUT, after)
    assert adverts.build(wire.BOW_OUT, wire.BOW_OUT, after) == bow_out
    assert adverts.build(advbase, advskew, counter, demote) == raw


@settings(deadline=None)
@given(
    vrid=st.integers(0, 255),
    prio=st.integers(0, 255),
    interval=st.integers(0, 0xFFF),
    v4=st.lists(ipv4s, max_size=5),
    v6=st.lists(ipv6s, max_size=3),
    family=st.sampled_from([4, 6]),
)
def test_vrrp_round_trip(
    vrid: int,
    prio: int,
    interval: int,
    v4: list[ipaddress.IPv4Address],
    v6: list[ipaddress.IPv6Address],
    family: int,
) -> None:
    src = A("192.168.1.3") if family == 4 else A("fe80::3")
    dst = wire.CARP_GROUP4 if family == 4 else wire.CARP_GROUP6
    raw = wire.build_vrrp(vrid, prio, interval, [*v4, *v6], src, dst)
    assert wire.vrrp_checksum_ok(raw, src, dst)
    h = wire.decode_vrrp(raw, family)
    assert (h.vrid, h.priority, h.interval) == (vrid, prio, interval)
    assert list(h.addresses) == (v4 if family == 4 else v6)


@settings(deadline=None)
@given(src=ipv4s, dst=ipv4s, payload=st.binary(max_size=60), ident=st.integers(0, 0xFFFF))
def test_ipv4_round_trip(
    src: ipaddress.IPv4Address, dst: ipaddress.IPv4Address, payload: bytes, ident: int
) -> None:
    dgram = packet.build_ipv4(src, dst, payload, ident=ident)
    assert wire.inet_checksum(dgram[:20]) == 0
    ip = packet.parse_ip(dgram)
    assert (ip.src, ip.dst, ip.ttl, ip.proto, ip.payload) == (src, dst, 255, 112, payload)


@settings(deadline=None, max_examples=200)
@given(
    advbase=st.integers(0, 255),
    advskew=st.integers(0, 255),
    counter=st.integers(0, 2**64 - 1),
)
def test_any_signed_advert_passes_the_pipeline(advbase: int, advskew: int, counter: int) -> None:
    e = started()
    auth = wire.CarpAuth(carp_key("testpass"), 1, [A("192.168.1.50")])
    raw = wire.build_carp(auth, 1, advbase, advskew, counter)
    out = e.handle_packet("fxp0", SRC, wire.CARP_GROUP4, 255, raw, S)
    assert of(Dropped, out) == []
    # Adopted; one more if the advert made us MASTER (we advertise at once).
    sent = 1 if e.vhosts[0].state is State.MASTER else 0
    assert e.vhosts[0].counter == (counter + sent) % 2**64


@settings(deadline=None)
@given(base=st.integers(1, 255), skew=st.integers(0, 255), demotion=st.integers(-1000, 1000))
def test_timing_is_exact_and_clamped(base: int, skew: int, demotion: int) -> None:
    assert timing.master_down_interval(base, skew) == 3 * base * 10**6 + skew * 10**6 // 256
    eff = timing.effective_skew(skew, demotion)
    assert 0 <= eff <= 240
    assert timing.advert_interval(base, skew, demotion) == timing.tv(base, eff)
    assert timing.from_seconds(timing.format_seconds(timing.tv(base, skew))) == timing.tv(
        base, skew
    )


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("link"), st.booleans()),
        st.tuples(st.just("admin"), st.booleans()),
        st.tuples(st.just("allow"), st.booleans()),
        st.tuples(st.just("senderr"), st.booleans()),
        st.tuples(st.just("force"), st.booleans()),
        st.tuples(st.just("timer"), st.booleans()),
        st.tuples(st.just("heard"), st.booleans()),
    ),
    max_size=30,
)


def heard(e: Engine, vhid: int, more_frequent: bool, now: int) -> None:
    """An advert of a peer (192.168.1.4, same pass) for `vhid`, faster or slower than ours."""
    vh = e.vhosts[vhid - 1]
    payload = wire.build_carp(vh.auth, vhid, 1, 0 if more_frequent else 200, vh.counter + 1)
    e.handle_packet(
        "fxp0", ipaddress.IPv4Address("192.168.1.4"), wire.CARP_GROUP4, 255, payload, now
    )


def naive_next_timer(e: Engine) -> int | None:
    due = [d for vh in e.vhosts if (d := vh.next_deadline()) is not None]
    return min(due) if due and e.running else None


@settings(deadline=None, max_examples=150)
@given(ops=OPS)
def test_engine_invariants_under_random_operations(ops: list[tuple[str, bool]]) -> None:
    host = make_host(
        "a",
        "192.168.1.3",
        [VhidSpec("carp0", 1, ("192.168.1.50",)), VhidSpec("carp1", 2, ("192.168.1.51",))],
    )
    e = engine(host)
    now = 0
    e.start(now)
    for op, flag in ops:
        now += 250_000
        if op == "link":
            e.link_changed("fxp0", flag, now)
        elif op == "admin":
            (e.admin_up if flag else e.admin_down)("carp0", now)
        elif op == "allow":
            e.set_sysctl("allow", int(flag), now)
        elif op == "senderr":
            e.send_result("carp1", 2, flag, now)
        elif op == "force":
            e.force_state("carp1", 2, "master" if flag else "backup", now)
        elif op == "heard":
            heard(e, 1 + now % 2, flag, now)
        else:
            t = e.next_timer()
            if t is not None:
                now = max(now, t)
                e.handle_timer(now)
        # the heap of wake-ups answers what a walk over every vhid would
        assert e.next_timer() == naive_next_timer(e)
        for vh in e.vhosts:
            if vh.state is State.MASTER:
                assert vh.ad_deadline is not None
            if vh.state is State.BACKUP:
                assert any(d is not None for d in vh.md_deadline.values())
            if vh.state is State.INIT:
                assert vh.next_deadline() is None
            if not vh.can_run():
                assert vh.state is State.INIT
        # Demotion is exactly what is still owed: ifdown per vhid plus send errors.
        owed = sum(vh.ifdown_demotion + vh.senderr_demotion for vh in e.vhosts)
        assert e.sysctl("demotion") == owed


def test_a_backup_hearing_its_master_for_hours_keeps_a_small_heap() -> None:
    host = make_host(
        "b",
        "192.168.1.3",
        [VhidSpec("carp0", 1, ("192.168.1.50",)), VhidSpec("carp1", 2, ("192.168.1.51",))],
    )
    e = engine(host)
    e.start(0)
    for second in range(1, 10_001):
        for vhid in (1, 2):
            heard(e, vhid, True, second * S)
        assert e.next_timer() == naive_next_timer(e) == second * S + timing.tv(3, 0)
    assert [vh.state for vh in e.vhosts] == [State.BACKUP, State.BACKUP]
    assert len(e.ctx.wakeups) <= 2 * len(e.vhosts)


@settings(deadline=None, max_examples=300)
@given(data=st.one_of(st.binary(max_size=120), carpish()), with_key=st.booleans())
def test_decode_describes_any_bytes(data: bytes, with_key: bool) -> None:
    from rcnet.carp import describe

    def keyring(vhid: int, src: object) -> tuple[bytes, list[ipaddress.IPv4Address]]:
        return carp_key("testpass"), [ipaddress.IPv4Address("192.168.1.50")]

    result = describe.describe_bytes(data, keyring if with_key else None)
    assert ("error" in result) != ("checksum_ok" in result)
    if "auth" in result:
        assert result["auth"] in ("ok", "bad", "unchecked")
