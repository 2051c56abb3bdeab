"""Interface aliases exactly as network.subr's ifalias_af_common assembles them.

Per address family pass (link, ether, inet, inet6): the words of `ifconfig_<if>_aliases`,
then every *set* `ifconfig_<if>_alias<N>` in numeric order whose value starts with the
pass's family keyword (an empty one stops the loop; one with no keyword is taken as inet
with a warning), then `ipv4_addrs_<if>` with `inet` before each word. The word list is cut
at every family keyword; each segment of the pass's family becomes one
`ifconfig <if> <segment> alias` call, or a range expansion (see `ranges`).
"""

from __future__ import annotations

import re

from rcnet.frozen import record
from rcnet.ifconfig import CallContext, parse_call
from rcnet.ifconfig.call import Call
from rcnet.ifconfig.inet import decimal
from rcnet.ifconfig.parse import PLAIN_VALUE, plain_value
from rcnet.ifconfig.words import Word, metachar_findings, split_fields
from rcnet.netsubr.common import Env, Report, sanitize
from rcnet.netsubr.ranges import HEX_DASH, Expander
from rcnet.rcconf.env import Value

FAMILY_WORDS = ("inet", "inet6", "link", "ether")
_ALIAS_NUMBER = re.compile(r"([0-9]+)(.*)")
#: a family keyword and a space at the start of a value (no two can both match)
_FAMILY = re.compile(f"({'|'.join(FAMILY_WORDS)}) ")
#: the passes rc makes, in order (ifconfig_up does link and ether, ipv4_up and ipv6_up the rest)
PASSES = ("link", "ether", "inet", "inet6")


@record
class AliasCalls:
    """The alias ifconfig calls of one interface, per pass."""

    link: tuple[Call, ...] = ()
    inet: tuple[Call, ...] = ()
    inet6: tuple[Call, ...] = ()


def alias_values(env: Env, ifname: str) -> list[tuple[int, Value]]:
    """Set `ifconfig_<if>_alias<N>` variables in rc's numeric order (once per interface:
    each pass and each rule asks)."""
    key = ("alias_values", ifname)
    if key not in env.memo:
        env.memo[key] = _alias_values(env, ifname)
    return list(env.memo[key])


def _alias_values(env: Env, ifname: str) -> list[tuple[int, Value]]:
    prefix = f"ifconfig_{sanitize(ifname)}_alias"
    found: list[tuple[int, str, Value]] = []
    for name in env.names_with_prefix(prefix):
        # one regex for every interface (a pattern per interface was compiled anew once
        # re's cache of 512 filled up: a file with 1,000 interfaces compiled 1,000)
        m = _ALIAS_NUMBER.fullmatch(name, len(prefix))
        value = env.value(name)
        if m is not None and value is not None:
            found.append((int(m.group(1)), name, value))  # names differ: values never compared
    return [(number, value) for number, _, value in sorted(found)]


def _family(text: str) -> str | None:
    """The family keyword the value starts with (followed by a blank), if any."""
    m = _FAMILY.match(text)
    return m.group(1) if m is not None else None


def _fields(env: Env, value: Value) -> list[Word]:
    """split_fields of an alias value, once per build (each pass and rule reads it)."""
    key = ("fields", id(value))
    if key not in env.memo:
        env.memo[key] = split_fields(value.text or "", value)
    words: list[Word] = env.memo[key]
    return words


def _families(env: Env, ifname: str) -> list[tuple[str | None, Value]]:
    """Each set alias value (unknown ones left out) with its family keyword, once per build."""
    key = ("families", ifname)
    if key not in env.memo:
        env.memo[key] = [
            (_family(value.text), value)
            for _, value in alias_values(env, ifname)
            if value.text is not None  # unknown: the reader already said why
        ]
    found: list[tuple[str | None, Value]] = env.memo[key]
    return found


def pass_pieces(env: Env, ifname: str, af: str, plain: dict[int, Call]) -> list[list[Word] | Call]:
    """The alias words rc collects for the `af` pass, one list per variable (and per word of
    ipv4_addrs). Each list but the first (`ifconfig_<if>_aliases`, whose words before a
    family keyword are dropped anyway) starts with a family keyword, so no segment spans two
    lists: `segments` of each list is `segments` of all the words rc joins. A value in `plain`
    stands as its call (one segment, nothing to expand or report)."""
    pieces: list[list[Word] | Call] = [
        split_fields(*_text(env.if_var(ifname, "ifconfig_IF_aliases")))
    ]
    for fam, value in _families(env, ifname):
        if fam == af:
            call = plain.get(id(value)) if af == "inet" else None
            pieces.append(call if call is not None else _fields(env, value))
        elif fam is None and value.text == "":
            break
        elif af == "inet" and fam is None:
            pieces.append([Word("inet", 0, 1, (), value), *_fields(env, value)])
    if af == "inet":
        for w in split_fields(*_text(env.if_var(ifname, "ipv4_addrs_IF"))):
            pieces.append([w.derive("inet"), w])
    return pieces


def _plain_calls(env: Env, ifname: str, kind: str | None) -> dict[int, Call]:
    """id(value) -> its call, for each alias value that is a plain `inet A.B.C.D/len`,
    optionally `vhid N` (ifconfig.parse.PLAIN_VALUE): most lines of a long alias list. The
    words are split_fields' and the context the one alias_calls would make."""
    out: dict[int, Call] = {}
    for fam, value in _families(env, ifname):
        m = PLAIN_VALUE.match(value.text) if fam == "inet" and value.text is not None else None
        if m is not None:
            ctx = CallContext(ifname, value.name, kind, True, "inet")
            out[id(value)] = plain_value(m, value, ctx)
    return out


def _text(value: Value | None) -> tuple[str, Value | None]:
    return ((value.text or "") if value is not None else "", value)


def segments(words: list[Word], af: str) -> list[list[Word]]:
    """Cut at every family keyword; keep the `af` segments (leading words are dropped)."""
    out: list[list[Word]] = []
    current: list[Word] | None = None
    for w in words:
        if w.text in FAMILY_WORDS:
            current = [w]
            out.append(current)
        elif current is not None:
            current.append(w)
    return [s for s in out if s[0].text == af and len(s) > 1]


def ipv6_enabled(env: Env, ifname: str) -> bool:
    """network.subr ipv6if: lo0, or listed/auto and with some IPv6 configuration."""
    if ifname == "lo0":
        return True
    listed = (env.text("ipv6_network_interfaces") or "").split()
    if not (ifname in listed or [w.lower() for w in listed] == ["auto"]):
        return False
    own = env.if_var(ifname, "ifconfig_IF_ipv6")
    args = own.text if own is not None else env.text("ifconfig_DEFAULT")
    prefix = env.if_var(ifname, "ipv6_prefix_IF")
    legacy = env.if_var(ifname, "ipv6_ifconfig_IF")
    return any(v for v in (args, prefix and prefix.text, legacy and legacy.text))


def numbering_findings(env: Env, ifname: str, report: Report) -> None:
    """AL01 (gaps), AL02 (an empty alias hides later ones), AL03 (no family keyword)."""
    values = alias_values(env, ifname)
    expected = 0
    for n, (number, value) in enumerate(values):
        if number > expected:
            missing = (
                f"alias{expected}"
                if number == expected + 1
                else (f"alias{expected}-alias{number - 1}")
            )
            report.at_name(
                "AL01",
                "warning",
                f"{value.name} follows a gap (no {missing}): current rc applies every set"
                " alias, but rc.conf(5) and older guides say processing stops at the first gap"
                " (and older FreeBSD did stop); number aliases without gaps",
                value,
            )
        expected = number + 1
        if value.text == "" and n + 1 < len(values):
            later = ", ".join(v.name for _, v in values[n + 1 :])
            report.at_name(
                "AL02",
                "error",
                f"{value.name} is empty: rc stops reading aliases there and never applies"
                f" {later}; delete the empty alias or renumber the later ones",
                value,
            )
            break
        if value.text and _family(value.text) is None:
            report.at_value(
                "AL03",
                "warning",
                f"{value.name} does not start with a family keyword (inet, inet6, link,"
                ' ether): rc warns "needs leading inet keyword" and applies it as inet;'
                " write `inet ` first",
                value,
            )
    _dropped_words(env, ifname, report)


def _dropped_words(env: Env, ifname: str, report: Report) -> None:
    value = env.if_var(ifname, "ifconfig_IF_aliases")
    words = split_fields(*_text(value))
    if words and words[0].text not in FAMILY_WORDS:
        report.at(
            "AL03",
            "warning",
            f"{words[0].source.name if words[0].source else 'the alias'} starts with"
            f" {words[0].text!r}, not a family keyword: rc drops every word before the first"
            " inet/inet6/link/ether; write `inet ` first",
            words[0],
        )


def alias_calls(
    env: Env, ifname: str, kind: str | None, report: Report, *, quick: bool = True
) -> AliasCalls:
    """Every alias ifconfig call of the interface, and the findings on the way. `quick=False`
    takes plain values the full way and cuts all words at once, as rc does (the tests
    compare both)."""
    limit_text = env.text("netif_ipexpand_max") or "2048"
    limit = int(limit_text) if decimal(limit_text) else 2048
    numbering_findings(env, ifname, report)
    plain = _plain_calls(env, ifname, kind) if quick else {}
    found: dict[str, list[Call]] = {"link": [], "inet": [], "inet6": []}
    for af in PASSES:
        pieces = pass_pieces(env, ifname, af, plain)
        if not quick:
            pieces = [[w for piece in pieces if isinstance(piece, list) for w in piece]]
        if af == "inet":
            for _, value in alias_values(env, ifname):
                if id(value) in plain:
                    continue  # digits, dots, a slash and `vhid`: no shell syntax
                unsafe = metachar_findings(_fields(env, value), value.name)
                if unsafe:
                    report.extend(unsafe)
        made = found["link" if af == "ether" else af]
        contexts: dict[str, CallContext] = {}
        for piece in pieces:
            if isinstance(piece, Call):
                made.append(piece)
            else:
                _segment_calls(piece, af, ifname, kind, limit, contexts, made, report)
    return AliasCalls(tuple(found["link"]), tuple(found["inet"]), tuple(found["inet6"]))


def _segment_calls(
    words: list[Word],
    af: str,
    ifname: str,
    kind: str | None,
    limit: int,
    contexts: dict[str, CallContext],
    made: list[Call],
    report: Report,
) -> None:
    """The calls of the `af` segments of these words (a range expanded), into `made`."""
    for seg in segments(words, af):
        source = seg[1].source  # the usual case; else the first word that has one
        if source is None:
            source = next((w.source for w in seg[2:] if w.source is not None), None)
        var = source.name if source is not None else "the alias"
        calls = [seg]
        # a blank never makes a hex digit and a dash adjacent: one search of the joined words
        if af not in ("link", "ether") and HEX_DASH.search(" ".join(w.text for w in seg[1:])):
            expander = Expander("inet6" if af == "inet6" else "inet", limit, var)
            expander.segment(seg)  # what rc's glob takes for a range
            report.extend(expander.findings)
            calls = expander.calls
        ctx = contexts.get(var)
        if ctx is None:
            ctx = contexts[var] = CallContext(ifname, var, kind, alias=True, default_family=af)
        for call_words in calls:
            call = parse_call(call_words, ctx)
            if call.findings:
                report.extend(call.findings)
            made.append(call)
