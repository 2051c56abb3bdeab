"""Undoing applied changes, from the state seen just before them (a reload that failed part-way).

A reload's plan adds only what is missing and removes only addresses rcnet added (plan.py), so
each change it holds has an exact inverse given that state: AddAddress -> DeleteAddress;
CreateLink and CreateMacvlan -> DeleteLink; AddRoute -> DeleteRoute; DeleteAddress -> AddAddress
with the address's peer and flags (rcnet's mark: it was rcnet's); SetMtu, SetLink, SetMac -> the
link's value before; SetSysctl -> its value before. SetMaster has none (there is no `nomaster`
change): it is said to stay applied.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field

from rcnet.frozen import record
from rcnet.linux.changes import (
    IFA_F_NODAD,
    AddAddress,
    AddRoute,
    Change,
    CreateLink,
    CreateMacvlan,
    DeleteAddress,
    DeleteLink,
    DeleteRoute,
    Note,
    SetLink,
    SetMac,
    SetMtu,
    SetSysctl,
)
from rcnet.linux.system import SystemState


@record
class Before:
    """What undoing needs to know of the system before a plan ran."""

    state: SystemState
    #: the values of the sysctls the plan sets
    sysctls: Mapping[str, str] = field(default_factory=dict)


def before(plan: Sequence[Change], netns: str | None = None) -> Before:
    """Read the system as the plan finds it (links, addresses, the sysctls it sets)."""
    from rcnet.linux.netlink import snapshot
    from rcnet.linux.system import read_sysctls

    keys = [c.key for c in plan if isinstance(c, SetSysctl)]
    return Before(snapshot(netns), read_sysctls(keys, netns) if keys else {})


def inverse(change: Change, seen: Before) -> list[Change] | None:
    """The changes that undo `change` ([] when there is nothing to undo), None when it has no
    inverse."""
    state = seen.state
    if isinstance(change, Note):
        return []
    if isinstance(change, AddAddress):
        return [DeleteAddress(change.ifname, change.interface)]
    if isinstance(change, CreateLink | CreateMacvlan):
        return [DeleteLink(change.ifname)]
    if isinstance(change, AddRoute):
        return [DeleteRoute(change.family, change.destination, change.gateway, change.ifname)]
    if isinstance(change, DeleteAddress):
        found = [a for a in state.addrs_of(change.ifname) if a.interface == change.interface]
        if not found:
            return []  # it was not there: deleting it changed nothing
        addr = found[0]
        iface = addr.interface
        broadcast = None
        if (
            isinstance(iface, ipaddress.IPv4Interface)
            and addr.peer is None
            and iface.network.prefixlen < 31
        ):
            broadcast = iface.network.broadcast_address  # as the plan sets it
        nodad = bool(addr.flags & IFA_F_NODAD)
        return [AddAddress(change.ifname, iface, addr.peer, broadcast, nodad)]
    if isinstance(change, SetMtu | SetLink | SetMac):
        link = state.link(change.ifname)
        if link is None:
            return []  # a link the plan created: undone by deleting it
        if isinstance(change, SetMtu):
            return [SetMtu(change.ifname, link.mtu)]
        if isinstance(change, SetLink):
            return [SetLink(change.ifname, link.up)]
        return [SetMac(change.ifname, link.mac)] if link.mac else None
    if isinstance(change, SetSysctl):
        old = seen.sysctls.get(change.key)
        return None if old is None else [SetSysctl(change.key, old)]
    return None


def undo_plan(done: Sequence[Change], seen: Before) -> tuple[list[Change], list[Change]]:
    """The changes that undo `done` (last first), and those of `done` that have no inverse."""
    undo: list[Change] = []
    stuck: list[Change] = []
    for change in reversed(done):
        back = inverse(change, seen)
        if back is None:
            stuck.append(change)
        else:
            undo += back
    return undo, stuck


def _exists(name: str) -> bool:
    try:
        socket.if_nametoindex(name)
    except OSError:
        return False
    return True


def half_applied(
    change: Change, seen: Before, exists: Callable[[str], bool] = _exists
) -> list[Change]:
    """What undoes the part of the failing change that took effect: creating a link is two
    netlink calls (the link, then its mark, addrgenmode and sysctl); when the second fails, the
    link stands. Deleted only when the plan found no link of that name and one is there now."""
    if not isinstance(change, CreateLink | CreateMacvlan):
        return []
    name = change.ifname
    return [DeleteLink(name)] if seen.state.link(name) is None and exists(name) else []
