"""The ifconfig(8) argument language inside rc.conf values.

rc passes `ifconfig_<if>` through `eval ifconfig <if> ...`; this package splits such a
value the way that eval would (every word keeps its offsets in `Value.text`, so findings
point at the exact word), removes rc's pseudo-keywords (DHCP, NOAUTO, WPA, vnet ...),
and parses the rest against one declarative keyword registry into frozen, typed data.

Parsing is a hand-written walk over words rather than a grammar: ifconfig itself is a
table-driven scan (keyword, argument count, callback), so the registry in `keywords`
is the grammar, and the same table drives the near-miss suggestions.

Front end: imports the reader's data (`rcnet.rcconf.env`) and `rcnet.findings` only;
never the model's consumers, the protocol core, sockets, scapy or pyroute2.
"""

from rcnet.ifconfig.keywords import KEYWORDS, Keyword, lookup, suggest
from rcnet.ifconfig.parse import AddressSpec, Call, CallContext, CarpSpec, parse_call
from rcnet.ifconfig.words import (
    PSEUDO_KEYWORDS,
    Pseudo,
    Split,
    Word,
    eval_split,
    split_fields,
    strip_pseudo,
)

__all__ = [
    "KEYWORDS",
    "PSEUDO_KEYWORDS",
    "AddressSpec",
    "Call",
    "CallContext",
    "CarpSpec",
    "Keyword",
    "Pseudo",
    "Split",
    "Word",
    "eval_split",
    "lookup",
    "parse_call",
    "split_fields",
    "strip_pseudo",
    "suggest",
]
