"""Parse the words of one ifconfig call against the keyword registry.

ifconfig reads its arguments left to right: a family keyword only as the first word
(default inet), then case-sensitive keywords that each consume a fixed number of
arguments; any other word is positional: the first is the address, the next the
destination (point-to-point), and a word that is neither makes ifconfig exit with "bad
value". Masks resolve as ifconfig does: of `/len`, `netmask` and `prefixlen` the one
written last wins.

Where ifconfig exits (that word, a carp word before `vhid`, a carp value the kernel
refuses), the call has a `failure`: keywords before it stay applied (flags, mtu: their
ioctls run as they are read), while the address and the vhid, which ifconfig sets only
after the last word, are not set at all (sbin/ifconfig/ifconfig.c ifconfig()).
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from dataclasses import dataclass, field, replace

from rcnet.findings import Finding, Severity
from rcnet.ifconfig.addresses import Section, resolve_addresses
from rcnet.ifconfig.call import AddressSpec, Call, CallContext, CarpSpec, Failure, Setting
from rcnet.ifconfig.carpopts import carp_spec
from rcnet.ifconfig.inet import (
    OCTET,
    decimal,
    is_hostname,
    is_mac,
    looks_like_inet,
    looks_like_inet6,
)
from rcnet.ifconfig.keywords import FAMILIES, OPEN_VOCABULARY_KINDS, lookup, suggest
from rcnet.ifconfig.words import Word, finding
from rcnet.rcconf.env import Value

__all__ = ["AddressSpec", "Call", "CallContext", "CarpSpec", "parse_call"]


@dataclass
class _Walk:
    ctx: CallContext
    settings: list[Setting] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    #: the word where ifconfig exits; the walk stops there
    failure: Failure | None = None

    @property
    def section(self) -> Section:
        return self.sections[-1]


def _unknown(walk: _Walk, word: Word, words: tuple[Word, ...], i: int) -> int:
    """A word that is no keyword and no address; returns words consumed.

    ifconfig takes it as the address (or, after one, the destination), which does not
    parse: it exits with "bad value". Only for interface kinds whose keywords rcnet does
    not all know is it a note instead.
    """
    ctx = walk.ctx
    near = suggest(word.text)
    if ctx.kind in OPEN_VOCABULARY_KINDS and near is None:
        walk.findings.append(
            finding(
                "IF01",
                "info",
                f"unknown ifconfig word {word.text!r} in {ctx.var}: rcnet does not know every"
                f" {ctx.kind} option; check it against ifconfig(8)",
                word,
            )
        )
        return 1
    if word.text in FAMILIES:
        role = "the destination" if walk.section.positionals else "the address"
        walk.failure = Failure(
            word, "IF07", f"{word.text!r} after the first word of {ctx.var}", '"bad value"',
            f"ifconfig reads a family keyword only first and takes this one as {role};"
            f" put the second address in {ctx.var}_alias0 (with a /32 mask if it is in"
            " the same subnet)",
            i,
        )  # fmt: skip
        return 1
    what = (
        f"unknown ifconfig keyword {word.text!r} in {ctx.var} (did you mean {near!r}?)"
        if near is not None
        else f"unknown ifconfig word {word.text!r} in {ctx.var}"
    )
    fix = f"write {near!r}" if near is not None else "remove it or fix it (see ifconfig(8))"
    walk.failure = Failure(word, "IF01", what, '"bad value"', fix, i)
    return 1


def _is_positional(walk: _Walk, word: Word) -> bool:
    text, family = word.text, walk.section.family
    if family == "link":
        return is_mac(text)
    if looks_like_inet(text) or looks_like_inet6(text):
        return True
    # ifconfig resolves a first positional word that is no keyword as a host name
    return (
        not walk.section.positionals
        and walk.ctx.kind not in OPEN_VOCABULARY_KINDS
        and suggest(text) is None
        and is_hostname(text)
        and "." in text
    )


def _take_args(walk: _Walk, word: Word, words: tuple[Word, ...], i: int) -> int:
    kw = lookup(word.text)
    assert kw is not None
    rest = words[i + 1 :]
    if kw.optional:
        count = 1 if rest and lookup(rest[0].text) is None and rest[0].text not in FAMILIES else 0
    else:
        count = kw.nargs
    if len(rest) < count:
        walk.failure = Failure(
            word, "IF01",
            f"{kw.name} needs {count} argument{'s' if count > 1 else ''} ({kw.usage()}) in"
            f" {walk.ctx.var}", f"\"'{kw.name}' requires argument\"", f"write {kw.usage()}",
            i,
        )  # fmt: skip
        return len(words) - i
    args = rest[:count]
    walk.settings.append(Setting(kw, word, tuple(args), i))
    return 1 + len(args)


def _walk(words: tuple[Word, ...], ctx: CallContext) -> _Walk:
    """ifconfig's argument loop: a family keyword only as the first word, then keywords
    with their arguments and positional words, up to the first word that makes it exit."""
    walk = _Walk(ctx, sections=[Section(ctx.default_family, None)])
    i = 0
    if words and words[0].text in FAMILIES:
        walk.sections = [Section(FAMILIES[words[0].text], words[0])]
        i = 1
    while i < len(words) and walk.failure is None:
        word = words[i]
        if lookup(word.text) is not None:
            i += _take_args(walk, word, words, i)
        elif _is_positional(walk, word):
            walk.section.positionals.append(word)
            i += 1
        else:
            i += _unknown(walk, word, words, i)
    return walk


def _lladdr(walk: _Walk) -> str | None:
    found: str | None = None
    for section in walk.sections:
        if section.family == "link" and section.positionals:
            found = section.positionals[0].text
    for s in walk.settings:
        if s.name == "lladdr" and s.arg:
            found = s.arg
    return found


def _mtu(walk: _Walk) -> int | None:
    s = next((s for s in reversed(walk.settings) if s.name == "mtu"), None)
    if s is None or not s.args:
        return None
    text = s.args[0].text
    if not decimal(text) or not 68 <= int(text) <= 65535:
        walk.findings.append(
            finding(
                "IF11",
                "warning" if decimal(text) else "error",
                f"mtu {text} in {walk.ctx.var} is outside 68-65535: the driver refuses it and"
                " the interface keeps its current MTU",
                s.args[0],
            )
        )
        return None
    return int(text)


def _delete_findings(walk: _Walk) -> None:
    for s in walk.settings:
        if s.name in ("-alias", "delete", "remove"):
            walk.findings.append(
                finding(
                    "IF09",
                    "warning",
                    f"`{s.name}` in {walk.ctx.var}: rc runs this at every start, so it removes"
                    " the address instead of adding it; remove the word",
                    s.word,
                )
            )


def _secrets(words: tuple[Word, ...]) -> set[str]:
    """Texts written right after `pass` (or a misspelling of it): never shown in a message."""
    return {
        w.text
        for prev, w in itertools.pairwise(words)
        if prev.text == "pass" or (len(prev.text) <= 6 and suggest(prev.text) == "pass")
    }


def _redact(findings: list[Finding], secrets: set[str]) -> list[Finding]:
    if not secrets:
        return findings
    out: list[Finding] = []
    for f in findings:
        message = f.message
        for secret in secrets:
            message = re.sub(rf"(?<![\w.:/-]){re.escape(secret)}(?![\w.:/-])", "********", message)
        out.append(replace(f, message=message))
    return out


def _after(words: tuple[Word, ...], start: int) -> tuple[list[str], bool]:
    """Keywords never run after the failing word, and whether an address was among them."""
    keywords: list[str] = []
    address = False
    i = start
    while i < len(words):
        kw = lookup(words[i].text)
        if kw is not None:
            keywords.append(kw.name)
            i += 1 + kw.nargs
            continue
        address = address or looks_like_inet(words[i].text) or looks_like_inet6(words[i].text)
        i += 1
    return keywords, address


def _failure_finding(failure: Failure, walk: _Walk, words: tuple[Word, ...]) -> Finding:
    """The finding at the word where ifconfig exits, saying what the call loses."""
    own = lookup(words[failure.at].text) if failure.at < len(words) else None
    later, later_address = _after(words, failure.at + 1 + (own.nargs if own else 0))
    written = any(sec.positionals for sec in walk.sections)
    text = failure.word.text
    itself = failure.code in ("IF02", "AL04") and (looks_like_inet(text) or ":" in text)
    address = written or itself or later_address
    vhid = any(w.text == "vhid" for w in words)
    applied = [s.name for s in walk.settings if s.index < failure.at]
    severity: Severity = "error"
    if address or vhid:
        what = {(True, True): "no address and no vhid", (True, False): "no address"}.get(
            (address, vhid), "no vhid"
        )
        lost = f"{what} of this line is set"
    elif later:
        lost = f"{' '.join(later)} after it {'is' if len(later) == 1 else 'are'} not applied"
    else:
        lost, severity = "nothing after it is lost", "warning"
    kept = f" (what came before it, {' '.join(applied)}, stays applied)" if applied else ""
    message = (
        f"{failure.what}: ifconfig exits here with {failure.complaint}, so {lost}{kept};"
        f" {failure.fix}"
    )
    return finding(failure.code, severity, message, failure.word)


def _first_failure(*found: Failure | None) -> Failure | None:
    if found.count(None) == len(found):  # the usual call
        return None
    real = [f for f in found if f is not None]
    return min(real, key=lambda f: f.at) if real else None


_Summary = tuple[bool | None, str | None, tuple[str, ...], str | None]


def _summary(settings: list[Setting]) -> _Summary:
    """up/down (the last one), the description, the members and the rename of a call."""
    up: bool | None = None
    descr = rename = None
    members: list[str] = []
    for s in settings:
        name = s.name
        if name in ("up", "down"):
            up = name == "up"
        elif name in ("description", "descr"):
            descr = s.arg
        elif name in ("addm", "laggport") and s.arg is not None:
            members.append(s.arg)
        elif name == "name":
            rename = s.arg
    return up, descr, tuple(members), rename


#: `A.B.C.D/len`, four decimal parts of 0-255 without leading zeros and a length of 0-32
#: without one: nothing about it is suspicious and no keyword follows
_QUAD_LEN = rf"{OCTET}\.{OCTET}\.{OCTET}\.{OCTET}/(3[0-2]|[12]?[0-9])"
_PLAIN_INET = re.compile(rf"{_QUAD_LEN}\Z")
#: a vhid of 1-255 without a leading zero
_VHID_NUMBER = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]?)"
_PLAIN_VHID = re.compile(rf"{_VHID_NUMBER}\Z")
#: a whole alias value that is `inet A.B.C.D/len`, optionally followed by `vhid N`, with
#: single spaces: the words plain_inet takes. Groups: 1 the address word, 2-6 its numbers,
#: 7 `vhid`, 8 its number
PLAIN_VALUE = re.compile(rf"inet ({_QUAD_LEN})(?: (vhid) {_VHID_NUMBER})?\Z")
_VHID = lookup("vhid")


def plain_inet(words: tuple[Word, ...], ctx: CallContext) -> Call | None:
    """`inet A.B.C.D/len`, alone or followed by `vhid N` (nearly every alias line): what the
    full parse makes of it, or None when the call is anything else (tests/build/test_parse.py
    proves them equal)."""
    n = len(words)
    if n not in (2, 4) or words[0].text != "inet":
        return None
    quad = _PLAIN_INET.match(words[1].text)
    if quad is None:
        return None
    if n == 4 and (words[2].text != "vhid" or _PLAIN_VHID.match(words[3].text) is None):
        return None
    return _plain(ctx, words, quad.groups())


def plain_value(m: re.Match[str], value: Value, ctx: CallContext) -> Call:
    """The call of an alias value PLAIN_VALUE matched: plain_inet of its words, made from the
    match without splitting the value or testing its words again (a long alias list is
    mostly such lines; tests/build/test_aliases_quick.py proves the two lanes equal)."""
    inet = Word("inet", 0, 4, (0, 1, 2, 3), value)
    start, end = m.span(1)
    address = Word(m.group(1), start, end, tuple(range(start, end)), value)
    if m.start(7) < 0:
        return _plain(ctx, (inet, address), m.group(2, 3, 4, 5, 6))
    start, end = m.span(7)
    keyword = Word("vhid", start, end, tuple(range(start, end)), value)
    start, end = m.span(8)
    number = Word(m.group(8), start, end, tuple(range(start, end)), value)
    return _plain(ctx, (inet, address, keyword, number), m.group(2, 3, 4, 5, 6))


def _plain(ctx: CallContext, words: tuple[Word, ...], numbers: tuple[str, ...]) -> Call:
    """The call of the words of a plain `inet A.B.C.D/len [vhid N]`, `numbers` the address's
    four parts and length as written."""
    a, b, c, d, plen = map(int, numbers)
    word = words[1]
    address = ipaddress.IPv4Address(a << 24 | b << 16 | c << 8 | d)
    spec = AddressSpec("inet", address, plen, word, None, None, False, ctx.alias, False)
    if len(words) == 2:
        return Call(ctx, words, (), (spec,), (word,))
    assert _VHID is not None
    keyword, number = words[2], words[3]
    setting = Setting(_VHID, keyword, (number,), 2)
    carp = CarpSpec(vhid=int(number.text), vhid_word=keyword)
    return Call(ctx, words, (setting,), (spec,), (word,), carp)


def parse_call(
    words: tuple[Word, ...] | list[Word], ctx: CallContext, *, quick: bool = True
) -> Call:
    """Parse one ifconfig call's words (after pseudo-keyword removal and eval).
    `quick=False` skips the shortcut for a plain `inet A.B.C.D/len` (tests compare both)."""
    words = tuple(words)
    if quick:
        plain = plain_inet(words, ctx)
        if plain is not None:
            return plain
    walk = _walk(words, ctx)
    addr_findings: list[Finding] = []
    specs, written, addr_failure = resolve_addresses(
        walk.sections, walk.settings, words, ctx, addr_findings
    )
    carp: CarpSpec | None = None
    carp_findings: list[Finding] = []
    carp_failure: Failure | None = None
    if walk.settings:  # most alias calls have none: an address alone
        _delete_findings(walk)
        carp, carp_findings, carp_failure = carp_spec(walk.settings, ctx)
    failure = _first_failure(walk.failure, addr_failure, carp_failure)
    if failure is not None:
        # ifconfig exits at the failing word: nothing deferred is set, later words never run
        specs, carp = [], None
        walk.settings = [s for s in walk.settings if s.index < failure.at]
    settings = walk.settings
    up, descr, members, rename = _summary(settings)
    mtu = _mtu(walk) if settings else None
    findings = list(walk.findings)
    if failure is None:
        findings += addr_findings + carp_findings
    else:
        findings.append(_failure_finding(failure, walk, words))
    if findings:
        findings = sorted(_redact(findings, _secrets(words)), key=Finding.sort_key)
    return Call(
        context=ctx,
        words=words,
        settings=tuple(settings),
        addresses=tuple(specs),
        address_words=tuple(written),
        carp=carp,
        lladdr=_lladdr(walk) if failure is None else None,
        mtu=mtu,
        up=up,
        description=descr,
        members=members,
        rename=rename,
        findings=tuple(findings),
        failure=failure,
    )
