"""The simulator on the Handbook's three hosts: failover, bow-out, preemption, nudge, partitions."""

from __future__ import annotations

import time

import pytest

from rcnet.carp import timing
from rcnet.carp.sim import SimError, Simulator, parse_event
from rcnet.model import CarpSysctls, Host

from .handbook import VhidSpec, handbook, hosta, hostb, make_host, provider

HA, HB, PR = "hosta.example.org", "hostb.example.org", "provider.example.org"
ONE, TWO = "1@192.168.1.0/24", "2@192.168.1.0/24"


def sim(*events: str, until: float = 60, preempt: bool = False, seed: int = 0) -> Simulator:
    s = Simulator(handbook(), [parse_event(e) for e in events], seed=seed, preempt=preempt)
    s.run(timing.from_seconds(until))
    return s


def lines(s: Simulator, since: float = 0.0) -> list[str]:
    return [t.text() for t in s.transitions if t.t >= timing.from_seconds(since)]


def test_startup_elects_the_handbook_masters() -> None:
    s = sim(until=30)
    assert lines(s) == [
        f"0.000000 {HA} 1@carp0 INIT -> BACKUP (initialization complete)",
        f"0.000000 {HB} 2@carp0 INIT -> BACKUP (initialization complete)",
        f"0.000000 {PR} 1@carp0 INIT -> BACKUP (initialization complete)",
        f"0.000000 {PR} 2@carp1 INIT -> BACKUP (initialization complete)",
        f"3.000000 {HA} 1@carp0 BACKUP -> MASTER (master timed out)",
        f"3.000000 {HB} 2@carp0 BACKUP -> MASTER (master timed out)",
    ]
    assert s.masters() == {ONE: [HA], TWO: [HB]}


def test_hosta_killed_provider_takes_over_one_master_down_after_last_advert() -> None:
    s = sim("10.5:kill hosta")
    # hosta's last advert left at 10.0; provider waits 3 s + 100/256 s.
    assert lines(s, since=4) == [f"13.390625 {PR} 1@carp0 BACKUP -> MASTER (master timed out)"]
    assert s.transitions[-1].to_json() == {
        "t": 13.390625,
        "host": PR,
        "vhid": 1,
        "interface": "carp0",
        "from": "BACKUP",
        "to": "MASTER",
        "reason": "master timed out",
    }
    assert s.masters() == {ONE: [PR], TWO: [HB]}


def test_kill_at_an_advert_instant_runs_before_the_timer() -> None:
    s = sim("10:kill hosta")
    assert lines(s, since=4) == [f"12.390625 {PR} 1@carp0 BACKUP -> MASTER (master timed out)"]


def test_graceful_stop_hands_over_at_once() -> None:
    s = sim("10:stop hosta")
    assert lines(s, since=4) == [
        f"10.000000 {HA} 1@carp0 MASTER -> INIT (user requested via ifconfig)",
        f"10.000000 {PR} 1@carp0 BACKUP -> MASTER (master will time out)",
    ]


def test_hosta_back_without_preemption_stays_backup() -> None:
    s = sim("10:kill hosta", "20:start hosta", until=60)
    assert lines(s, since=14) == [
        f"20.000000 {HA} 1@carp0 INIT -> BACKUP (initialization complete)"
    ]
    assert s.masters()[ONE] == [PR]


def test_hosta_back_with_preemption_takes_over() -> None:
    s = sim("10:kill hosta", "20:start hosta", until=60, preempt=True)
    # provider MASTER at 12.390625, adverts every 1.390625 s: 5 later is 19.34375, then 20.734375.
    assert lines(s, since=14) == [
        f"20.000000 {HA} 1@carp0 INIT -> BACKUP (initialization complete)",
        f"20.734375 {HA} 1@carp0 BACKUP -> MASTER (preempting a slower master)",
        f"20.734375 {PR} 1@carp0 MASTER -> BACKUP (more frequent advertisement received)",
    ]
    assert s.masters() == {ONE: [HA], TWO: [HB]}


def test_preempt_event_switches_it_on_later() -> None:
    s = sim("10:kill hosta", "20:start hosta", "30:preempt 1", until=60)
    assert s.masters()[ONE] == [HA]
    tr = [t for t in s.transitions if t.reason == "preempting a slower master"]
    assert len(tr) == 1 and tr[0].t > timing.from_seconds(30)


def test_the_handbook_nudge() -> None:
    s = sim("10:kill hosta", "20:start hosta", "30:down provider:carp0", "31:up provider:carp0")
    assert lines(s, since=29) == [
        f"30.000000 {PR} 1@carp0 MASTER -> INIT (user requested via ifconfig)",
        f"30.000000 {HA} 1@carp0 BACKUP -> MASTER (master will time out)",
        f"31.000000 {PR} 1@carp0 INIT -> BACKUP (user requested via ifconfig)",
    ]
    assert s.masters() == {ONE: [HA], TWO: [HB]}


def test_link_down_on_the_parent_is_a_hardware_event() -> None:
    s = sim("10.5:down hosta:fxp0", "20.5:up hosta:fxp0", until=40)
    assert lines(s, since=4) == [
        f"10.500000 {HA} 1@carp0 MASTER -> INIT (hardware interface down)",
        f"13.390625 {PR} 1@carp0 BACKUP -> MASTER (master timed out)",
        f"20.500000 {HA} 1@carp0 INIT -> BACKUP (hardware interface up)",
    ]
    e = s.engine("hosta")
    assert e is not None and e.sysctl("demotion") == 0


def test_partition_then_heal_converges_to_one_master_per_vhid() -> None:
    s = sim("10:partition hosta|provider", "20:heal", until=40)
    assert lines(s, since=4) == [
        f"12.390625 {PR} 1@carp0 BACKUP -> MASTER (master timed out)",
        f"12.390625 {PR} 2@carp1 BACKUP -> MASTER (master timed out)",
        f"20.000000 {PR} 1@carp0 MASTER -> BACKUP (more frequent advertisement received)",
        f"20.000000 {PR} 2@carp1 MASTER -> BACKUP (more frequent advertisement received)",
    ]
    assert s.masters() == {ONE: [HA], TWO: [HB]}


def test_split_brain_during_partition_is_in_the_summary() -> None:
    s = sim("10:partition hosta,hostb|provider", until=15)
    assert s.masters() == {ONE: [HA, PR], TWO: [HB, PR]}


def test_mismatched_pass_makes_both_masters_and_counts_badauth() -> None:
    hosts = [hosta(), provider(password="other")]
    s = Simulator(hosts)
    s.run(timing.from_seconds(10))
    assert s.masters()[ONE] == [HA, PR]
    a, p = s.engine("hosta"), s.engine("provider")
    assert a is not None and p is not None
    assert a.counters.badauth > 0 and p.counters.badauth > 0


def test_loss_is_seeded_and_deterministic() -> None:
    one = [t.text() for t in sim("5:loss 60", until=120, seed=3).transitions]
    two = [t.text() for t in sim("5:loss 60", until=120, seed=3).transitions]
    other = [t.text() for t in sim("5:loss 60", until=120, seed=4).transitions]
    assert one == two
    assert len(one) > 6  # 60 % loss makes provider grab the vhids now and then
    assert one != other


def test_heal_ends_loss() -> None:
    s = sim("5:loss 100", "20:heal", until=40)
    assert s.masters() == {ONE: [HA], TWO: [HB]}
    assert s.loss == 0


def test_first_event_start_delays_the_boot() -> None:
    s = sim("7:start provider", until=20)
    firsts = [t for t in s.transitions if t.host == PR]
    assert firsts[0].t == timing.from_seconds(7)


def test_one_hour_of_the_handbook_is_fast() -> None:
    t0 = time.perf_counter()
    s = sim(until=3600)
    assert time.perf_counter() - t0 < 2.0
    a = s.engine("hosta")
    assert a is not None and a.counters.opackets == 3598


def test_preempt_sysctl_from_the_host_counts() -> None:
    hosts = [hosta(sysctls=CarpSysctls(preempt=1)), hostb(), provider()]
    s = Simulator(hosts, [parse_event("10:kill hosta"), parse_event("20:start hosta")])
    s.run(timing.from_seconds(30))
    assert s.masters()[ONE] == [HA]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("kill hosta", "expected TIME:ACTION"),
        ("x:kill hosta", "not a time"),
        ("-1:kill hosta", "negative"),
        ("1:explode hosta", "action must be one of"),
        ("1:down hosta", "NAME:IF"),
        ("1:loss 101", "percentage"),
        ("1:preempt 2", "0 or 1"),
        ("1:heal now", "no argument"),
        ("1:partition |a", "NAME,NAME|NAME"),
    ],
)
def test_malformed_events(spec: str, message: str) -> None:
    with pytest.raises(SimError, match=message):
        parse_event(spec)


def test_unknown_host_and_interface() -> None:
    with pytest.raises(SimError, match="no host named hostz"):
        Simulator(handbook(), [parse_event("1:kill hostz")])
    with pytest.raises(SimError, match="has no interface em7"):
        Simulator(handbook(), [parse_event("1:down hosta:em7")])
    with pytest.raises(SimError, match="two hosts named"):
        Simulator([hosta(), hosta()])


def _modern(name: str, ip: str, skew: int, peer: str | None = None) -> Host:
    spec = VhidSpec("em0", 1, ("192.168.1.50/32",), advskew=skew, peer=peer)
    return make_host(name, ip, [spec], parent="em0", modern=True)


def test_down_on_a_modern_vhid_interface_is_ifconfig_down() -> None:
    hosts = [_modern("a", "192.168.1.3", 0), _modern("b", "192.168.1.4", 100)]
    s = Simulator(hosts, [parse_event("10:down a:em0"), parse_event("12:up a:em0")])
    s.run(timing.from_seconds(20))
    assert [t.text() for t in s.transitions if t.t >= timing.from_seconds(9)] == [
        "10.000000 a 1@em0 MASTER -> INIT (user requested via ifconfig)",
        "10.000000 b 1@em0 BACKUP -> MASTER (master will time out)",
        "12.000000 a 1@em0 INIT -> BACKUP (user requested via ifconfig)",
    ]


def test_unicast_peers_reach_only_each_other() -> None:
    hosts = [
        _modern("a", "192.168.1.3", 0, peer="192.168.1.4"),
        _modern("b", "192.168.1.4", 100, peer="192.168.1.3"),
        _modern("c", "192.168.1.5", 200),
    ]
    s = Simulator(hosts)
    s.run(timing.from_seconds(10))
    a, b, c = (s.engine(n) for n in "abc")
    assert a is not None and b is not None and c is not None
    assert b.counters.ipackets > 0 and c.counters.ipackets == 0
    assert s.masters() == {"1@192.168.1.0/24": ["a", "c"]}
