"""The ifconfig(8) keyword registry: one declarative table drives parsing and suggestions.

Each entry says how many arguments a keyword takes (what matters for reading the rest
of the line: an argument is never mistaken for an address or a keyword) and what it
does. Names follow FreeBSD's ifconfig (ifconfig.c, af_inet6.c, carp.c, ifvlan.c,
iflagg.c, ifbridge.c, ifgif.c, ifgre.c, ifvxlan.c, ifieee80211.c, ifmedia.c).
"""

from __future__ import annotations

import functools

from rcnet.frozen import record

#: family keywords (ifconfig's address families) -> the family their address belongs to
FAMILIES: dict[str, str] = {"inet": "inet", "inet6": "inet6", "link": "link", "ether": "link"}

#: argument kinds a keyword's parser checks
ARG_INT = "int"
ARG_TEXT = "text"


@record
class Keyword:
    name: str
    #: arguments it consumes
    nargs: int
    help: str
    #: area: general, inet, inet6, carp, cap, vlan, lagg, bridge, tunnel, gre, vxlan, wlan, ...
    group: str
    #: argument names for messages (`mtu N`)
    args: tuple[str, ...] = ()
    #: the single argument may be left out (`-vlandev [iface]`)
    optional: bool = False

    def usage(self) -> str:
        return " ".join((self.name, *self.args))


KEYWORDS: dict[str, Keyword] = {}


def _add(group: str, name: str, args: str = "", help_: str = "", optional: bool = False) -> None:
    names = tuple(args.split())
    KEYWORDS[name] = Keyword(name, len(names), help_ or name, group, names, optional)


def _flags(group: str, names: str, help_: str) -> None:
    """Flags with a `-` form that clears them."""
    for name in names.split():
        _add(group, name, "", f"{help_}: set {name}")
        _add(group, f"-{name}", "", f"{help_}: clear {name}")


def _plain(group: str, names: str, help_: str) -> None:
    for name in names.split():
        _add(group, name, "", help_)


# --- general (ifconfig.c) ---
_plain("general", "up", "mark the interface up")
_plain("general", "down", "mark the interface down")
_plain("general", "alias add", "add this address instead of replacing the first one")
_plain("general", "-alias delete remove", "remove this address")
_add("general", "netmask", "MASK", "IPv4 netmask (dotted, hex 0x... or a name)")
_add("general", "broadcast", "ADDR", "IPv4 broadcast address")
_add("general", "prefixlen", "N", "prefix length")
_add("general", "mtu", "N", "maximum transmission unit")
_add("general", "metric", "N", "routing metric")
_add("general", "name", "NEWNAME", "rename the interface")
_add("general", "description", "TEXT", "interface description")
_add("general", "descr", "TEXT", "interface description")
_plain("general", "-description -descr", "clear the description")
_add("general", "fib", "N", "routing table of packets received here")
_add("general", "tunnelfib", "N", "routing table of the tunnel's outer packets")
_add("general", "group", "GROUP", "add to an interface group")
_add("general", "-group", "GROUP", "remove from an interface group")
_add("general", "lladdr", "MAC", "link-level address")
_add("general", "media", "TYPE", "media type")
_add("general", "mediaopt", "OPTS", "media options")
_add("general", "-mediaopt", "OPTS", "clear media options")
_add("general", "mode", "MODE", "media mode")
_add("general", "inst", "N", "media instance")
_add("general", "instance", "N", "media instance")
_add("general", "pcp", "N", "802.1p priority of untagged traffic")
_plain("general", "-pcp", "clear the 802.1p priority")
_add("general", "maclabel", "LABEL", "MAC label")
_plain("general", "create destroy plumb unplumb", "create or destroy a cloned interface")
_add("general", "vnet", "JAIL", "move to a vnet jail")
_add("general", "-vnet", "JAIL", "reclaim from a vnet jail")
_plain("general", "normal compress noicmp", "link-level flag alias")
_flags("general", "arp debug promisc monitor staticarp stickyarp link0 link1 link2", "flag")
_flags("general", "netcons polling", "driver feature")

# --- capabilities (ifconfig.c) ---
_flags(
    "cap",
    "rxcsum txcsum rxcsum6 txcsum6 tso tso4 tso6 lro txtls txtlsrtlmt rxtls wol wol_ucast"
    " wol_mcast wol_magic vlanmtu vlanhwtag vlanhwfilter vlanhwtso vlanhwcsum toe"
    " vxlanhwcsum vxlanhwtso nomap mextpg hwrxtstmp rxvlanhwtag txvlanhwtag",
    "capability",
)

# --- inet6 (af_inet6.c) ---
_flags(
    "inet6",
    "accept_rtadv auto_linklocal ifdisabled nud no_radr defaultif no_prefer_iface no_dad"
    " anycast tentative deprecated autoconf prefer_source stableaddr",
    "inet6",
)
_plain("inet6", "eui64", "form the interface identifier from the MAC (EUI-64)")
_add("inet6", "pltime", "SECONDS", "preferred lifetime")
_add("inet6", "vltime", "SECONDS", "valid lifetime")

# --- CARP (carp.c) ---
_add("carp", "vhid", "N", "CARP virtual host id 1-255")
_add("carp", "advskew", "N", "CARP advertisement skew 0-254")
_add("carp", "advbase", "SECONDS", "CARP advertisement interval 1-255")
_add("carp", "pass", "PASSPHRASE", "CARP passphrase (first 19 bytes count)")
_add("carp", "state", "STATE", "CARP state: init, backup or master")
_add("carp", "peer", "ADDR", "CARP unicast peer (IPv4)")
_add("carp", "peer6", "ADDR", "CARP unicast peer (IPv6)")
_plain("carp", "-peer mcast", "CARP back to IPv4 multicast")
_plain("carp", "-peer6 mcast6", "CARP back to IPv6 multicast")
_add("carp", "carpver", "VERSION", "2 for CARP, 3 for VRRPv3")
_add("carp", "vrrpprio", "PRIORITY", "VRRPv3 priority 1-254")
_add("carp", "vrrpinterval", "CENTISECONDS", "VRRPv3 advertisement interval")

# --- vlan (ifvlan.c) ---
_add("vlan", "vlan", "TAG", "802.1Q tag")
_add("vlan", "vlandev", "IFACE", "parent of a vlan")
_add("vlan", "-vlandev", "IFACE", "detach a vlan from its parent", optional=True)
_add("vlan", "vlanpcp", "N", "802.1p priority of the vlan")
_add("vlan", "vlanproto", "PROTO", "802.1q or 802.1ad")

# --- lagg (iflagg.c) ---
_add("lagg", "laggport", "IFACE", "add a lagg member")
_add("lagg", "-laggport", "IFACE", "remove a lagg member")
_add("lagg", "laggproto", "PROTO", "failover, lacp, loadbalance, roundrobin, broadcast or none")
_add("lagg", "lagghash", "OPTS", "l2, l3, l4 hashing")
_add("lagg", "flowid_shift", "N", "flowid shift")
_add("lagg", "rr_limit", "N", "roundrobin packets per port")
_flags("lagg", "use_flowid use_numa lacp_fast_timeout lacp_strict", "lagg")

# --- bridge (ifbridge.c) ---
for _n in ("addm", "deletem", "addspan", "deletespan"):
    _add("bridge", _n, "IFACE", "bridge member")
for _n in ("discover", "learn", "sticky", "edge", "autoedge", "ptp", "autoptp", "stp", "span"):
    _add("bridge", _n, "IFACE", f"bridge: set {_n} on a member")
    _add("bridge", f"-{_n}", "IFACE", f"bridge: clear {_n} on a member")
for _n in ("maxaddr", "hellotime", "fwddelay", "maxage", "priority", "proto", "holdcnt", "timeout"):
    _add("bridge", _n, "N", f"bridge {_n}")
for _n in ("ifpriority", "ifpathcost", "ifmaxaddr"):
    _add("bridge", _n, "IFACE N", f"bridge member {_n}")
_add("bridge", "private", "IFACE", "bridge: make a member private")
_add("bridge", "-private", "IFACE", "bridge: clear private")
_add("bridge", "static", "IFACE MAC", "bridge static address")
_add("bridge", "deladdr", "MAC", "bridge: delete an address")
_plain("bridge", "flush flushall addr", "bridge address cache")

# --- tunnels (ifconfig.c, ifgif.c, ifgre.c) ---
_add("tunnel", "tunnel", "SRC DST", "tunnel source and destination")
_plain("tunnel", "-tunnel deletetunnel", "remove the tunnel addresses")
_add("tunnel", "reqid", "N", "ipsec(4) request id")
_flags("gif", "accept_rev_ethip_ver ignore_source send_rev_ethip_ver", "gif")
_add("gre", "grekey", "KEY", "GRE key")
_add("gre", "udpport", "PORT", "GRE-in-UDP port")
_flags("gre", "enable_csum enable_seq udpencap", "gre")

# --- vxlan (ifvxlan.c) ---
for _n in ("vxlanid", "vni", "vxlanlocal", "vxlanremote", "vxlangroup", "vxlanlocalport"):
    _add("vxlan", _n, "VALUE", f"vxlan {_n}")
for _n in ("vxlanremoteport", "vxlantimeout", "vxlanmaxaddr", "vxlandev", "vxlanttl"):
    _add("vxlan", _n, "VALUE", f"vxlan {_n}")
_add("vxlan", "vxlanportrange", "LOW HIGH", "vxlan source port range")
_flags("vxlan", "vxlanlearn", "vxlan")
_plain("vxlan", "vxlanflush vxlanflushall", "vxlan forwarding table")

# --- pfsync, stf ---
_add("pfsync", "syncdev", "IFACE", "pfsync interface")
_add("pfsync", "syncpeer", "ADDR", "pfsync peer")
_add("pfsync", "maxupd", "N", "pfsync updates")
_plain("pfsync", "-syncdev -syncpeer", "pfsync")
_flags("pfsync", "defer", "pfsync")
_add("stf", "stfv4br", "ADDR", "6rd border relay")
_add("stf", "stfv4net", "PREFIX", "6rd IPv4 prefix")

# --- wlan (ifieee80211.c): enough to tell known words from typos ---
_WLAN_ARG = (
    "ssid nwid meshid stationname station channel authmode powersavemode powersavesleep"
    " wepmode deftxkey weptxkey wepkey nwkey rtsthreshold fragthreshold protmode txpower"
    " roaming chanlist bssid list wlandev wlanmode wlanaddr wlanbssid regdomain country"
    " bgscanidle bgscanintvl scanvalid bmiss dtimperiod bintval mcastrate ucastrate mgtrate"
    " maxretry roam:rate roam:rssi htprotmode ampdulimit ampdudensity amsdulimit"
    " wlandebug dfsdomain"
)
for _n in _WLAN_ARG.split():
    _add("wlan", _n, "VALUE", f"802.11 {_n}")
_flags(
    "wlan",
    "powersave wep wme hidessid apbridge ecm dotd bgscan ht ht40 vht ampdu amsdu shortgi"
    " smps burst ff dturbo pureg puren doth dfs wps tsn quiet",
    "802.11",
)
_plain("wlan", "indoor outdoor anywhere scan ht20 -nwkey -bssid", "802.11")

#: interface kinds whose many driver words rcnet does not list: unknown words are info there
OPEN_VOCABULARY_KINDS = frozenset({"wlan", "lagg", "bridge", "gre", "vxlan"})


def lookup(word: str) -> Keyword | None:
    return KEYWORDS.get(word)


@functools.lru_cache(maxsize=4096)
def suggest(word: str) -> str | None:
    """The keyword a misspelt word most likely meant (`advksew` -> `advskew`), or None."""
    if word.lower() in KEYWORDS and word != word.lower():
        return word.lower()  # ifconfig is case-sensitive: `UP` is not `up`
    if len(word) < 3 or not any(c.isalpha() for c in word):
        return None  # addresses and numbers are not misspelt keywords
    lowered = word.lower()
    # difflib's ratio is at most 2*min(len)/(len1+len2): skip what cannot reach the cutoff
    near = [k for k in KEYWORDS if 2 * min(len(k), len(lowered)) >= 0.8 * (len(k) + len(lowered))]
    from difflib import get_close_matches  # imported only when a word may be misspelt

    found = get_close_matches(lowered, near, n=1, cutoff=0.8)
    if found and found[0] != word:
        return found[0]
    return None
