"""Alias address ranges: network.subr's ifalias_af_common_handler and ifalias_expand_addr.

rc decides by a glob, not by parsing, whether an alias segment is a range: any segment
with a hex digit followed by `-` (`inet 192.0.2.5-23/24`, but also `pass ab-cd` or a host
name `web-1`) goes to the expansion, which only understands a range in the word right
after the family keyword, and hands its output back to the handler. When the output still
matches the glob, the handler and the expansion call each other forever and the boot
hangs. This module replays those shell functions on words (so every word keeps its
place), with a depth guard instead of the hang.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from rcnet.findings import Finding, Severity
from rcnet.ifconfig.inet import decimal
from rcnet.ifconfig.words import Word, finding

HEX_DASH = re.compile(r"[0-9a-fA-F]-")
#: how deep the replay goes before calling it rc's infinite recursion
_MAX_DEPTH = 16


class _Forever(Exception):
    """rc would recurse without end on this segment."""


def _strip_plen(text: str) -> str:
    """${arg%/[0-9]*}: drop a trailing /N."""
    m = re.search(r"/[0-9][^/]*$", text)
    return text[: m.start()] if m else text


def _secret(words: list[Word], index: int) -> bool:
    return index > 0 and words[index - 1].text == "pass"


@dataclass
class Expander:
    """Replays the alias handler for one family; collects the ifconfig calls rc makes."""

    af: str
    limit: int
    var: str
    calls: list[list[Word]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def _flag(self, code: str, severity: Severity, message: str, word: Word) -> None:
        self.findings.append(finding(code, severity, message, word))

    # -- ifalias_af_common_handler -------------------------------------------------------

    def segment(self, words: list[Word]) -> None:
        """One `<af> words...` segment: an ifconfig call, or a range to expand."""
        try:
            self._handler(words, 0)
        except _Forever:
            self._forever(words)

    def _handler(self, words: list[Word], depth: int) -> None:
        if len(words) < 2:
            return  # `inet` alone does not match rc's `${_af}\ *`
        if not any(HEX_DASH.search(w.text) for w in words[1:]):
            self.calls.append(words)
            return
        if depth > _MAX_DEPTH:
            raise _Forever
        out = self._expand(words[0], words[1], words[2:], depth)
        segment: list[Word] = []
        for w in out:
            if w.text == self.af and segment:
                self._handler(segment, depth + 1)
                segment = []
            segment.append(w)
        if segment:
            self._handler(segment, depth + 1)

    def _forever(self, words: list[Word]) -> None:
        index = next(n for n, w in enumerate(words) if n and HEX_DASH.search(w.text))
        word = words[index]
        what = "the pass value" if _secret(words, index) else repr(word.text)
        self._flag(
            "AL06",
            "error",
            f"{what} in {self.var} has a hex digit followed by '-', so rc takes this alias for"
            " an address range, but it is not one: ifalias_af_common_handler calls itself"
            " forever and the boot hangs in rc.d/netif; remove the '-' (write the address,"
            " not a host name)",
            word,
        )

    # -- ifalias_expand_addr -------------------------------------------------------------

    def _expand(self, fam: Word, arg: Word, ex: list[Word], depth: int) -> list[Word]:
        if self.af == "inet":
            return self._expand4(fam, arg, ex)
        return self._expand6(fam, arg, ex, depth)

    def _expand4(self, fam: Word, arg: Word, ex: list[Word]) -> list[Word]:
        exargs = " ".join(w.text for w in ex)
        state = f"alias:{arg.text}:{exargs}"
        if "--" in state:
            self._invalid(arg, ex, "it contains `--`", "--")
            return []
        if not fnmatchcase(state, "*:*[0-9]-[0-9]*:*"):
            # "already expanded": echoed back unchanged, so the handler sees it again
            text = _strip_plen(arg.text) if fnmatchcase(state, "*:*:*netmask*") else arg.text
            return [fam, arg.derive(text) if text != arg.text else arg, *ex]
        out: list[Word] = []
        for addr in self._range4(arg, ex):
            again = f"alias:{addr}:{exargs}"
            if fnmatchcase(again, "*:*[0-9]-[0-9]*:*"):
                continue  # the digits-dash-digits are in the other words: nothing comes out
            text = _strip_plen(addr) if fnmatchcase(again, "*:*:*netmask*") else addr
            out += [fam, arg.derive(text), *ex]
        return out

    def _invalid(self, arg: Word, ex: list[Word], reason: str, needle: str) -> None:
        words = [arg, *ex]
        index = next((n for n, w in enumerate(words) if needle in w.text), 0)
        where = " (in the pass value)" if index and words[index - 1].text == "pass" else ""
        self._flag(
            "AL07",
            "error",
            f"{self.var} is not a valid address range{where}: {reason}, so rc's"
            " ifalias_expand_addr adds nothing for it; write a range as 192.0.2.5-23/24 (one"
            " octet, low-high)",
            words[index],
        )

    def _range4(self, arg: Word, ex: list[Word]) -> list[str]:
        cidr = arg.text
        ipaddr = cidr.split("/", 1)[0]
        plen = cidr.rsplit("/", 1)[1] if "/" in cidr else "32"
        head: list[str] = []
        tail: list[str] = []
        rng: str | None = None
        for comp in ipaddr.split("."):
            if rng is None and fnmatchcase(comp, "[0-9]*-[0-9]*"):
                rng = comp
            elif rng is None:
                head.append(comp)
            else:
                tail.append(comp)
        low, high = (rng.rsplit("-", 1)[0], rng.split("-", 1)[1]) if rng else ("", "")
        if not (decimal(low) and decimal(high)) or int(low) > int(high):
            numbers = decimal(low) and decimal(high)
            reason = "the low end is above the high end" if numbers else "no octet is low-high"
            self._invalid(arg, ex, reason, "-")
            return []
        return self._members4(arg, head, tail, int(low), int(high), plen)

    def _members4(
        self, arg: Word, head: list[str], tail: list[str], low: int, high: int, plen: str
    ) -> list[str]:
        out: list[str] = []
        count = low
        while count <= high:
            out.append(".".join([*head, str(count), *tail]) + f"/{plen}")
            if count > low + self.limit:
                self._too_large(arg, len(out))
                break
            count += 1
            plen = "32"  # only the first address keeps the written prefix
        if high > 255:
            self._flag(
                "AL07",
                "error",
                f"the range {arg.text} in {self.var} goes past 255: ifconfig rejects the"
                " addresses above .255",
                arg,
            )
        return out

    def _too_large(self, arg: Word, made: int) -> None:
        self._flag(
            "AL07",
            "warning",
            f"the range {arg.text} in {self.var} is larger than netif_ipexpand_max"
            f' ({self.limit}): rc adds only the first {made} addresses and warns "Range'
            ' specification is too large"; raise netif_ipexpand_max or split the range',
            arg,
        )

    def _expand6(self, fam: Word, arg: Word, ex: list[Word], depth: int) -> list[Word]:
        exargs = " ".join(w.text for w in ex)
        if depth > _MAX_DEPTH:
            raise _Forever
        state = f"alias:{arg.text}:{exargs}"
        if fnmatchcase(state, "*:*--*:*"):
            self._invalid(arg, ex, "it contains `--`", "--")
            return []
        if not fnmatchcase(state, "*:*[0-9a-zA-Z]-[0-9a-zA-Z]*:*"):
            text = _strip_plen(arg.text) if fnmatchcase(state, "*:*:*prefixlen*") else arg.text
            return [fam, arg.derive(text) if text != arg.text else arg, *ex]
        out: list[Word] = []
        for addr in self._range6(arg, ex):
            out += self._expand6(fam, arg.derive(addr), ex, depth + 1)
        return out

    def _range6(self, arg: Word, ex: list[Word]) -> list[str]:
        cidr = arg.text
        ipaddr = cidr.split("/", 1)[0]
        plen = cidr.rsplit("/", 1)[1] if "/" in cidr else "64"
        if re.search(r":[^:]*\.[^:]*\.[^:]*\.[^:]*$", ipaddr):
            self._invalid(arg, ex, "rcnet does not model IPv4-mapped ranges", "-")
            return []
        if "-" not in ipaddr:
            self._invalid(arg, ex, "the '-' is not in the address", "-")
            return []
        left, right = ipaddr.rsplit("-", 1)[0], ipaddr.split("-", 1)[1]
        low, high = left.rsplit(":", 1)[-1], right.split(":", 1)[0]
        left = left.rsplit(":", 1)[0]
        rest = right.split(":", 1)[1] if ":" in right else right
        rest = "" if high == rest else ":" + rest
        if not (low and high):
            return [f"{ipaddr}/{plen}"]
        if not re.fullmatch(r"[0-9a-fA-F]+", low) or not re.fullmatch(r"[0-9a-fA-F]+", high):
            self._invalid(arg, ex, "the range is not hex (the shell stops the script)", "-")
            return []
        lo, hi = int(low, 16), int(high, 16)
        out: list[str] = []
        count = lo
        while count <= hi:
            out.append(f"{left}:{count:04x}{rest}/{plen}")
            if count > lo + self.limit:
                self._too_large(arg, len(out))
                break
            count += 1
        if not out:
            self._invalid(arg, ex, "the low end is above the high end", "-")
        return out
