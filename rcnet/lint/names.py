"""SH08: assignments to a misspelt networking variable.

rc never complains about a variable nobody reads, so `ifconfig_em0_alais0` or
`defaultroutr` is silently ignored at boot. The registry below lists the names
and name patterns rc's network scripts (and rcnet) read; a name that is close to
one of them but is none of them is reported with the likely intended name.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from rcnet.findings import Finding
from rcnet.rcconf.env import LoadedHost, Value

#: names read as they are (rc.conf(5), network.subr, rc.d/netif, routing, hostname)
KNOWN_NAMES = frozenset(
    {
        "hostname",
        "network_interfaces",
        "cloned_interfaces",
        "cloned_interfaces_sticky",
        "netif_enable",
        "netif_ipexpand_max",
        "defaultrouter",
        "defaultroute_delay",
        "defaultroute_carrier_delay",
        "static_routes",
        "gateway_enable",
        "ipv6_network_interfaces",
        "ipv6_activate_all_interfaces",
        "ipv6_defaultrouter",
        "ipv6_static_routes",
        "ipv6_gateway_enable",
        "ipv6_enable",
        "ipv6_cpe_wanif",
        "synchronous_dhclient",
        "background_dhclient",
        "rc_conf_files",
        "ifconfig_DEFAULT",
        "rcnet_ifmap",
        "rcnet_notify",
        "static_arp_pairs",
        "static_ndp_pairs",
        "netwait_enable",
        "netwait_if",
        "netwait_ip",
    }
)

#: prefixes followed by an interface or entry name
KNOWN_PREFIXES = (
    "ifconfig_",
    "create_args_",
    "vlans_",
    "wlans_",
    "ipv4_addrs_",
    "ipv6_prefix_",
    "ipv6_route_",
    "route_",
    "static_arp_",
    "static_ndp_",
)

#: the last word of most service variables in rc.conf
SERVICE_SUFFIXES = frozenset(
    {"enable", "flags", "program", "conf", "args", "user", "group", "pidfile", "profiles", "env"}
)

#: suffixes of ifconfig_<if>_<suffix>
IFCONFIG_SUFFIXES = ("alias", "aliases", "ipv6", "name", "descr")

_ALIAS_N = re.compile(r"^alias\d+$")

#: known names by first letter: misspellings keep their first letter
_BY_FIRST: dict[str, tuple[str, ...]] = {}
for _name in sorted(KNOWN_NAMES):
    _BY_FIRST[_name[0]] = (*_BY_FIRST.get(_name[0], ()), _name)


def _assignments(loaded: LoadedHost) -> Iterator[Value]:
    seen: set[tuple[str, int, int]] = set()
    envs = [loaded.base, *loaded.scopes.values()]
    for env in envs:
        for values in env.history.values():
            for value in values:
                key = (value.loc.file, value.loc.line, value.loc.column)
                if value.default or key in seen:
                    continue
                seen.add(key)
                yield value


def _close(word: str, choices: tuple[str, ...], cutoff: float) -> str | None:
    # difflib's ratio is at most 2*min(len)/(len1+len2): skip what cannot reach the cutoff
    # and misspellings keep their first letter (a cheap filter before difflib)
    near = [
        c
        for c in choices
        if c[:1] == word[:1] and 2 * min(len(c), len(word)) >= cutoff * (len(c) + len(word))
    ]
    match = difflib.get_close_matches(word, near, n=1, cutoff=cutoff)
    return match[0] if match else None


def suggest_name(name: str) -> str | None:
    """The known name this one is probably a misspelling of, or None if it is fine.

    Conservative on purpose: rc.conf holds hundreds of service variables rcnet does not
    know (`routed_enable`, `route6d_flags`), and a wrong "did you mean" is worse than none.
    """
    if name in KNOWN_NAMES:
        return None
    if name.startswith("ifconfig_"):
        return _suggest_ifconfig(name)
    if any(name.startswith(p) for p in KNOWN_PREFIXES):
        return None
    head, _, rest = name.partition("_")
    if rest and head != "ifconfig" and _close(head, ("ifconfig",), 0.75):
        return "ifconfig_" + rest
    # the same suffix word with another stem is another service's variable, not a typo
    # (`routed_enable` is not `routing_enable`): such names are not even candidates
    stem, _, suffix = name.rpartition("_")
    # nor is a name ending in a correctly spelt service suffix (`svc_enable`, `x_flags`) a
    # misspelling of a name with another suffix
    candidates = tuple(
        k
        for k in _BY_FIRST.get(name[:1], ())
        if not (stem and k.endswith("_" + suffix) and k != f"{stem}_{suffix}")
        and not (stem and suffix in SERVICE_SUFFIXES and not k.endswith("_" + suffix))
    )
    return _close(name, candidates, 0.85)


def _suggest_ifconfig(name: str) -> str | None:
    rest = name[len("ifconfig_") :]
    parts = rest.split("_")
    if len(parts) < 2:
        return None
    last = parts[-1]
    if last in IFCONFIG_SUFFIXES or _ALIAS_N.match(last) or last.isdigit():
        return None
    # ifconfig_em0_alais0: compare the suffix without its number
    stem = last.rstrip("0123456789")
    digits = last[len(stem) :]
    fixed = _close(stem, IFCONFIG_SUFFIXES, 0.7)
    if fixed is None or (fixed == "alias") != bool(digits):
        return None
    return "ifconfig_" + "_".join([*parts[:-1], fixed + digits])


def misspelt_names(loaded: LoadedHost) -> list[Finding]:
    findings: list[Finding] = []
    for value in _assignments(loaded):
        better = suggest_name(value.name)
        if better is None:
            continue
        findings.append(
            Finding(
                "SH08",
                "error",
                f"{value.name} is not a variable rc reads, so this assignment is ignored at boot;"
                f" did you mean {better}?",
                value.loc,
                len(value.name),
            )
        )
    return findings
