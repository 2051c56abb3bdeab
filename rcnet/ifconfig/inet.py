"""Addresses and masks the way ifconfig reads them.

ifconfig hands IPv4 text to inet_aton(3), which accepts more than dotted quads: one to
four parts, each decimal, octal (a leading 0) or hex (0x). So `10.1` is 10.0.0.1,
`010.0.0.1` is 8.0.0.1 and `0xffffff00` is a valid netmask. This module says what an
address or mask means and what is suspicious about how it is written.
"""

from __future__ import annotations

import ipaddress
import re

from rcnet.frozen import record

_HOSTNAME = re.compile(
    r"^(?=.*[A-Za-z])[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$"
)
_MAC = re.compile(r"^[0-9A-Fa-f]{1,2}([:.-])[0-9A-Fa-f]{1,2}(\1[0-9A-Fa-f]{1,2}){4}$")
_PART = re.compile(r"0[xX][0-9A-Fa-f]*|0[0-7]*|[1-9][0-9]*")
#: one decimal part of 0-255 without a leading zero
OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
#: four decimal parts of 0-255 without leading zeros: what nearly every address is
_DOTTED_QUAD = re.compile(rf"{OCTET}\.{OCTET}\.{OCTET}\.{OCTET}\Z")
_INET_START = re.compile(r"^[0-9][0-9A-Fa-fxX.]*(/.*)?$")
_INET6_CHARS = re.compile(r"^[0-9A-Fa-f:.%/A-Za-z-]+$")
_DIGITS_DOTS = re.compile(r"^[0-9.]+$")


@record
class Aton:
    """What inet_aton(3) made of a string."""

    value: int
    parts: int
    #: some part had a leading zero (read as octal) or was hex
    octal: bool = False
    hex: bool = False

    @property
    def address(self) -> ipaddress.IPv4Address:
        return ipaddress.IPv4Address(self.value)

    @property
    def shorthand(self) -> bool:
        return self.parts < 4


def inet_aton(text: str) -> Aton | None:
    """inet_aton(3): None when the text is not an IPv4 address at all."""
    quad = _DOTTED_QUAD.match(text)
    if quad is not None:  # what nearly every address is; aton_parts gives the same
        a, b, c, d = (int(g) for g in quad.groups())
        return Aton(a << 24 | b << 16 | c << 8 | d, 4)
    return aton_parts(text)


def aton_parts(text: str) -> Aton | None:
    """inet_aton(3) part by part: one to four parts, decimal, octal or hex."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4 or not all(_PART.fullmatch(p) for p in parts):
        return None
    values: list[int] = []
    octal = hexa = False
    for p in parts:
        if p[:2] in ("0x", "0X"):
            hexa = True
            values.append(int(p[2:] or "0", 16))
        elif len(p) > 1 and p.startswith("0"):
            octal = True
            values.append(int(p, 8))
        else:
            values.append(int(p))
    # the last part fills the remaining bytes (a.b.c: c is 16 bits; a: a is 32 bits)
    head, last = values[:-1], values[-1]
    if any(v > 255 for v in head) or last >= 1 << (8 * (5 - len(values))):
        return None
    value = 0
    for v in head:
        value = value << 8 | v
    value = value << (8 * (5 - len(values))) | last
    return Aton(value, len(values), octal, hexa)


def decimal(text: str) -> bool:
    """Only ASCII digits, as strtol(3) and atoi(3) read a number (str.isdigit also takes `²`,
    which int() refuses, and `٣`, which it reads as 3)."""
    return text.isascii() and text.isdigit()


def is_hostname(text: str) -> bool:
    return bool(_HOSTNAME.match(text)) and len(text) <= 253


def is_mac(text: str) -> bool:
    return bool(_MAC.match(text))


def looks_like_inet(text: str) -> bool:
    """Starts like an IPv4 address (digits, dots, a prefix): worth reading as one."""
    return _INET_START.match(text) is not None


def looks_like_inet6(text: str) -> bool:
    return ":" in text and _INET6_CHARS.match(text) is not None


def mask_prefixlen(mask: int) -> int | None:
    """The prefix length of a contiguous 32-bit mask, None when it has holes."""
    inverted = ~mask & 0xFFFFFFFF
    if inverted & (inverted + 1):
        return None
    return 32 - inverted.bit_length()


def classful_prefixlen(addr: ipaddress.IPv4Address) -> int:
    """The pre-CIDR default mask the kernel uses when no mask is given."""
    first = int(addr) >> 24
    if first < 128:
        return 8
    if first < 192:
        return 16
    if first < 224:
        return 24
    return 32


@record
class InetText:
    """One IPv4 address word, `A.B.C.D[/len]`, as ifconfig reads it."""

    address: ipaddress.IPv4Address | None
    prefixlen: int | None = None
    #: what inet_aton made of the address part
    aton: Aton | None = None
    #: a host name ifconfig would resolve at that moment
    hostname: str | None = None
    #: why it is not usable (IF02)
    error: str | None = None
    #: offset of `/` in the word, for locating prefix errors
    slash: int = -1


def parse_inet(text: str) -> InetText:
    """An inet address word; `error` says what ifconfig rejects."""
    addr_part, slash, plen_text = text.rpartition("/") if "/" in text else (text, "", "")
    where = len(addr_part) if slash else -1
    prefixlen: int | None = None
    if slash:
        if not decimal(plen_text) or int(plen_text) > 32:
            return InetText(
                None, None, error=f"prefix length /{plen_text} is not 0-32", slash=where
            )
        prefixlen = int(plen_text)
    aton = inet_aton(addr_part)
    if aton is not None:
        return InetText(aton.address, prefixlen, aton, slash=where)
    if is_hostname(addr_part) and _DIGITS_DOTS.match(addr_part) is None:
        return InetText(None, prefixlen, hostname=addr_part, slash=where)
    return InetText(None, prefixlen, error=f"{addr_part!r} is not an IPv4 address", slash=where)


@record
class Inet6Text:
    address: ipaddress.IPv6Address | None
    prefixlen: int | None = None
    scope: str | None = None
    hostname: str | None = None
    error: str | None = None


def parse_inet6(text: str) -> Inet6Text:
    addr_part, slash, plen_text = text.partition("/")
    prefixlen: int | None = None
    if slash:
        if not decimal(plen_text) or int(plen_text) > 128:
            return Inet6Text(None, error=f"prefix length /{plen_text} is not 0-128")
        prefixlen = int(plen_text)
    addr_only, pct, scope = addr_part.partition("%")
    try:
        address = ipaddress.IPv6Address(addr_only)
    except ValueError:
        if ":" not in addr_part and is_hostname(addr_part):
            return Inet6Text(None, prefixlen, hostname=addr_part)
        return Inet6Text(None, error=f"{addr_part!r} is not an IPv6 address")
    return Inet6Text(address, prefixlen, scope if pct else None)


@record
class MaskText:
    prefixlen: int | None
    error: str | None = None
    #: written as a netmask that is not contiguous (IF04): prefixlen counts its bits
    noncontiguous: bool = False


def parse_mask(text: str) -> MaskText:
    """A `netmask` argument: dotted or hex (`0xffffff00`), both through inet_aton."""
    aton = inet_aton(text)
    if aton is None:
        return MaskText(None, f"netmask {text!r} is neither dotted nor hex")
    plen = mask_prefixlen(aton.value)
    if plen is None:
        # FreeBSD 14's ifconfig hands the kernel a prefix length: it counts the mask's bits
        return MaskText(bin(aton.value).count("1"), noncontiguous=True)
    return MaskText(plen)
