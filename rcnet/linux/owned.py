"""How rcnet names and marks what it creates, so it can find it again (even after a crash).

- Addresses rcnet adds carry `IFA_PROTO` = RCNET_PROTO (Linux >= 6.1 keeps it and reports it in
  dumps). An address that was there before rcnet started has another proto (0 for `ip addr add`)
  and is never removed. No state file is needed: the kernel holds the record.
- Routes rcnet adds carry the route protocol RCNET_PROTO (`ip route show proto 114`).
- Links rcnet creates (bridges, taps, vhid macvlans) carry an ifalias starting with "rcnet".
- A vhid's macvlan has the virtual MAC 00:00:5e:00:01:<vhid>; legacy `carpN` keeps its name,
  a modern vhid on parent P is named `vh<vhid>-<P>` (15 characters at most: a long parent name is
  cut and given two hex digits of its CRC, so two long parents cannot collide by prefix).

RCNET_PROTO = 114 is not in iproute2's rt_protos nor a kernel IFA_PROTO value.
"""

from __future__ import annotations

import re
import zlib

from rcnet.carp.packet import VIRTUAL_MAC_PREFIX, mac_str

RCNET_PROTO = 114
ALIAS_MARK = "rcnet"
IFNAMSIZ = 15
VMAC_PREFIX_TEXT = mac_str(VIRTUAL_MAC_PREFIX)
_VHID_NAME = re.compile(r"^(vh\d{1,3}-.*|carp\d+)$")


def macvlan_name(vhid: int, parent: str, legacy_name: str | None = None) -> str:
    """The Linux name of a vhid's macvlan."""
    if legacy_name is not None:
        return legacy_name
    base = f"vh{vhid}-"
    room = IFNAMSIZ - len(base)
    if len(parent) <= room:
        return base + parent
    return f"{base}{parent[: room - 2]}{zlib.crc32(parent.encode()) & 0xFF:02x}"


def macvlan_alias(vhid: int, parent: str) -> str:
    return f"{ALIAS_MARK} vhid {vhid} on {parent}"


def link_alias(what: str) -> str:
    return f"{ALIAS_MARK} {what}"


def is_marked(alias: str | None) -> bool:
    return alias is not None and (alias == ALIAS_MARK or alias.startswith(ALIAS_MARK + " "))


def is_vhid_macvlan(name: str, kind: str | None, mac: str | None, alias: str | None) -> bool:
    """A macvlan with a CARP virtual MAC that rcnet made (its mark, or its name pattern)."""
    if kind != "macvlan" or mac is None or not mac.lower().startswith(VMAC_PREFIX_TEXT + ":"):
        return False
    return is_marked(alias) or bool(_VHID_NAME.match(name))
