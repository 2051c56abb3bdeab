"""The rule registry: every finding code `check` can report, with its usual severity, a title
and the long text `rcnet explain CODE` prints.

One definition: `rcnet explain`, the generated rules reference (docs/rules.md) and the
rcnet-rules(7) man page all come from RULES. Severity belongs to each finding (the same code
can be an error in one place and a warning in another); `severity` here is the usual one.
A new finding code is added here first (tests/lint/test_rules.py checks every code the
sources emit is registered).
"""

from __future__ import annotations

from rcnet.findings import Severity
from rcnet.frozen import record

#: code prefix -> what the family covers (the reference's section titles)
FAMILIES: dict[str, str] = {
    "SH": "sh: how rc's shell reads the file",
    "IF": "ifconfig: the words of an ifconfig_* value",
    "AL": "aliases: ifconfig_<if>_aliasN, _aliases and ipv4_addrs_<if>",
    "DU": "duplicate addresses",
    "CL": "cloned interfaces",
    "RN": "renamed interfaces",
    "CA": "CARP",
    "RT": "routing",
    "GN": "general settings",
    "SY": "sysctl.conf (net.inet.carp.*)",
    "RC": "rcnet's own variables",
    "LX": "what rcnet leaves to Linux",
}


@record
class Rule:
    code: str
    #: the usual severity; a finding may carry another (see the text)
    severity: Severity
    title: str
    #: what rc does, why it matters and how to fix it (plain text, paragraphs split by "\n\n")
    text: str


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {r.code: r for r in rules}


ERROR: Severity = "error"
WARNING: Severity = "warning"
INFO: Severity = "info"

RULES: dict[str, Rule] = _rules(
    Rule("SH01", ERROR, "blanks around `=`, or an unquoted value with blanks",
         "sh reads `NAME = value` as the command NAME with two arguments, and `NAME=a b` as the "
         "command `b` run with NAME=a in its environment: neither sets NAME. rc prints "
         "\"not found\" at boot and the setting is lost.\n\nWrite `NAME=\"a b\"` with no "
         "blanks around `=`."),
    Rule("SH02", ERROR, "a variable name sh does not accept",
         "A name holds only letters, digits and `_`. `ifconfig_em0.101=...` is a command to "
         "sh, not an assignment. network.subr's get_if_var maps `.`, `-`, `/` and `+` of an "
         "interface name to `_`, so write `ifconfig_em0_101`."),
    Rule("SH03", ERROR, "unterminated quote, CR, BOM or typographic quotes",
         "An unterminated quote makes sh fail on the whole file: rc loads nothing from it. "
         "A CR (a file saved with DOS line ends) becomes part of the value, a byte-order mark "
         "makes the first name unknown, and typographic quotes (“ ”) are ordinary "
         "characters to sh. Save the file as plain ASCII with LF line ends."),
    Rule("SH04", WARNING, "a statement rcnet does not evaluate",
         "rcnet never runs anything: command substitutions, conditionals, loops, functions, "
         "includes (`. file`), redirections and commands chained with && || | & are skipped, "
         "and what they would assign is unknown. Some are errors because sh itself stops "
         "there (an unmatched `fi`, `${X?}` of an unset X). A file of a directory HOST that is "
         "not read (binary, too big, not a regular file) is a warning; one a symlink takes "
         "out of the directory is an error: rcnet never reads nor quotes it, so its model would "
         "lack what rc reads. Put plain assignments in rc.conf."),
    Rule("SH05", INFO, "a variable assigned more than once",
         "The last assignment wins (rc sources the files in order); the finding lists every "
         "place so the one that counts is clear."),
    Rule("SH06", WARNING, "expansion of an unset variable",
         "`$NAME` of a variable that is set neither earlier in the files nor by "
         "/etc/defaults/rc.conf expands to nothing. Usually a misspelt name or an assignment "
         "placed after its use."),
    Rule("SH07", ERROR, "shell syntax inside an ifconfig_* value",
         "network.subr passes ifconfig values through `eval` (ifconfig_up, ifalias), so `;`, "
         "`|`, `&`, `>`, `<`, backticks and `$(` are shell syntax at boot: a command runs, "
         "or ifconfig gets only the words before it. A `$` expands a second time (a warning). "
         "Remove them or quote them."),
    Rule("SH08", ERROR, "a misspelt variable name",
         "rc never complains about a variable nobody reads, so `ifconfig_em0_alais0`, "
         "`defaultroutr` or `clone_interfaces` are ignored at boot without a word. The "
         "finding names the variable rc reads that the name is closest to (the registry of "
         "variables is docs/variables.md); nothing else is concluded from a misspelt name."),
    Rule("SH09", ERROR, "an expansion that grows past rcnet's caps",
         "A value that expands past 1 MiB (or a file whose expansions copy more than 16 MiB) "
         "is an expansion bomb: sh would run out of memory and the rc script reading the "
         "file would fail. rcnet stops expanding at the `$` that crosses the cap, and the "
         "value is unknown."),
    Rule("SH10", ERROR, "control characters in a value",
         "sh keeps every byte between the quotes: an escape, a bell or DEL in "
         "`ifconfig_em0` becomes part of an ifconfig word (an unknown word: ifconfig exits "
         "before the address is set) or of a description that every `ifconfig` and log then "
         "prints raw, and a newline in `ifconfig_IF_descr` starts a new line in them. An "
         "error in the networking variables and descriptions; a warning in other variables "
         "(a program that prints the value sends the characters to its terminal). rcnet "
         "shows such characters escaped (`\\x1b`) wherever it prints them. Tab, the newline "
         "of a multi-line value and CR (SH03) are not reported here; a hostname has GN04."),
    Rule("IF01", ERROR, "an ifconfig word that is not a keyword",
         "ifconfig takes the first word that is not a keyword as the address and the next as "
         "the destination; a word that parses as neither makes it exit with an error before "
         "the address (and the carp vhid) is set, while flags and mtu already applied stay. "
         "Keywords are case-sensitive (`UP`, `MTU` are not keywords); near-misses "
         "(`advksew`) get a suggestion. Words of drivers rcnet leaves to Linux (wlan, lagg, "
         "bridge, gre, vxlan) are info."),
    Rule("IF02", ERROR, "an invalid address or prefix length",
         "ifconfig fails on an address it cannot parse or a prefix length outside 0-32 "
         "(0-128 for inet6), and sets no address for that call."),
    Rule("IF03", WARNING, "inet_aton shorthand or leading zeros",
         "ifconfig parses IPv4 with inet_aton: `10.1` is 10.0.0.1 and `010.0.0.1` is octal "
         "(8.0.0.1). Write the four decimal octets."),
    Rule("IF04", WARNING, "a non-contiguous netmask",
         "ifconfig accepts it (FreeBSD 14 counts its bits; older kernels keep the mask as "
         "given), so the prefix is rarely what was meant. The finding says which prefix "
         "results."),
    Rule("IF05", WARNING, "`/len` and `netmask` disagree, or a broadcast outside the prefix",
         "With both a `/len` and a `netmask` the later one wins. A broadcast that is not the "
         "prefix's broadcast address is almost always a typo."),
    Rule("IF06", WARNING, "an IPv4 address without a mask",
         "ifconfig gives it the classful default (/8, /16 or /24 by the first octet), which "
         "is rarely the network's real prefix. Write `/len`."),
    Rule("IF07", ERROR, "a second address in one ifconfig call",
         "ifconfig takes the second address word as the destination (the broadcast address "
         "on Ethernet), and reads a family keyword only first: a second `inet` is a bad "
         "destination, the call fails and sets no address at all. Put the second address "
         "in ifconfig_<if>_aliasN."),
    Rule("IF09", WARNING, "`-alias`, `delete` or `remove` in a start-time variable",
         "These remove an address; at boot there is nothing to remove and the call fails."),
    Rule("IF10", WARNING, "IPv6 in the primary ifconfig_<if>",
         "network.subr configures IPv6 from ifconfig_<if>_ipv6 (ipv6_up); put `inet6 ...` "
         "there."),
    Rule("IF11", WARNING, "an mtu out of range",
         "An mtu outside 68-65535 is refused; under 1280 IPv6 is disabled on the link."),
    Rule("IF12", WARNING, "DHCP together with a static address",
         "`DHCP` makes rc hand the interface to dhclient and skip the static inet words of "
         "the same value; put the static address in an alias."),
    Rule("IF13", WARNING, "configured but not in network_interfaces",
         "With an explicit network_interfaces list (not AUTO), rc configures only the "
         "interfaces listed; ifconfig_<if> of another interface is never read."),
    Rule("AL01", WARNING, "a gap in alias numbering",
         "Current rc (ifalias) applies every ifconfig_<if>_aliasN it finds, but rc.conf(5) "
         "and older releases stop at the first missing number. Number aliases without gaps."),
    Rule("AL02", ERROR, "an empty alias before higher numbers",
         "`ifconfig_<if>_aliasN=\"\"` while a higher N exists: the higher aliases are not "
         "applied. Remove the empty one and renumber."),
    Rule("AL03", WARNING, "an alias not starting with a family keyword",
         "ifalias assumes inet for a value not starting with `inet` or `inet6`; write it."),
    Rule("AL04", ERROR, "an IPv6 alias without `inet6`",
         "Without `inet6` the alias is passed to ifconfig as inet and fails."),
    Rule("AL06", ERROR, "a range segment rc recurses on forever",
         "network.subr expands `a-b` ranges in ipv4_addrs_<if> and aliases; a segment with "
         "`[0-9a-fA-F]-` that is not a valid range makes its expansion recurse without end."),
    Rule("AL07", ERROR, "an invalid address range",
         "`--`, a start above the end or an octet above 255: the range is not expanded. A "
         "range that expands past netif_ipexpand_max is a warning (rc stops there)."),
    Rule("AL08", WARNING, "inet6 aliases on an interface without IPv6",
         "rc ignores inet6 aliases of an interface that is not IPv6-enabled "
         "(ipv6_network_interfaces, ifconfig_<if>_ipv6)."),
    Rule("DU01", ERROR, "the same address twice on one host",
         "After range expansion, an address configured on two interfaces, or on two hosts of "
         "one segment (both answer ARP for it; a shared address belongs in a vhid). Added "
         "twice to one interface it is one address with the later mask (a warning)."),
    Rule("DU02", WARNING, "the same IPv4 prefix on two interfaces",
         "The kernel keeps one route to the prefix, so its traffic leaves by one interface "
         "only. Not reported for CARP addresses (a legacy carpN shares its parent's prefix)."),
    Rule("CL01", WARNING, "a cloned interface nothing uses",
         "Created by cloned_interfaces but never configured (no ifconfig_<if>) nor used by "
         "another interface (addm, laggport, vlandev)."),
    Rule("CL02", ERROR, "configuration for an interface nothing creates",
         "ifconfig_carp1 without carp1 in cloned_interfaces (or vlans_<parent>): rc never "
         "applies it, `ifconfig carp1` fails and its addresses and vhid never come up."),
    Rule("CL03", ERROR, "a cloned_interfaces entry that cannot be created",
         "An entry must be <cloner><unit> (bridge0) of a cloner FreeBSD has, with at most "
         ":sticky or :nosticky after it; otherwise `ifconfig NAME create` fails at boot."),
    Rule("CL05", INFO, "a legacy carpN interface",
         "FreeBSD 10 replaced carpN interfaces by vhids on addresses; rcnet runs the legacy "
         "form, and the finding shows the modern equivalent."),
    Rule("RN01", ERROR, "variables keyed on a renamed interface's old name",
         "ifconfig_<if>_name renames the interface before it is configured, so variables "
         "keyed on the old name are never applied; with network_interfaces listing the old "
         "name, `ifconfig <old>` fails and the new name stays unconfigured."),
    Rule("CA01", ERROR, "CARP options before `vhid`",
         "ifconfig's carp options apply to the vhid given before them: `advskew`, "
         "`advbase`, `pass` or `state` without an earlier `vhid` make the whole call fail "
         "(no address, no vhid)."),
    Rule("CA02", ERROR, "a CARP value out of range",
         "vhid 1-255, advskew 0-254, advbase 1-255 and state init/backup/master; ifconfig "
         "refuses anything else and the call sets nothing."),
    Rule("CA03", WARNING, "a pass longer than 19 bytes",
         "CARP keeps only the first 19 bytes of the pass; hosts that differ after them still "
         "agree."),
    Rule("CA04", WARNING, "one vhid with different settings on one host",
         "The same vhid with different pass, advskew or advbase on one host: the last call "
         "wins."),
    Rule("CA05", ERROR, "the pass differs across hosts",
         "The same vhid on one segment with different passes (first 19 bytes): each host "
         "drops the other's adverts as bad authentication and both become MASTER."),
    Rule("CA06", ERROR, "the address set differs across hosts",
         "The advert's HMAC covers the vhid's addresses; hosts with different address sets "
         "drop each other's adverts and both become MASTER."),
    Rule("CA07", WARNING, "two hosts with the same advbase and advskew",
         "No deterministic master: which one wins depends on timing."),
    Rule("CA08", WARNING, "a vhid on the primary address",
         "`vhid` in ifconfig_<if> makes the management address shared and moved on "
         "failover; put the VIP in an alias."),
    Rule("CA09", WARNING, "a VIP in no prefix of its interface",
         "A VIP outside every prefix of its interface is unreachable from the segment. For a "
         "legacy carpN the address must lie in a physical interface's subnet (FreeBSD <= 9 "
         "refused it): an error, nothing is configured."),
    Rule("CA10", INFO, "a vhid left out of the cross-host checks",
         "Its segment cannot be known (no static IPv4 address on its parent, e.g. DHCP)."),
    Rule("RT01", WARNING, "a static_routes entry without route_<name>",
         "rc warns \"route_<name> not found\" and adds no route."),
    Rule("RT02", WARNING, "a default router rc cannot reach",
         "A defaultrouter in no prefix of the host's interfaces (and no DHCP) fails with "
         "\"Network is unreachable\"; a link-local one needs `%interface`."),
    Rule("RT03", WARNING, "a route rcnet cannot read",
         "route(8) would likely fail too; write `-net PREFIX/LEN GATEWAY` or `-net "
         "PREFIX/LEN -interface IF`."),
    Rule("RT04", WARNING, "a variable in an rc.conf.d file its reader does not read",
         "Each rc.d script reads rc.conf plus only its own rc.conf.d file(s): hostname reads "
         "rc.conf.d/hostname, netif rc.conf.d/network and netif, routing rc.conf.d/routing."),
    Rule("GN01", WARNING, "a boolean rc does not know",
         "checkyesno accepts YES/TRUE/ON/1 and NO/FALSE/OFF/0 in any case; anything else "
         "prints \"is not set properly\" and counts as NO."),
    Rule("GN02", WARNING, "netif_enable is not YES",
         "rc.d/netif does not run and no interface is configured at boot."),
    Rule("GN04", WARNING, "an invalid hostname",
         "Blanks, a label over 63 or a name over 253 characters; an error for control "
         "characters or more than 64 bytes (Linux's sethostname refuses it)."),
    Rule("SY01", WARNING, "a sysctl.conf line sysctl refuses",
         "A line without `=VALUE`, or a value that is not an integer: FreeBSD's default "
         "stays."),
    Rule("SY02", WARNING, "an unknown net.inet.carp sysctl",
         "FreeBSD's CARP has allow, preempt, dscp, log, demotion, senderr_demotion_factor "
         "and ifdown_demotion_factor."),
    Rule("RC01", WARNING, "an rcnet_ifmap entry that is not FREEBSD:LINUX",
         "rcnet_ifmap maps FreeBSD interface names to Linux ones (`fxp0:eth0`); other "
         "entries are ignored."),
    Rule("LX01", INFO, "a setting rcnet leaves to the Linux system",
         "DHCP, WPA/HOSTAP, wlans, gif, epair and router advertisements are left to the "
         "system's own tools; the finding says which to use."),
)  # fmt: skip


def rule(code: str) -> Rule | None:
    return RULES.get(code.upper())


def suggest_code(code: str) -> str | None:
    """The registered code closest to an unknown one (`SH8`, `sh80`, `IF1`)."""
    word = code.upper()
    if word[:2] in FAMILIES and word[2:].isdigit():
        padded = f"{word[:2]}{int(word[2:]):02d}"
        if padded in RULES:
            return padded
    from difflib import get_close_matches  # imported only for an unknown code

    match = get_close_matches(word, list(RULES), n=1, cutoff=0.5)
    return match[0] if match else None


def reference_markdown() -> str:
    """docs/rules.md: every rule by family (generated; `make rules` rewrites the file)."""
    out = [
        "# rcnet check: rules reference",
        "",
        "Generated from `rcnet/rules.py` by `make rules`; do not edit. "
        "`rcnet explain CODE` prints one rule.",
        "Severity is the usual one: it belongs to each finding.",
    ]
    for family, title in FAMILIES.items():
        rules = [r for r in RULES.values() if r.code.startswith(family)]
        out += ["", f"## {family}: {title}"]
        for r in sorted(rules, key=lambda r: r.code):
            out += ["", f"### {r.code} ({r.severity}): {r.title}", ""]
            out += [p if p else "" for p in r.text.split("\n")]
    return "\n".join(out) + "\n"
