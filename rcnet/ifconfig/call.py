"""What one ifconfig call means: frozen data produced by `parse_call`.

One call is one `ifconfig <if> ARGS` that rc runs: the whole `ifconfig_<if>` value, the
whole `ifconfig_<if>_ipv6` value, or one family segment of the alias words (with the
`alias` rc appends). Every part keeps the Word it came from, hence its location.
"""

from __future__ import annotations

import ipaddress
from dataclasses import field
from typing import Literal

from rcnet.findings import Finding
from rcnet.frozen import record
from rcnet.ifconfig.keywords import Keyword
from rcnet.ifconfig.words import Word

AddressFamily = Literal["inet", "inet6"]


@record
class CallContext:
    """What the parser needs to know about where a call comes from."""

    ifname: str
    #: the variable the words came from, for messages (`ifconfig_em0`)
    var: str
    #: cloner of the interface (carp, bridge, lagg, gre, ...), None for a physical one
    kind: str | None = None
    #: an alias call: rc appends `alias`, so addresses are added, never replacing
    alias: bool = False
    #: family of address words before any family keyword
    default_family: str = "inet"


@record
class Setting:
    """A keyword and the arguments it consumed."""

    keyword: Keyword
    word: Word
    args: tuple[Word, ...] = ()
    #: position of the keyword among the call's words (order matters: vhid, masks)
    index: int = 0
    #: the keyword's name (stored: every rule of a call asks for it)
    name: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.keyword.name)

    @property
    def arg(self) -> str | None:
        return self.args[0].text if self.args else None


@record
class AddressSpec:
    """An address the call adds (or removes), with its mask resolved."""

    family: AddressFamily
    address: ipaddress.IPv4Address | ipaddress.IPv6Address
    prefixlen: int
    word: Word
    dest: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    broadcast: ipaddress.IPv4Address | None = None
    #: no mask was written: classful (inet) or /64 (inet6)
    defaulted: bool = False
    #: `alias`/`add` given, or an alias call: added next to the others
    alias: bool = False
    #: `-alias`/`delete`/`remove`: the call removes it
    delete: bool = False


@record
class CarpSpec:
    """CARP words of one call (carp.c): only what was written is set."""

    vhid: int | None = None
    advskew: int | None = None
    advbase: int | None = None
    #: never printed; only `rcnet.model.carp_key` of it is stored in the model
    passphrase: str | None = field(default=None, repr=False)
    state: str | None = None
    peer: ipaddress.IPv4Address | None = None
    peer6: ipaddress.IPv6Address | None = None
    #: `-peer`/`mcast` (and the v6 forms) were given: back to multicast
    mcast: bool = False
    mcast6: bool = False
    version: int | None = None
    vrrp_prio: int | None = None
    vrrp_interval: int | None = None
    #: the `vhid` word, where findings about this vhid point
    vhid_word: Word | None = None
    #: the `pass` keyword (never its argument)
    pass_word: Word | None = None


@record
class Failure:
    """Where ifconfig exits with an error (sbin/ifconfig/ifconfig.c ifconfig(): every
    keyword's callback runs as it is read, and the address (SIOCAIFADDR) and the carp
    vhid (SIOCSVH, a deferred callback) are set only after the last word). So flags and
    mtu before `word` stay applied, while no address and no vhid of the call is set."""

    word: Word
    code: str
    #: what is wrong (`unknown word 'weirdknob' in ifconfig_em0`)
    what: str
    #: ifconfig's own complaint (`"bad value"`)
    complaint: str
    #: how to fix it
    fix: str
    #: position in the call's words (len(words) for a failure after the last word)
    at: int = 0


@record
class Call:
    """One parsed ifconfig call."""

    context: CallContext
    words: tuple[Word, ...]
    settings: tuple[Setting, ...] = ()
    #: addresses in the order ifconfig applies them (per family only the last survives)
    addresses: tuple[AddressSpec, ...] = ()
    #: every address word written, valid or not (IF07 counts them)
    address_words: tuple[Word, ...] = ()
    carp: CarpSpec | None = None
    lladdr: str | None = None
    mtu: int | None = None
    #: explicit `up` (True) or `down` (False), last one wins
    up: bool | None = None
    description: str | None = None
    #: bridge members (`addm`) and lagg ports (`laggport`)
    members: tuple[str, ...] = ()
    #: `name NEW` inside the call
    rename: str | None = None
    findings: tuple[Finding, ...] = ()
    #: ifconfig exits with an error: `addresses` and `carp` are empty, and the settings
    #: hold only what was applied before the failing word
    failure: Failure | None = None

    def setting(self, name: str) -> Setting | None:
        """The last setting of that keyword."""
        return next((s for s in reversed(self.settings) if s.name == name), None)

    def has(self, *names: str) -> bool:
        return any(s.name in names for s in self.settings)
