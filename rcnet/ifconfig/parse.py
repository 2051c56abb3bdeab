"""Parse the words of one ifconfig call against the keyword registry.

ifconfig reads its arguments left to right: a family keyword first (default inet), then
keywords that each consume a fixed number of arguments; any other word is positional:
the first is the address, the next the destination (point-to-point), and a word that is
neither makes ifconfig exit with "bad value". Masks resolve as ifconfig does: of `/len`,
`netmask` and `prefixlen` the one written last wins.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from dataclasses import dataclass, field, replace

from rcnet.findings import Finding, Severity
from rcnet.ifconfig.call import AddressSpec, Call, CallContext, CarpSpec, Setting
from rcnet.ifconfig.carpopts import carp_spec
from rcnet.ifconfig.inet import (
    Aton,
    classful_prefixlen,
    is_hostname,
    is_mac,
    looks_like_inet,
    looks_like_inet6,
    parse_inet,
    parse_inet6,
    parse_mask,
)
from rcnet.ifconfig.keywords import FAMILIES, OPEN_VOCABULARY_KINDS, lookup, suggest
from rcnet.ifconfig.words import Word, finding

__all__ = ["AddressSpec", "Call", "CallContext", "CarpSpec", "parse_call"]

#: interface kinds without a broadcast address: no classful-mask warning there
_NO_BROADCAST = frozenset({"lo", "gif", "gre", "tun", "ipsec", "stf", "wg", "me", "ovpn", "disc"})


@dataclass
class _Section:
    """The words after one family keyword (ifconfig starts over at each one)."""

    family: str
    keyword: Word | None
    positionals: list[Word] = field(default_factory=list)


@dataclass
class _Walk:
    ctx: CallContext
    settings: list[Setting] = field(default_factory=list)
    sections: list[_Section] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def section(self) -> _Section:
        return self.sections[-1]


def _unknown(walk: _Walk, word: Word, words: tuple[Word, ...], i: int) -> int:
    """IF01 for a word that is no keyword and no address; returns words consumed."""
    ctx = walk.ctx
    near = suggest(word.text)
    if near is not None:
        kw = lookup(near)
        taken = kw.nargs if kw is not None else 0
        walk.findings.append(
            finding(
                "IF01",
                "error",
                f"unknown ifconfig keyword {word.text!r} in {ctx.var} (did you mean {near!r}?):"
                ' ifconfig exits with "bad value" and the addresses and CARP settings of this'
                f" line are not applied; write {near!r}",
                word,
            )
        )
        # its arguments belong to the misspelt keyword: never read them as addresses
        return 1 + min(taken, len(words) - i - 1)
    severity: Severity = "info" if ctx.kind in OPEN_VOCABULARY_KINDS else "warning"
    tail = (
        f"rcnet does not know every {ctx.kind} option; check it against ifconfig(8)"
        if severity == "info"
        else 'ifconfig exits with "bad value" unless it is a driver option; check ifconfig(8)'
    )
    walk.findings.append(
        finding("IF01", severity, f"unknown ifconfig word {word.text!r} in {ctx.var}: {tail}", word)
    )
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
        walk.findings.append(
            finding(
                "IF01",
                "error",
                f"{kw.name} needs {count} argument{'s' if count > 1 else ''} ({kw.usage()}) in"
                f" {walk.ctx.var}: ifconfig stops with an error and this line is not applied",
                word,
            )
        )
    args = rest[:count]
    walk.settings.append(Setting(kw, word, tuple(args), i))
    return 1 + len(args)


def _walk(words: tuple[Word, ...], ctx: CallContext) -> _Walk:
    walk = _Walk(ctx, sections=[_Section(ctx.default_family, None)])
    i = 0
    while i < len(words):
        word = words[i]
        if word.text in FAMILIES:
            walk.sections.append(_Section(FAMILIES[word.text], word))
            i += 1
        elif lookup(word.text) is not None:
            i += _take_args(walk, word, words, i)
        elif _is_positional(walk, word):
            walk.section.positionals.append(word)
            i += 1
        else:
            i += _unknown(walk, word, words, i)
    return walk


def _index(words: tuple[Word, ...], word: Word) -> int:
    return next((n for n, w in enumerate(words) if w is word), -1)


class _Resolver:
    """Turns the positional words of each section into AddressSpecs."""

    def __init__(self, walk: _Walk, words: tuple[Word, ...]) -> None:
        self.walk = walk
        self.ctx = walk.ctx
        self.words = words
        self.alias = walk.ctx.alias or any(s.name in ("alias", "add") for s in walk.settings)
        self.delete = any(s.name in ("-alias", "delete", "remove") for s in walk.settings)

    def _flag(self, code: str, severity: Severity, message: str, word: Word) -> None:
        self.walk.findings.append(finding(code, severity, message, word))

    def _mask_settings(
        self, names: tuple[str, ...], full: int = 32
    ) -> tuple[list[tuple[int, int, Setting]], bool]:
        """(position, prefixlen, setting) of each mask keyword, and False if one is invalid."""
        out: list[tuple[int, int, Setting]] = []
        ok = True
        for s in self.walk.settings:
            if s.name not in names or not s.args:
                continue
            text = s.args[0].text
            if s.name == "netmask":
                mask = parse_mask(text)
                if mask.prefixlen is None:
                    ok = False
                    self._flag(
                        "IF04" if mask.noncontiguous else "IF02",
                        "error",
                        f"{mask.error} in {self.ctx.var}: ifconfig rejects it and the address"
                        " is not set; write a contiguous mask such as 255.255.255.0 or /24",
                        s.args[0],
                    )
                    continue
                out.append((s.index, mask.prefixlen, s))
            elif text.isdigit() and int(text) <= full:
                out.append((s.index, int(text), s))
            else:
                ok = False
                self._flag(
                    "IF02",
                    "error",
                    f"prefixlen {text!r} in {self.ctx.var} is not 0-{full}: ifconfig rejects it"
                    " and the address is not set",
                    s.args[0],
                )
        return out, ok

    def inet(self, word: Word, dest: Word | None) -> AddressSpec | None:
        parsed = parse_inet(word.text)
        ctx = self.ctx
        if parsed.address is None:
            self._bad_inet(word, parsed.error, parsed.hostname)
            return None
        self._style(word, parsed.aton)
        at = _index(self.words, word)
        masks: list[tuple[int, int, Setting | None]] = []
        if parsed.prefixlen is not None:
            masks.append((at, parsed.prefixlen, None))
        settings, ok = self._mask_settings(("netmask", "prefixlen"))
        if not ok:
            return None
        masks += settings
        dest_addr = self._dest4(dest)
        if masks:
            _, prefixlen, _ = max(masks, key=lambda m: m[0])
            self._disagree(masks)
            defaulted = False
        else:
            defaulted = True
            prefixlen = 32 if dest_addr is not None else classful_prefixlen(parsed.address)
            masked = any(s.name in ("netmask", "prefixlen") for s in self.walk.settings)
            if dest_addr is None and ctx.kind not in _NO_BROADCAST and not masked:
                self._flag(
                    "IF06",
                    "warning",
                    f"{word.text} in {ctx.var} has no mask: the kernel uses the classful default"
                    f" /{prefixlen}; write the prefix (`{word.text}/24`) or `netmask`",
                    word,
                )
        broadcast = self._broadcast(parsed.address, prefixlen)
        return AddressSpec(
            "inet", parsed.address, prefixlen, word, dest_addr, broadcast, defaulted,
            self.alias, self.delete,
        )  # fmt: skip

    def _bad_inet(self, word: Word, error: str | None, hostname: str | None) -> None:
        ctx = self.ctx
        if hostname is not None:
            self._flag(
                "IF02",
                "warning",
                f"{word.text!r} in {ctx.var} is a host name: ifconfig resolves it at boot (before"
                " the network may be up) and rcnet cannot apply it; write the address",
                word,
            )
        elif looks_like_inet6(word.text) and ":" in word.text:
            code = "AL04" if ctx.alias else "IF02"
            self._flag(
                code,
                "error",
                f"{word.text} in {ctx.var} is an IPv6 address after inet (or with no family):"
                ' ifconfig rejects it as "bad value"; write `inet6` before it'
                + ("" if ctx.alias else f" in {ctx.var}_ipv6"),
                word,
            )
        else:
            self._flag(
                "IF02",
                "error",
                f"{error} in {ctx.var}: ifconfig rejects it and the address is not set",
                word,
            )

    def _style(self, word: Word, aton: Aton | None) -> None:
        if aton is None or not (aton.shorthand or aton.octal or aton.hex):
            return
        how = (
            "leading zeros, which inet_aton reads as octal"
            if aton.octal
            else "hex parts"
            if aton.hex
            else f"only {aton.parts} parts, which inet_aton fills in"
        )
        self._flag(
            "IF03",
            "warning",
            f"{word.text.split('/')[0]} in {self.ctx.var} has {how}: ifconfig uses"
            f" {aton.address}; write {aton.address} if that is meant",
            word,
        )

    def _disagree(self, masks: list[tuple[int, int, Setting | None]]) -> None:
        lens = {m[1] for m in masks}
        if len(lens) < 2:
            return
        last = max(masks, key=lambda m: m[0])
        where = last[2].word if last[2] is not None else None
        first_word = next((m[2].word for m in masks if m[2] is not None), None)
        target = where or first_word
        if target is None:
            return
        shown = " and ".join(f"/{m[1]}" for m in sorted(masks, key=lambda m: m[0]))
        self._flag(
            "IF05",
            "warning",
            f"the masks in {self.ctx.var} disagree ({shown}): ifconfig uses the last one,"
            f" /{last[1]}; keep only one",
            target,
        )

    def _dest4(self, dest: Word | None) -> ipaddress.IPv4Address | None:
        if dest is None:
            return None
        parsed = parse_inet(dest.text)
        if parsed.address is None:
            self._bad_inet(dest, parsed.error, parsed.hostname)
            return None
        if self.ctx.kind not in _NO_BROADCAST:
            self._flag(
                "IF07",
                "warning",
                f"second address {dest.text} in {self.ctx.var}: ifconfig takes it as the"
                " destination (the broadcast address on Ethernet), not as another address;"
                " put extra addresses in aliases",
                dest,
            )
        return parsed.address

    def _broadcast(self, addr: ipaddress.IPv4Address, plen: int) -> ipaddress.IPv4Address | None:
        s = next((s for s in reversed(self.walk.settings) if s.name == "broadcast"), None)
        if s is None or not s.args:
            return None
        parsed = parse_inet(s.args[0].text)
        if parsed.address is None:
            self._bad_inet(s.args[0], parsed.error, parsed.hostname)
            return None
        expected = ipaddress.ip_interface(f"{addr}/{plen}").network.broadcast_address
        if parsed.address != expected and plen < 31:
            self._flag(
                "IF05",
                "warning",
                f"broadcast {parsed.address} in {self.ctx.var} is not the broadcast address of"
                f" {addr}/{plen} ({expected}); drop `broadcast` or fix the mask",
                s.args[0],
            )
        return parsed.address

    def inet6(self, word: Word, dest: Word | None) -> AddressSpec | None:
        parsed = parse_inet6(word.text)
        if parsed.address is None:
            self._bad_inet6(word, parsed.error, parsed.hostname)
            return None
        at = _index(self.words, word)
        masks = [(at, parsed.prefixlen)] if parsed.prefixlen is not None else []
        settings, ok = self._mask_settings(("prefixlen",), 128)
        if not ok:
            return None
        masks += [(i, p) for i, p, _ in settings]
        plen = max(masks)[1] if masks else 64
        dest_addr: ipaddress.IPv6Address | None = None
        if dest is not None:
            d = parse_inet6(dest.text)
            dest_addr = d.address
            if d.address is None:
                self._bad_inet6(dest, d.error, d.hostname)
        return AddressSpec(
            "inet6", parsed.address, plen, word, dest_addr, None, not masks, self.alias,
            self.delete,
        )  # fmt: skip

    def _bad_inet6(self, word: Word, error: str | None, hostname: str | None) -> None:
        what = f"{word.text!r} is a host name" if hostname else str(error)
        self._flag(
            "IF02",
            "warning" if hostname else "error",
            f"{what} in {self.ctx.var}: ifconfig cannot use it at boot; write the IPv6 address",
            word,
        )


def _addresses(walk: _Walk, words: tuple[Word, ...]) -> tuple[list[AddressSpec], list[Word]]:
    resolver = _Resolver(walk, words)
    specs: list[AddressSpec] = []
    written: list[Word] = []
    for section in walk.sections:
        if not section.positionals:
            continue
        addr, *rest = section.positionals
        dest = rest[-1] if rest else None
        if section.family == "link":
            continue
        written.append(addr)
        spec = resolver.inet(addr, dest) if section.family == "inet" else resolver.inet6(addr, dest)
        if spec is not None:
            specs.append(spec)
    # one ifconfig call sets one address per family: each replaces the one before (IF07)
    last = {spec.family: spec for spec in specs}
    return [s for s in specs if last[s.family] is s], written


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
    if not text.isdigit() or not 68 <= int(text) <= 65535:
        walk.findings.append(
            finding(
                "IF11",
                "warning" if text.isdigit() else "error",
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


def _multiple_inet(walk: _Walk) -> None:
    inet_words = [
        sec.positionals[0] for sec in walk.sections if sec.family == "inet" and sec.positionals
    ]
    if walk.ctx.alias or len(inet_words) < 2:
        return
    for w in inet_words[:-1]:
        walk.findings.append(
            finding(
                "IF07",
                "warning",
                f"more than one inet address in {walk.ctx.var}: each replaces the one before"
                f" and only {inet_words[-1].text} stays; put {w.text} in"
                f" {walk.ctx.var}_alias0 (with a /32 mask if it is in the same subnet)",
                w,
            )
        )


def _secrets(words: tuple[Word, ...]) -> set[str]:
    """Texts written right after `pass` (or a misspelling of it): never shown in a message."""
    return {
        w.text
        for prev, w in itertools.pairwise(words)
        if prev.text == "pass" or suggest(prev.text) == "pass"
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


def parse_call(words: tuple[Word, ...] | list[Word], ctx: CallContext) -> Call:
    """Parse one ifconfig call's words (after pseudo-keyword removal and eval)."""
    words = tuple(words)
    walk = _walk(words, ctx)
    specs, written = _addresses(walk, words)
    _multiple_inet(walk)
    _delete_findings(walk)
    carp, carp_findings = carp_spec(walk.settings, ctx)
    walk.findings += carp_findings
    ups = [s.name == "up" for s in walk.settings if s.name in ("up", "down")]
    descr = next(
        (s.arg for s in reversed(walk.settings) if s.name in ("description", "descr")), None
    )
    members = tuple(
        s.arg for s in walk.settings if s.name in ("addm", "laggport") and s.arg is not None
    )
    rename = next((s.arg for s in reversed(walk.settings) if s.name == "name"), None)
    mtu = _mtu(walk)
    return Call(
        context=ctx,
        words=words,
        settings=tuple(walk.settings),
        addresses=tuple(specs),
        address_words=tuple(written),
        carp=carp,
        lladdr=_lladdr(walk),
        mtu=mtu,
        up=ups[-1] if ups else None,
        description=descr,
        members=members,
        rename=rename,
        findings=tuple(sorted(_redact(walk.findings, _secrets(words)), key=Finding.sort_key)),
    )
