"""Reloads on real daemons: the control request's answer, no false takeover when a family
leaves a vhid, addresses that left the file leave the macvlan, and an IPv6 vhid whose parent has
no address of its own yet waits for its link-local instead of being demoted for send errors."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from rcnet.daemon.control import request

from .rig import MASTER_DOWN, Rig, wait_for

MARGIN = 1.0
V6 = {
    "ifconfig_fxp0_ipv6": "inet6 2001:db8::{n}/64",
    "ifconfig_carp0_ipv6": "inet6 vhid 1 {skew}pass testpass 2001:db8::50/64",
}
HOST_N = {"hosta": 3, "provider": 5}


def dual_stack(rig: Rig, host: str) -> Path:
    """The Handbook's host with an IPv6 address on fxp0 and an IPv6 VIP on vhid 1."""
    skew = "advskew 100 " if host == "provider" else ""
    return rig.conf(
        host,
        f"{host}.conf",
        ifconfig_fxp0_ipv6=V6["ifconfig_fxp0_ipv6"].format(n=HOST_N[host]),
        ifconfig_carp0_ipv6=V6["ifconfig_carp0_ipv6"].format(skew=skew),
    )


def reload_answer(rig: Rig, host: str) -> dict[str, object]:
    return request(rig.control(host), {"cmd": "reload"}, timeout=15)


def test_reload_request_answers_changes_and_findings(rig: Rig) -> None:
    conf = dual_stack(rig, "hosta")
    rig.start("hosta", conf)
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 2)
    assert reload_answer(rig, "hosta") == {"ok": True, "changes": []}

    text = conf.read_text()
    conf.write_text(text.replace('ifconfig_carp0_ipv6="inet6 vhid 1 pass testpass', "#"))
    answer = reload_answer(rig, "hosta")
    assert answer["ok"] is True
    assert "vhid 1@carp0: address 2001:db8::50/64 removed" in answer["changes"]  # type: ignore[operator]

    # a refusal names each finding with its place; the running state is kept
    conf.write_text(text.replace("vhid 1 pass", "vhid 1 advskew 300 pass", 1))
    refused = reload_answer(rig, "hosta")
    assert refused["ok"] is False and isinstance(refused["error"], str)
    findings = refused["findings"]
    assert isinstance(findings, list) and findings
    first = findings[0]
    assert {"file", "line", "column", "severity", "code", "message"} <= set(first)
    assert first["severity"] == "error" and first["line"] == 5
    assert rig.daemons["hosta"].state(1) == "MASTER"
    # SIGHUP takes the same path and logs the refusal at error level, in the same words
    rig.send_signal("hosta", signal.SIGHUP)
    wait_for("the logged refusal", lambda: "rcnet: reload refused" in rig.daemons["hosta"].log(), 5)


def test_dropping_the_ipv6_vip_on_both_hosts_causes_no_takeover(rig: Rig) -> None:
    """hosta BACKUP, provider MASTER of vhid 1 with an IPv4 and an IPv6 VIP; both files drop the
    IPv6 VIP and both daemons reload at once. FreeBSD's `ifconfig carp0 inet6 ... -alias` on
    both gives no transition (ip_carp.c: carp_setrun re-arms the master-down timer of the
    families that remain); a kept IPv6 master-down deadline fired 2.5 s later."""
    a_conf, p_conf = dual_stack(rig, "hosta"), dual_stack(rig, "provider")
    provider = rig.start("provider", p_conf)
    rig.wait_state("provider", 1, "MASTER", MASTER_DOWN[100] + 2)
    hosta = rig.start("hosta", a_conf)
    rig.wait_state("hosta", 1, "BACKUP", 3)
    assert rig.has_address("provider", "2001:db8::50/64")
    before_a, before_p = len(hosta.transitions()), len(provider.transitions())

    for conf in (a_conf, p_conf):
        text = conf.read_text()
        conf.write_text(text.replace('ifconfig_carp0_ipv6="inet6 vhid 1', "#"))
    rig.send_signal("hosta", signal.SIGHUP)
    rig.send_signal("provider", signal.SIGHUP)
    for daemon in (hosta, provider):
        wait_for(f"{daemon.host}'s reload", lambda d=daemon: "rcnet: reloaded" in d.log(), 5)
    time.sleep(MASTER_DOWN[0] + MARGIN)  # beyond the IPv6 deadline the reload must have cleared
    assert hosta.transitions()[before_a:] == [], hosta.log()
    assert provider.transitions()[before_p:] == [], provider.log()
    assert provider.state(1) == "MASTER" and hosta.state(1) == "BACKUP"
    # the address that left the files left the macvlans; the IPv4 VIP and the parents' own stay
    for host in ("hosta", "provider"):
        assert not rig.has_address(host, "2001:db8::50/64"), host
        assert rig.has_address(host, "192.168.1.50/24"), host
        assert rig.has_address(host, f"2001:db8::{HOST_N[host]}/64"), host


def test_ipv6_vhid_waits_for_the_parents_link_local(rig: Rig) -> None:
    """An IPv6-only vhid on a parent with no IPv6 address in rc.conf sources its adverts from the
    parent's preferred address, its link-local (carp.md §2: carp_best_ifa). Started right after
    the parent came up, while that link-local is still tentative, the vhid waits for it: no send
    error, no demotion, and the other host hears it."""
    confs = {}
    for host, skew in (("hosta", ""), ("provider", "advskew 100 ")):
        confs[host] = rig.tmp / f"{host}-v6.conf"
        confs[host].write_text(
            f'hostname="{host}.example.org"\n'
            f'ifconfig_fxp0="inet 192.168.1.{HOST_N[host]} netmask 255.255.255.0"\n'
            'ifconfig_fxp0_ipv6="inet6 auto_linklocal"\n'
            f'ifconfig_fxp0_alias0="inet6 vhid 1 {skew}pass testpass alias 2001:db8::50/64"\n'
        )
    for host in confs:  # a fresh link-local on each parent: tentative for about a second
        rig.lab.ip(host, "link", "set", rig.seg.nic, "down")
        rig.lab.ip(host, "link", "set", rig.seg.nic, "up")
    hosta = rig.start("hosta", confs["hosta"])
    rig.wait_state("hosta", 1, "MASTER", MASTER_DOWN[0] + 3)
    provider = rig.start("provider", confs["provider"])
    rig.wait_state("provider", 1, "BACKUP", 3)
    time.sleep(MASTER_DOWN[100] + MARGIN)  # provider hears hosta's IPv6 adverts: stays BACKUP
    assert provider.state(1) == "BACKUP", provider.log()
    assert hosta.state(1) == "MASTER", hosta.log()
    for daemon in (hosta, provider):
        assert "demoted" not in daemon.log(), daemon.log()
        assert "no way to send" not in daemon.log(), daemon.log()
    assert hosta.counters()["sent-inet6-packets"] > 0
    assert provider.counters()["received-inet6-packets"] > 0
