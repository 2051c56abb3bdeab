"""The renderings of the daemon's status, all made from its one full JSON form (the answer to
{"cmd": "status"}: `VhidStatus.to_json` per vhid, the counters by libxo key). `rcnet status`,
`rcnet ifconfig`'s answer and SIGUSR1's log lines use these functions and no other.

    carp0: vhid 1 parent fxp0
        inet 192.168.1.50/24 vhid 1
        carp: MASTER vhid 1 advbase 1 advskew 0
                  peer 192.168.1.4 peer6 ff02::12
        since 12.5 s
    carp:
        ... (netstat -s -p carp)

A VRRPv3 vhid (carpver 3) shows ifconfig's `vrrp: MASTER vrid 1 prio 100 interval 100`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rcnet.carp import wire
from rcnet.carp.counters import render_json
from rcnet.text import escape


def state_lines(v: Mapping[str, Any]) -> list[str]:
    """ifconfig's carp (or vrrp) line(s) of one vhid, without the leading tab."""
    if v.get("carpver") == 3:
        return [
            f"vrrp: {v['state']} vrid {v['vhid']} prio {v.get('vrrpprio', 100)}"
            f" interval {v.get('vrrpinterval', 100)}"
        ]
    lines = [f"carp: {v['state']} vhid {v['vhid']} advbase {v['advbase']} advskew {v['advskew']}"]
    if v.get("peer") or v.get("peer6"):
        peer = v.get("peer") or wire.CARP_GROUP4
        peer6 = v.get("peer6") or wire.CARP_GROUP6
        lines.append(f"      peer {peer} peer6 {peer6}")
    return lines


def vhid_lines(v: Mapping[str, Any]) -> list[str]:
    lines = [f"{v['interface']}: vhid {v['vhid']} parent {v.get('parent') or '-'}"]
    for addr in v.get("addresses", []):
        family = "inet6" if ":" in addr else "inet"
        lines.append(f"\t{family} {addr} vhid {v['vhid']}")
    lines += ["\t" + line for line in state_lines(v)]
    lines.append(f"\tsince {float(v.get('since', 0)):.1f} s")
    return lines


def render_status(answer: dict[str, Any]) -> str:
    """`rcnet status`: every vhid, then the counters as `netstat -s -p carp` prints them."""
    lines = [line for v in answer.get("vhids", []) for line in vhid_lines(v)]
    counters = answer.get("counters", {})
    values = {k: v for k, v in counters.items() if isinstance(v, int)}
    # the daemon's text is not trusted: each line is escaped before the lines are joined, so
    # a newline inside a field cannot start a line of its own
    out = [*lines, *render_json(values).rstrip("\n").splitlines()]
    return "\n".join(escape(line) for line in out)
