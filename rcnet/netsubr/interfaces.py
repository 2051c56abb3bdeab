"""Which interfaces rc configures, under which names, in which order (rc.d/netif).

netif_start creates `wlans_<if>` children and `cloned_interfaces`, renames with
`ifconfig_<if>_name`, then starts every interface of `list_net_interfaces`: under
`network_interfaces=auto` every existing interface except NOAUTO ones (lo0 first),
otherwise the listed ones followed by the cloned ones. `vlans_<if>` children are created
and started right after their parent. rcnet cannot list the machine's interfaces, so
"every existing interface" means every interface the configuration names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rcnet.frozen import record
from rcnet.ifconfig.words import Word
from rcnet.netsubr.common import Env, Report, checkyesno, cloner_of, natural_key, sanitize

#: cloners of FreeBSD (ifconfig -C); rc creates what `cloned_interfaces` lists
KNOWN_CLONERS = frozenset(
    [
        "bridge",
        "carp",
        "disc",
        "edsc",
        "enc",
        "epair",
        "faith",
        "geneve",
        "gif",
        "gre",
        "ipsec",
        "lagg",
        "lo",
        "me",
        "ovpn",
        "pflog",
        "pfsync",
        "stf",
        "tap",
        "tun",
        "vlan",
        "vmnet",
        "vxlan",
        "wg",
        "wlan",
    ]
)
#: cloners whose interfaces only rc's clone_up creates (others: devd, daemons, rc.d/pf ...)
RC_ONLY_CLONERS = frozenset(
    [
        "bridge",
        "carp",
        "disc",
        "edsc",
        "epair",
        "gif",
        "gre",
        "ipsec",
        "lagg",
        "lo",
        "me",
        "stf",
        "vlan",
        "vxlan",
    ]
)

#: `<driver><unit>_<more>`: an interface name followed by a suffix rc does not know
_SUFFIXED = re.compile(r"[A-Za-z]+[0-9]+_.*")
#: a sanitized vlan or sub-interface name (em0_101, em0_101_5)
_VLAN_VAR = re.compile(r"[A-Za-z]+[0-9]+(_[0-9]+)+")
#: variables keyed on an interface (prefix, and suffixes allowed after the name)
_PER_IF_PREFIXES = ("ifconfig_", "ipv4_addrs_", "ipv6_prefix_", "ipv6_ifconfig_")
#: a variable keyed on an interface: one of _PER_IF_PREFIXES (none is the start of another),
#: the name as written (`vif`), and a suffix rc reads after it, if any
_PER_IF_VAR = re.compile(
    f"({'|'.join(_PER_IF_PREFIXES)})"
    r"(?P<vif>.+?)(?P<suffix>_ipv6|_alias\d.*|_aliases|_name|_descr)?$"
)


@record
class Planned:
    """An interface rc would configure."""

    #: the name after any rename, the one every other variable must use
    name: str
    #: created by rc (cloned_interfaces, vlans_, wlans_), not a NIC
    cloned: bool = False
    #: what it is for the parser: cloner (carp, bridge, lo, vlan, wlan ...) or None for a NIC
    kind: str | None = None
    renamed_from: str | None = None
    #: vlans_/wlans_ parent
    parent: str | None = None


@dataclass
class Names:
    """Every interface name the configuration mentions, and how."""

    cloned: list[tuple[str, Word]] = field(default_factory=list)
    #: child -> parent for vlans_<parent> and wlans_<parent>
    vlans: dict[str, str] = field(default_factory=dict)
    wlans: dict[str, str] = field(default_factory=dict)
    #: old -> new for ifconfig_<old>_name
    renames: dict[str, str] = field(default_factory=dict)
    #: sanitized names that have per-interface variables -> variable names
    configured: dict[str, list[str]] = field(default_factory=dict)
    #: names listed in network_interfaces (unless auto)
    listed: list[str] = field(default_factory=list)


def _cloned(env: Env, report: Report) -> list[tuple[str, Word]]:
    out: list[tuple[str, Word]] = []
    for w in env.words("cloned_interfaces"):
        name, _, opt = w.text.partition(":")
        if opt not in ("", "sticky", "nosticky"):
            report.at(
                "CL03",
                "warning",
                f"cloned_interfaces entry {w.text!r}: rc knows only :sticky and :nosticky after"
                " the name; the option is ignored",
                w,
            )
        vlan_dot = re.fullmatch(r"[a-z]+[0-9]+\.[0-9]+", name)
        if not (re.fullmatch(r"[a-z]+[0-9]+", name) or vlan_dot):
            report.at(
                "CL03",
                "error",
                f"cloned_interfaces entry {name!r} is not <cloner><unit> (like bridge0):"
                f" `ifconfig {name} create` fails at boot; name it <cloner><unit> and rename it"
                f" with ifconfig_<cloner><unit>_name",
                w,
            )
            continue
        if not vlan_dot and cloner_of(name) not in KNOWN_CLONERS:
            report.at(
                "CL03",
                "error",
                f"cloned_interfaces entry {name!r}: FreeBSD has no {cloner_of(name)!r} cloner, so"
                f" `ifconfig {name} create` fails at boot; see `ifconfig -C`",
                w,
            )
            continue
        if name.startswith("epair"):
            out += [(f"{name}a", w), (f"{name}b", w)]
        else:
            out.append((name, w))
    return out


def _gif_interfaces(env: Env) -> list[tuple[str, Word]]:
    """The old `gif_interfaces` list: clone_up creates these after cloned_interfaces."""
    out: list[tuple[str, Word]] = []
    for w in env.words("gif_interfaces"):
        name = w.text.partition(":")[0]
        if re.fullmatch(r"[A-Za-z0-9_]+", name):
            out.append((name, w))
    return out


def _children(env: Env, prefix: str) -> dict[str, str]:
    """vlans_<parent>="101 mgmt" -> {"<parent>.101": parent, "mgmt": parent}."""
    out: dict[str, str] = {}
    for name in env.names():
        if not name.startswith(prefix):
            continue
        parent = name[len(prefix) :]
        for w in env.words(name):
            child = f"{parent}.{w.text}" if prefix == "vlans_" and w.text.isdigit() else w.text
            out[child] = parent
    return out


def collect_names(env: Env, report: Report) -> Names:
    cloned = _cloned(env, report) + _gif_interfaces(env)
    names = Names(cloned, _children(env, "vlans_"), _children(env, "wlans_"))
    if (env.text("network_interfaces") or "auto").strip().lower() != "auto":
        names.listed = [w.text for w in env.words("network_interfaces")]
    spelt = {sanitize(n) for n in (*(n for n, _ in cloned), *names.vlans, *names.wlans)}
    spelt |= {sanitize(n) for n in names.listed}
    for var in env.names():
        m = _PER_IF_VAR.match(var)  # one match per variable: a file may hold 5,000 aliases
        if m is None or var == "ifconfig_DEFAULT":
            continue
        prefix, vif, suffix = m.group(1, "vif", "suffix")
        if vif == "DEFAULT":
            continue  # ifconfig_DEFAULT_ipv6 is nobody's variable
        if prefix == "ifconfig_" and suffix == "_name":
            new = env.text(var)
            if new:
                names.renames[vif] = new
            continue
        if vif not in spelt and _SUFFIXED.fullmatch(vif) and not _VLAN_VAR.fullmatch(vif):
            continue  # em0_aliases0: a suffix rc never reads, not an interface (lint says so)
        names.configured.setdefault(vif, []).append(var)
    # rename sources are sanitized variable names: map them back to real names
    known = _known_names(names)
    names.renames = {known.get(old, old): new for old, new in names.renames.items()}
    return names


def _known_names(names: Names) -> dict[str, str]:
    """sanitized -> real name, for every name the configuration spells out."""
    real = [n for n, _ in names.cloned] + list(names.vlans) + list(names.wlans)
    real += list(names.renames.values()) + names.listed
    return {sanitize(n): n for n in real}


def _autoif(env: Env, name: str) -> bool:
    """network.subr autoif: False when the effective ifconfig_<if> holds NOAUTO."""
    v = env.if_var(name, "ifconfig_IF") or env.value("ifconfig_DEFAULT")
    words = (v.text or "").split() if v is not None else []
    return not any(w.upper() == "NOAUTO" for w in words)


class Planner:
    """Turns the names into the ordered list of Planned interfaces."""

    def __init__(self, env: Env, report: Report) -> None:
        self.env = env
        self.report = report
        self.names = collect_names(env, report)
        self.known = _known_names(self.names)
        cloned_old = [n for n, _ in self.names.cloned]
        self.created: dict[str, Planned] = {}
        for old in cloned_old:
            self._create(old, cloner_of(old) if "." not in old else "vlan")
        for child, parent in self.names.vlans.items():
            self._create(child, "vlan", parent)
        for child, parent in self.names.wlans.items():
            self._create(child, "wlan", parent)

    def _create(self, old: str, kind: str, parent: str | None = None) -> None:
        new = self.names.renames.get(old, old)
        renamed = old if new != old else None
        self.created[new] = Planned(new, True, kind, renamed, parent)

    def real_name(self, vif: str) -> str:
        return self.known.get(vif, vif)

    def configured_names(self) -> list[str]:
        """Real names of interfaces with their own variables, renamed ones mapped."""
        out: list[str] = []
        for vif in self.names.configured:
            name = self.real_name(vif)
            if name not in out:
                out.append(name)
        return out

    def physical(self, name: str) -> Planned | None:
        """A configured name nothing creates: a NIC, or a clonable name rc never creates."""
        old = next((o for o, n in self.names.renames.items() if n == name), None)
        if old is not None:
            return Planned(name, False, _nic_kind(old), old)
        if name in self.names.renames:
            return None  # configured under its old name: RN01 says so
        cloner = cloner_of(name)
        if re.fullmatch(r"[a-z]+[0-9]+_[0-9]+", name):
            self._not_created(name, f"the vlan {name.replace('_', '.', 1)}")
            return None
        if cloner in RC_ONLY_CLONERS and name != "lo0":
            self._not_created(name, name)
            return None
        return Planned(name, False, _nic_kind(name))

    def _not_created(self, name: str, what: str) -> None:
        own = self.names.configured.get(sanitize(name))
        if not own:  # listed, configured by ifconfig_DEFAULT only: nothing is lost
            return
        var = own[0]
        self.report.at_name(
            "CL02",
            "error",
            f"{var} configures {what}, but nothing creates it (not in cloned_interfaces or"
            f" vlans_<parent>): `ifconfig {name}` fails and nothing of it comes up"
            f"{' (its VIP never does)' if cloner_of(name) == 'carp' else ''}; add it to"
            " cloned_interfaces",
            self.env.value(var),
        )

    def plan(self) -> list[Planned]:
        if not checkyesno(self.env, "netif_enable", self.report):
            self.report.at_value(
                "GN02",
                "warning",
                "netif_enable is not YES: rc.d/netif does not run and no interface is"
                " configured at boot",
                self.env.value("netif_enable"),
            )
            return []
        mode = (self.env.text("network_interfaces") or "auto").strip()
        auto = mode.lower() == "auto"
        planned = self._auto() if auto else self._listed()
        return self._with_vlan_children(planned, auto)

    def _auto(self) -> list[Planned]:
        nics = [n for n in self.configured_names() if n not in self.created]
        nics_planned = [p for p in (self.physical(n) for n in nics) if p is not None]
        nics_planned += [p for p in self.created.values() if p.kind == "wlan"]
        if self.env.text("ifconfig_DEFAULT") and "lo0" not in nics:
            nics_planned.append(Planned("lo0", False, "lo"))  # lo0 always exists
        nics_planned.sort(key=lambda p: (p.name != "lo0", natural_key(p.name)))
        cloned = [self.created[n] for n in self._cloned_order()]
        return [p for p in nics_planned + cloned if _autoif(self.env, p.name)]

    def _cloned_order(self) -> list[str]:
        out: list[str] = []
        for old, _ in self.names.cloned:
            new = self.names.renames.get(old, old)
            if new not in out:
                out.append(new)
        return out

    def _listed(self) -> list[Planned]:
        """The listed names as written: a rename happened before, so an old name listed
        here no longer exists and its `ifconfig` fails (renamed_findings says so)."""
        listed = self.names.listed
        configured = set(self.configured_names())
        default = bool(self.env.text("ifconfig_DEFAULT"))
        out: list[Planned] = []
        for name in listed:
            if name in self.names.renames:
                continue  # renamed before ifn_start: `ifconfig <old> ...` fails
            if name in self.created:
                out.append(self.created[name])
            elif name in configured or name == "lo0" or default:
                p = self.physical(name)
                if p is not None:
                    out.append(p)
        out += [self.created[n] for n in self._cloned_order()]
        self._unlisted(configured, {p.name for p in out}, listed)
        return _unique(out)

    def _unlisted(self, configured: set[str], planned: set[str], listed: list[str]) -> None:
        for name in sorted(configured - planned - set(self.names.vlans), key=natural_key):
            if name in self.names.renames or name in listed:
                continue
            var = self.names.configured[sanitize(name)][0]
            self.report.at_name(
                "IF13",
                "warning",
                f"{var} is set, but {name} is not in network_interfaces, so rc does not"
                f" configure it at boot; add {name} to network_interfaces or set it to AUTO",
                self.env.value(var),
            )

    def _with_vlan_children(self, planned: list[Planned], auto: bool) -> list[Planned]:
        """vlans_<parent> children start right after their parent (childif_create)."""
        children = [p for p in self.created.values() if p.kind == "vlan" and p.parent]
        out: list[Planned] = []
        for p in planned:
            if p in children:
                continue
            out.append(p)
            out += [c for c in children if c.parent == p.name and _autoif(self.env, c.name)]
        if auto:  # a parent with no variables of its own still exists and is started
            started = {p.name for p in out}
            out += [c for c in children if c.parent not in started and _autoif(self.env, c.name)]
        return _unique(out)

    def renamed_findings(self) -> None:
        """RN01: after `ifconfig_<old>_name`, nothing keyed on the old name is applied."""
        for old, new in self.names.renames.items():
            for var in self.names.configured.get(sanitize(old), []):
                if old in self.names.listed:
                    why = (
                        f"network_interfaces lists {old}, so rc runs `ifconfig {old} ...`, but"
                        f" ifconfig_{sanitize(old)}_name renamed it to {new} before: ifconfig"
                        f' exits with "interface {old} does not exist" and {new} stays'
                        f" unconfigured; list {new} in network_interfaces and key the variables"
                        f" on {sanitize(new)}"
                    )
                else:
                    why = (
                        f"{var} is keyed on {old}, but ifconfig_{sanitize(old)}_name renames it"
                        f" to {new} before configuration, so rc never applies {var}; rename the"
                        f" variable to use {sanitize(new)}"
                    )
                self.report.at_name("RN01", "error", why, self.env.value(var))


def _nic_kind(name: str) -> str | None:
    """Kind for parsing a NIC: lo0 and pseudo devices keep their cloner, NICs have none."""
    cloner = cloner_of(name)
    return cloner if cloner in KNOWN_CLONERS else None


def _unique(items: list[Planned]) -> list[Planned]:
    seen: set[str] = set()
    out: list[Planned] = []
    for p in items:
        if p.name not in seen:
            seen.add(p.name)
            out.append(p)
    return out


def plan_interfaces(env: Env, report: Report) -> tuple[list[Planned], Names]:
    """The interfaces rc configures, in rc's order, and the names behind them."""
    planner = Planner(env, report)
    planner.renamed_findings()
    return planner.plan(), planner.names
