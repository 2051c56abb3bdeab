"""Addresses of one ifconfig call, with masks resolved the way ifconfig resolves them.

The first positional word is the address, a later one the destination. Of `/len`,
`netmask` and `prefixlen` the one written last wins (a non-contiguous netmask counts its
bits); with none, the kernel uses the classful mask for inet (a warning) and /64 for
inet6. A value ifconfig cannot parse is the call's failure (see `parse`): no address.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from rcnet.findings import Finding, Severity
from rcnet.ifconfig.call import AddressSpec, CallContext, Failure, Setting
from rcnet.ifconfig.inet import (
    Aton,
    classful_prefixlen,
    decimal,
    looks_like_inet6,
    parse_inet,
    parse_inet6,
    parse_mask,
)
from rcnet.ifconfig.words import Word, finding

#: interface kinds without a broadcast address: no classful-mask warning there
_NO_BROADCAST = frozenset({"lo", "gif", "gre", "tun", "ipsec", "stf", "wg", "me", "ovpn", "disc"})


@dataclass
class Section:
    """The words after one family keyword (ifconfig starts over at each one)."""

    family: str
    keyword: Word | None
    positionals: list[Word] = field(default_factory=list)


def _index(words: tuple[Word, ...], word: Word) -> int:
    return next((n for n, w in enumerate(words) if w is word), -1)


class _Resolver:
    """Turns the positional words of each section into AddressSpecs."""

    def __init__(
        self,
        settings: list[Setting],
        words: tuple[Word, ...],
        ctx: CallContext,
        findings: list[Finding],
    ) -> None:
        self.settings = settings
        self.ctx = ctx
        self.words = words
        self.findings = findings
        self.failure: Failure | None = None
        self.alias = ctx.alias or any(s.name in ("alias", "add") for s in settings)
        self.delete = any(s.name in ("-alias", "delete", "remove") for s in settings)

    def _flag(self, code: str, severity: Severity, message: str, word: Word) -> None:
        self.findings.append(finding(code, severity, message, word))

    def _fail(self, code: str, what: str, fix: str, word: Word) -> None:
        """ifconfig exits at this word (af_getaddr's errx "bad value")."""
        at = _index(self.words, word)
        if self.failure is None or at < self.failure.at:
            self.failure = Failure(word, code, what, '"bad value"', fix, at)

    def _mask_settings(
        self, names: tuple[str, ...], full: int = 32
    ) -> tuple[list[tuple[int, int, Setting]], bool]:
        """(position, prefixlen, setting) of each mask keyword, and False if one is invalid."""
        out: list[tuple[int, int, Setting]] = []
        ok = True
        if not self.settings:
            return out, ok
        for s in self.settings:
            if s.name not in names or not s.args:
                continue
            text = s.args[0].text
            if s.name == "netmask":
                mask = parse_mask(text)
                if mask.prefixlen is None:
                    ok = False
                    self._fail(
                        "IF02", f"{mask.error} in {self.ctx.var}",
                        "write a mask such as 255.255.255.0 or /24", s.args[0],
                    )  # fmt: skip
                    continue
                if mask.noncontiguous:
                    self._flag(
                        "IF04",
                        "warning",
                        f"netmask {text} in {self.ctx.var} is not contiguous: ifconfig accepts"
                        f" it and counts its bits, so the prefix is /{mask.prefixlen}; write a"
                        " contiguous mask such as 255.255.255.0 or /24",
                        s.args[0],
                    )
                out.append((s.index, mask.prefixlen, s))
            elif decimal(text) and int(text) <= full:
                out.append((s.index, int(text), s))
            else:
                ok = False
                self._fail(
                    "IF02", f"prefixlen {text!r} in {self.ctx.var} is not 0-{full}",
                    f"write a prefix length of 0-{full}", s.args[0],
                )  # fmt: skip
        return out, ok

    def inet(self, word: Word, dest: Word | None) -> AddressSpec | None:
        parsed = parse_inet(word.text)
        ctx = self.ctx
        if parsed.address is None:
            self._bad_inet(word, parsed.error, parsed.hostname)
            return None
        self._style(word, parsed.aton)
        masks: list[tuple[int, int, Setting | None]] = []
        settings, ok = self._mask_settings(("netmask", "prefixlen"))
        if not ok:
            return None
        if parsed.prefixlen is not None:
            # its place matters only against a mask keyword (the last one wins)
            at = _index(self.words, word) if settings else 0
            masks.append((at, parsed.prefixlen, None))
        masks += settings
        dest_addr = self._dest4(dest)
        if len(masks) == 1:  # the usual address: its own /len, or one mask keyword
            prefixlen = masks[0][1]
            defaulted = False
        elif masks:
            _, prefixlen, _ = max(masks, key=lambda m: m[0])
            self._disagree(masks)
            defaulted = False
        else:
            defaulted = True
            prefixlen = 32 if dest_addr is not None else classful_prefixlen(parsed.address)
            masked = any(s.name in ("netmask", "prefixlen") for s in self.settings)
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
            self._fail(
                "AL04" if ctx.alias else "IF02",
                f"{word.text} in {ctx.var} is an IPv6 address after inet (or with no family)",
                "write `inet6` before it" + ("" if ctx.alias else f" in {ctx.var}_ipv6"),
                word,
            )
        else:
            self._fail("IF02", f"{error} in {ctx.var}", "write a valid address", word)

    def masks_only(self) -> None:
        """A mask without an address still goes through af_getaddr: a bad one exits."""
        self._mask_settings(("netmask", "prefixlen"))

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
        if not self.settings:
            return None
        s = next((s for s in reversed(self.settings) if s.name == "broadcast"), None)
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
        if hostname:
            self._flag(
                "IF02",
                "warning",
                f"{word.text!r} is a host name in {self.ctx.var}: ifconfig cannot use it at"
                " boot; write the IPv6 address",
                word,
            )
        else:
            self._fail("IF02", f"{error} in {self.ctx.var}", "write the IPv6 address", word)


def resolve_addresses(
    sections: list[Section],
    settings: list[Setting],
    words: tuple[Word, ...],
    ctx: CallContext,
    findings: list[Finding],
) -> tuple[list[AddressSpec], list[Word], Failure | None]:
    """The addresses of a call (per family only the last), every address word written, and
    the first word whose value makes ifconfig exit."""
    resolver = _Resolver(settings, words, ctx, findings)
    specs: list[AddressSpec] = []
    written: list[Word] = []
    for section in sections:
        if not section.positionals:
            if section.family == "inet":
                resolver.masks_only()
            continue
        addr, *rest = section.positionals
        dest = rest[-1] if rest else None
        if section.family == "link":
            continue
        written.append(addr)
        spec = resolver.inet(addr, dest) if section.family == "inet" else resolver.inet6(addr, dest)
        if spec is not None:
            specs.append(spec)
    last = {spec.family: spec for spec in specs}
    return [s for s in specs if last[s.family] is s], written, resolver.failure
