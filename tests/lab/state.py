"""What rcnet could have changed in a namespace, for tests that assert it changed nothing.

Only what rcnet sets is compared: each link's name, kind, MAC, MTU, admin state, parent and
master; each address (link, family, address/prefix, broadcast, label); rcnet's routes (route
protocol RCNET_PROTO, any table, both families); the policy rules. Never what the kernel manages
on its own (IPv6 DAD flags, address lifetimes, operstate and carrier, counters): comparing those
makes a test fail at a different step each run.
"""

from __future__ import annotations

import json
from typing import Any

from lab.netns import Lab
from rcnet.linux.owned import RCNET_PROTO

LINK_KEYS = ("ifname", "link_type", "address", "mtu", "link", "master")
ADDR_KEYS = ("family", "local", "prefixlen", "broadcast", "label")
ROUTE_KEYS = ("dst", "gateway", "dev", "table", "metric", "prefsrc", "scope", "type")


def _json(lab: Lab, ns: str, *args: str) -> list[dict[str, Any]]:
    text = lab.ip(ns, "-j", *args).stdout.strip()
    return list(json.loads(text)) if text else []


def _pick(entry: dict[str, Any], keys: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(entry.get(k) for k in keys)


def configuration(lab: Lab, ns: str) -> dict[str, list[tuple[Any, ...]]]:
    """The links, addresses, rcnet routes and rules of `ns`; no kernel-managed state."""
    links, addrs = [], []
    for e in _json(lab, ns, "-d", "addr", "show"):
        kind = e.get("linkinfo", {}).get("info_kind")
        links.append((*_pick(e, LINK_KEYS), kind, "UP" in e.get("flags", [])))
        addrs.extend((e["ifname"], *_pick(a, ADDR_KEYS)) for a in e.get("addr_info", []))
    routes = [
        (family, *_pick(r, ROUTE_KEYS))
        for family in ("-4", "-6")
        for r in _json(lab, ns, family, "route", "show", "table", "all", "proto", str(RCNET_PROTO))
    ]
    rules = [
        (family, json.dumps(r, sort_keys=True))
        for family in ("-4", "-6")
        for r in _json(lab, ns, family, "rule", "show")
    ]
    return {
        "links": sorted(links, key=repr),
        "addresses": sorted(addrs, key=repr),
        "routes": sorted(routes, key=repr),
        "rules": sorted(rules),
    }
