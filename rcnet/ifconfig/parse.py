"""Parse the words of one ifconfig call against the keyword registry.

ifconfig reads its arguments left to right: a family keyword first (default inet), then
keywords that each consume a fixed number of arguments; any other word is positional:
the first is the address, the next the destination (point-to-point), and a word that is
neither makes ifconfig exit with "bad value". Masks resolve as ifconfig does: of `/len`,
`netmask` and `prefixlen` the one written last wins.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

from rcnet.findings import Finding, Severity
from rcnet.ifconfig.addresses import Section, resolve_addresses
from rcnet.ifconfig.call import AddressSpec, Call, CallContext, CarpSpec, Setting
from rcnet.ifconfig.carpopts import carp_spec
from rcnet.ifconfig.inet import (
    is_hostname,
    is_mac,
    looks_like_inet,
    looks_like_inet6,
)
from rcnet.ifconfig.keywords import FAMILIES, OPEN_VOCABULARY_KINDS, lookup, suggest
from rcnet.ifconfig.words import Word, finding

__all__ = ["AddressSpec", "Call", "CallContext", "CarpSpec", "parse_call"]


@dataclass
class _Walk:
    ctx: CallContext
    settings: list[Setting] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def section(self) -> Section:
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
    walk = _Walk(ctx, sections=[Section(ctx.default_family, None)])
    i = 0
    while i < len(words):
        word = words[i]
        if word.text in FAMILIES:
            walk.sections.append(Section(FAMILIES[word.text], word))
            i += 1
        elif lookup(word.text) is not None:
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


def parse_call(words: tuple[Word, ...] | list[Word], ctx: CallContext) -> Call:
    """Parse one ifconfig call's words (after pseudo-keyword removal and eval)."""
    words = tuple(words)
    walk = _walk(words, ctx)
    specs, written = resolve_addresses(walk.sections, walk.settings, words, ctx, walk.findings)
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
