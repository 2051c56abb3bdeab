"""SH08: assignments to a misspelt networking variable.

rc never complains about a variable nobody reads, so `ifconfig_em0_alais0` or
`defaultroutr` is silently ignored at boot. The names and patterns rc's network scripts
(and rcnet) read come from the registry, `rcnet.rcconf.variables`; a name that is close to
one of them but is none of them is reported with the likely intended name. One mistake,
one finding: what the builder concluded from a misspelt name (an interface called
`em0_alais0` that is not in network_interfaces) is dropped by `without_follow_ons`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from rcnet.findings import Finding
from rcnet.rcconf.env import LoadedHost, Value
from rcnet.rcconf.variables import (
    BY_NAME,
    IFCONFIG_SUFFIXES,
    INTERFACE_PREFIXES,
    MISNOMERS,
    PREFIXES,
)

#: names read as they are (derived from the registry)
KNOWN_NAMES = frozenset(BY_NAME)
#: prefixes followed by an interface or entry name (derived from the registry)
KNOWN_PREFIXES = PREFIXES

#: the last word of most service variables in rc.conf
SERVICE_SUFFIXES = frozenset(
    {"enable", "flags", "program", "conf", "args", "user", "group", "pidfile", "profiles", "env"}
)

_ALIAS_N = re.compile(r"^alias\d+$")
#: `ifconfig_<anything>_alias<N>`, the most common name of a large rc.conf: never misspelt
#: (no misnomer ends in a digit, and _suggest_ifconfig accepts an aliasN last part)
_ALIAS_VARIABLE = re.compile(r"ifconfig_[A-Za-z0-9_]*_alias[0-9]+")
#: a `_` after which the rest of a variable name is an interface name as get_if_var makes
#: it: em0, em0_101, bridge0, lagg0_vlan5
_IFNAME_AFTER = re.compile(r"_(?=[a-z]+[0-9]+(?:_[A-Za-z0-9]+)*$)")
_OTHER_SUFFIXES = tuple(s for s in IFCONFIG_SUFFIXES if s != "alias")

#: known names by first letter: misspellings keep their first letter
_BY_FIRST: dict[str, tuple[str, ...]] = {}
#: and by first letter and last word (`_enable`), in the same order
_BY_FIRST_LAST: dict[tuple[str, str], tuple[str, ...]] = {}
for _name in sorted(KNOWN_NAMES):
    _BY_FIRST[_name[0]] = (*_BY_FIRST.get(_name[0], ()), _name)
    _key = (_name[0], _name.rpartition("_")[2])
    _BY_FIRST_LAST[_key] = (*_BY_FIRST_LAST.get(_key, ()), _name)


def _assignments(loaded: LoadedHost) -> Iterator[Value]:
    seen: set[tuple[str, int, int]] = set()
    # a single-file host's scopes are its base environment: walk each environment once
    envs = {id(e): e for e in (loaded.base, *loaded.scopes.values())}
    for env in envs.values():
        for values in env.history.values():
            for value in values:
                key = (value.loc.file, value.loc.line, value.loc.column)
                if value.default or key in seen:
                    continue
                seen.add(key)
                yield value


def _ratio_can_reach(a: str, b: str, cutoff: float) -> bool:
    # difflib's ratio is at most 2*min(len)/(len1+len2)
    return 2 * min(len(a), len(b)) >= cutoff * (len(a) + len(b))


def _close(word: str, choices: Sequence[str], cutoff: float) -> str | None:
    # misspellings keep their first letter (a cheap filter before difflib)
    near = [c for c in choices if c[:1] == word[:1] and _ratio_can_reach(c, word, cutoff)]
    if not near:
        return None
    from difflib import get_close_matches  # imported only when a name may be misspelt

    match = get_close_matches(word, near, n=1, cutoff=cutoff)
    return match[0] if match else None


def suggest_name(name: str) -> str | None:
    """The known name this one is probably a misspelling of, or None if it is fine."""
    found = suggestion(name)
    return found[0] if found else None


def suggestion(name: str, *, quick: bool = True) -> tuple[str, str] | None:
    """(the intended name, a note to add or "") for a misspelt name; None if it is fine.

    Conservative on purpose: rc.conf holds hundreds of service variables rcnet does not
    know (`routed_enable`, `route6d_flags`), and a wrong "did you mean" is worse than none.
    `quick=False` looks at an `ifconfig_<if>_alias<N>` name the long way (the tests compare).
    """
    if name in KNOWN_NAMES or (quick and _ALIAS_VARIABLE.fullmatch(name)):
        return None
    for regex, target, note in MISNOMERS:
        m = regex.fullmatch(name)
        if m is not None:
            return m.expand(target), m.expand(note)
    if name.startswith("ifconfig_"):
        fixed = _suggest_ifconfig(name)
        return (fixed, "") if fixed else None
    if name.startswith(KNOWN_PREFIXES):
        return None
    fixed = _suggest_prefix(name) or _suggest_plain(name)
    return (fixed, "") if fixed else None


def _suggest_prefix(name: str) -> str | None:
    """`ifconfg_em0`, `ipv4_addr_em0`, `vlan_em0`: a near-miss of a per-interface prefix."""
    head, _, rest = name.partition("_")
    if rest and head[:1] == "i" and _close(head, ("ifconfig",), 0.75):  # _close's own filter
        return "ifconfig_" + rest
    # at each `_` followed by an interface name (in order), the prefix up to it
    for m in _IFNAME_AFTER.finditer(name):
        fixed = _close(name[: m.end()], INTERFACE_PREFIXES, 0.85)
        if fixed is not None:
            return fixed + name[m.end() :]
    return None


def _suggest_plain(name: str) -> str | None:
    stem, _, suffix = name.rpartition("_")
    if stem and suffix in SERVICE_SUFFIXES:  # _same_service refuses every other last word
        known = _BY_FIRST_LAST.get((name[:1], suffix), ())
    else:
        known = _BY_FIRST.get(name[:1], ())
    if not known:
        return None
    # _close keeps only names that can reach its cutoff: the cheap test first
    candidates = tuple(
        k for k in known if _ratio_can_reach(k, name, 0.85) and _same_service(stem, suffix, k)
    )
    return _close(name, candidates, 0.85) if candidates else None


def _same_service(stem: str, suffix: str, known: str) -> bool:
    """Can `stem_suffix` be a misspelling of `known`? Not when the suffix word is spelt
    right and the stem is another one (`routed_enable` is not `routing_enable`), nor when a
    correctly spelt service suffix (`svc_enable`, `x_flags`) would change."""
    if not stem:
        return True
    k_stem, _, k_suffix = known.rpartition("_")
    if k_suffix == suffix and k_stem != stem:
        # `clone_interfaces`: the same suffix, a near-miss stem
        return _close(stem, (k_stem,), 0.8) is not None
    return not (suffix in SERVICE_SUFFIXES and k_suffix != suffix)


def _suggest_ifconfig(name: str) -> str | None:
    parts = name[len("ifconfig_") :].split("_")
    if len(parts) < 2:
        return None
    last = parts[-1]
    # ifconfig_em0_alias_0, ifconfig_em0_aliases_1: the number belongs to the suffix
    if len(parts) >= 3 and last.isdigit() and _close(parts[-2], ("alias", "aliases"), 0.7):
        return "ifconfig_" + "_".join([*parts[:-2], "alias" + last])
    if last in _OTHER_SUFFIXES or _ALIAS_N.match(last) or last.isdigit():
        return None
    # ifconfig_em0_alais0, ifconfig_em0_aliases0: a numbered alias
    stem = last.rstrip("0123456789")
    digits = last[len(stem) :]
    if digits and stem and _close(stem, ("alias", "aliases"), 0.7) is not None:
        fixed: str | None = "alias" + digits
    else:
        fixed = _close(last, _OTHER_SUFFIXES, 0.7)  # ifconfig_em0_nmae, ifconfig_em0_ipv66
    if fixed is None:
        return None
    return "ifconfig_" + "_".join([*parts[:-1], fixed])


def misspelt_names(loaded: LoadedHost) -> list[Finding]:
    findings: list[Finding] = []
    for value in _assignments(loaded):
        found = suggestion(value.name)
        if found is None:
            continue
        better, note = found
        findings.append(
            Finding(
                "SH08",
                "error",
                f"{value.name} is not a variable rc reads, so this assignment is ignored at boot;"
                f" did you mean {better}?{' ' + note if note else ''}",
                value.loc,
                len(value.name),
            )
        )
    return findings


def without_follow_ons(findings: Sequence[Finding], misspelt: Sequence[Finding]) -> list[Finding]:
    """Findings other than the reader's (sh-level) ones that were concluded from a misspelt
    name: at its assignment's line, or naming it. The SH08 finding says it all."""
    if not misspelt:
        return list(findings)
    lines = {(f.loc.file, f.loc.line) for f in misspelt if f.loc is not None}
    names = [f.message.split(" ", 1)[0] for f in misspelt]
    mention = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")

    def follow_on(f: Finding) -> bool:
        if f.code.startswith("SH"):
            return False
        at = f.loc is not None and (f.loc.file, f.loc.line) in lines
        return at or mention.search(f.message) is not None

    return [f for f in findings if not follow_on(f)]
