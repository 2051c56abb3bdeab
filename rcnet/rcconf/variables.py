"""The registry of rc.conf variables rcnet knows: name or pattern, the rc script that reads it,
its /etc/defaults/rc.conf value and a line of help.

One definition, as `rcnet/ifconfig/keywords.py` is for ifconfig's words: the defaults rcnet
carries (`rcconf.defaults`, `netsubr.common`), the rc.d script whose rc.conf.d file a variable
must be in (RT04), lint's name checks and near-miss suggestions (SH08) and the generated
reference docs/variables.md all derive from VARIABLES.

Sources: FreeBSD libexec/rc/rc.conf (defaults: its "Network configuration" and "Network
routing" sections; netwait_if and netwait_ip are commented out there, so unset),
libexec/rc/network.subr (ifconfig_up, ifalias, ipv4_up, ipv6_up, clone_up, ifnet_rename,
get_if_var) and libexec/rc/rc.d/{netif,routing,hostname}.
"""

from __future__ import annotations

import re

from rcnet.frozen import record

#: placeholders of a pattern: an interface name as get_if_var writes it (`.-/+` -> `_`),
#: an alias number, an entry name of a list variable (static_routes="ext" -> route_ext)
PLACEHOLDERS = {"<if>": r"[A-Za-z0-9_]+?", "<n>": r"[0-9]+", "<name>": r"[A-Za-z0-9_]+"}


@record
class Variable:
    #: a name (`defaultrouter`) or a pattern (`ifconfig_<if>_alias<n>`)
    name: str
    #: the rc script that reads it: an rc.d script (netif, routing, hostname, ...), `rc`
    #: (rc.subr itself) or `rcnet`
    reader: str
    #: its value in /etc/defaults/rc.conf; None when the defaults leave it unset
    default: str | None
    help: str
    #: rcnet carries the default for hosts without /etc/defaults/rc.conf (rcconf.md §8)
    carried: bool = False

    @property
    def pattern(self) -> bool:
        return "<" in self.name

    @property
    def prefix(self) -> str:
        """The fixed text before the first placeholder (the whole name for a plain one)."""
        return self.name.split("<", 1)[0]


def _v(name: str, reader: str, default: str | None, help: str, carried: bool = False) -> Variable:
    return Variable(name, reader, default, help, carried)


# the carried defaults keep this order: it gives their places in "(rcnet defaults)"
VARIABLES: tuple[Variable, ...] = (
    _v("hostname", "hostname", "", "the host name; unset or empty: rc sets none", True),
    _v("network_interfaces", "netif", "auto",
       "interfaces rc configures: AUTO (every one) or a list", True),
    _v("cloned_interfaces", "netif", "",
       "interfaces rc creates first (`ifconfig NAME create`): carp0 bridge0 ...", True),
    _v("netif_enable", "netif", "YES", "NO: rc.d/netif configures no interface", True),
    _v("netif_ipexpand_max", "netif", "2048",
       "the most addresses one alias range may expand to", True),
    _v("defaultrouter", "routing", "NO", "the IPv4 default route's gateway", True),
    _v("static_routes", "routing", "", "names of the route_<name> routes to add", True),
    _v("gateway_enable", "routing", "NO", "IPv4 forwarding (net.inet.ip.forwarding)", True),
    _v("ipv6_network_interfaces", "netif", "auto",
       "interfaces rc configures for IPv6: AUTO or a list", True),
    _v("ipv6_activate_all_interfaces", "netif", "NO",
       "YES: IPv6 on interfaces without IPv6 configuration too", True),
    _v("ipv6_defaultrouter", "routing", "NO", "the IPv6 default route's gateway", True),
    _v("ipv6_static_routes", "routing", "", "names of the ipv6_route_<name> routes", True),
    _v("ipv6_gateway_enable", "routing", "NO", "IPv6 forwarding", True),
    _v("synchronous_dhclient", "netif", "NO", "YES: wait for DHCP leases at boot", True),
    _v("rc_conf_files", "rc", "/etc/rc.conf /etc/rc.conf.local",
       "the files rc reads after the defaults, in order", True),
    _v("local_startup", "rc", "/usr/local/etc/rc.d", "directories of local rc.d scripts", True),
    _v("cloned_interfaces_sticky", "netif", None,
       "YES: cloned interfaces survive `service netif stop`"),
    _v("defaultroute_delay", "routing", "30", "seconds to wait for a default route"),
    _v("defaultroute_carrier_delay", "routing", "5", "seconds to wait for carrier"),
    _v("ipv6_cpe_wanif", "netif", "NO", "the WAN interface of an IPv6 CPE router"),
    _v("ipv6_enable", "netif", None,
       "gone since FreeBSD 9: IPv6 follows ipv6_network_interfaces and ifconfig_<if>_ipv6"),
    _v("background_dhclient", "netif", "NO", "YES: run dhclient in the background"),
    _v("ifconfig_DEFAULT", "netif", None,
       "ifconfig arguments for every interface without its own ifconfig_<if>"),
    _v("gif_interfaces", "netif", None, "legacy list of gif tunnels to create"),
    _v("static_arp_pairs", "static_arp", "", "names of the static_arp_<name> entries"),
    _v("static_ndp_pairs", "static_ndp", "", "names of the static_ndp_<name> entries"),
    _v("netwait_enable", "netwait", "NO", "wait for the network before later scripts"),
    _v("netwait_if", "netwait", None, "interfaces netwait waits for"),
    _v("netwait_ip", "netwait", None, "addresses netwait pings"),
    _v("rtsold_enable", "rtsold", "NO", "router solicitation (left to Linux: LX01)"),
    _v("rtadvd_enable", "rtadvd", "NO", "router advertisements (left to Linux: LX01)"),
    _v("rcnet_ifmap", "rcnet", None, "rcnet: FREEBSD:LINUX interface names (fxp0:eth0)"),
    _v("rcnet_notify", "rcnet", None, "rcnet: a program run on each CARP transition"),
    # per interface (get_if_var) and per entry; the more specific patterns first
    _v("ifconfig_<if>_alias<n>", "netif", None,
       "one alias: `inet ADDR/LEN` or `inet6 ADDR/LEN` (ifalias, numbers from 0)"),
    _v("ifconfig_<if>_aliases", "netif", None, "several aliases in one value"),
    _v("ifconfig_<if>_ipv6", "netif", None, "IPv6 ifconfig arguments (ipv6_up)"),
    _v("ifconfig_<if>_name", "netif", None, "rename the interface before configuring it"),
    _v("ifconfig_<if>_descr", "netif", None, "the interface's description"),
    _v("ifconfig_<if>", "netif", None, "ifconfig arguments of the interface (ifconfig_up)"),
    _v("ipv4_addrs_<if>", "netif", None, "IPv4 addresses (and ranges) added as aliases"),
    _v("ipv6_prefix_<if>", "netif", None, "IPv6 prefixes: an EUI-64 address in each"),
    _v("ipv6_ifconfig_<if>", "netif", None, "legacy IPv6 arguments (before ifconfig_<if>_ipv6)"),
    _v("create_args_<if>", "netif", None, "arguments of `ifconfig IF create`"),
    _v("vlans_<if>", "netif", None, "vlans to create on the interface (tags or names)"),
    _v("wlans_<if>", "netif", None, "wlan interfaces to create on the device"),
    _v("gifconfig_<if>", "netif", None, "legacy gif tunnel endpoints"),
    _v("route_<name>", "routing", None, "one route of static_routes (route add arguments)"),
    _v("ipv6_route_<name>", "routing", None, "one route of ipv6_static_routes"),
    _v("static_arp_<name>", "static_arp", None, "one entry of static_arp_pairs"),
    _v("static_ndp_<name>", "static_ndp", None, "one entry of static_ndp_pairs"),
)  # fmt: skip

#: plain names -> their entry
BY_NAME: dict[str, Variable] = {v.name: v for v in VARIABLES if not v.pattern}
#: patterns in order, with their regex
_PLACEHOLDER = re.compile("|".join(map(re.escape, PLACEHOLDERS)))


def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(_PLACEHOLDER.sub(lambda m: PLACEHOLDERS[m.group()], pattern))


PATTERNS: tuple[tuple[Variable, re.Pattern[str]], ...] = tuple(
    (v, _regex(v.name)) for v in VARIABLES if v.pattern
)
#: the fixed prefixes of patterns, and of patterns keyed on an interface (`ifconfig_`, ...)
PREFIXES: tuple[str, ...] = tuple(dict.fromkeys(v.prefix for v, _ in PATTERNS))
INTERFACE_PREFIXES: tuple[str, ...] = tuple(
    dict.fromkeys(v.prefix for v, _ in PATTERNS if v.name.startswith(v.prefix + "<if>"))
)
#: suffixes of ifconfig_<if>_<suffix> (`alias` takes a number)
IFCONFIG_SUFFIXES: tuple[str, ...] = tuple(
    v.name[len("ifconfig_<if>_") :].replace("<n>", "")
    for v, _ in PATTERNS
    if v.name.startswith("ifconfig_<if>_")
)
#: the defaults rcnet carries, in their order
CARRIED_DEFAULTS: tuple[tuple[str, str], ...] = tuple(
    (v.name, v.default) for v in VARIABLES if v.carried and v.default is not None
)
#: names people write for a variable FreeBSD does not have: (regex, intended name, a note);
#: the intended name and the note may use the regex's groups
MISNOMERS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(r"ipv6_addrs?_(?P<if>[A-Za-z0-9_]+)"),
        r"ifconfig_\g<if>_ipv6",
        r"(`inet6 ADDR/LEN`; more addresses go in ifconfig_\g<if>_aliases)",
    ),
    (
        re.compile(r"ifconfig_(?P<if>[A-Za-z0-9_]+?)_inet6"),
        r"ifconfig_\g<if>_ipv6",
        r"(`inet6 ADDR/LEN`)",
    ),
)
_BY_HEAD: dict[str, tuple[tuple[Variable, re.Pattern[str]], ...]] = {}
for _entry in PATTERNS:
    _head = _entry[0].name.split("_", 1)[0]
    _BY_HEAD[_head] = (*_BY_HEAD.get(_head, ()), _entry)


def lookup(name: str) -> Variable | None:
    """The registry entry a variable name is (a plain name or an instance of a pattern)."""
    found = BY_NAME.get(name)
    if found is not None:
        return found
    for v, regex in _BY_HEAD.get(name.split("_", 1)[0], ()):
        if regex.fullmatch(name):
            return v
    return None


def reader_of(name: str) -> str | None:
    v = lookup(name)
    return v.reader if v is not None else None


_UNQUOTED_PATTERN = re.compile(r"(?<![`\w])(\w*<(?:if|n|name)>[\w<>]*)(?!`)")


def reference_markdown() -> str:
    """docs/variables.md (generated; `make rules` rewrites it)."""
    out = [
        "# rc.conf variables rcnet reads",
        "",
        "Generated from `rcnet/rcconf/variables.py` by `make rules`; do not edit.",
        "`<if>` is an interface name with `.`, `-`, `/` and `+` written as `_` (network.subr",
        "get_if_var); `<n>` a number; `<name>` an entry of the list variable. A default marked",
        "* is carried by rcnet for hosts without /etc/defaults/rc.conf.",
        "",
        "| variable | read by | default | what it does |",
        "|---|---|---|---|",
    ]
    for v in VARIABLES:
        default = "(unset)" if v.default is None else f'`"{v.default}"`'
        star = " *" if v.carried else ""
        help = _UNQUOTED_PATTERN.sub(r"`\1`", v.help)  # `<if>` is no HTML tag
        out.append(f"| `{v.name}` | {v.reader} | {default}{star} | {help} |")
    return "\n".join(out) + "\n"
