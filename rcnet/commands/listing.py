"""`rcnet ifconfig [IF]` without an action: interfaces shown the way FreeBSD's `ifconfig -a` does.

What the kernel has (flags, mtu, MAC, addresses, read through netlink in the caller's
namespace) is merged with what the daemon knows (FreeBSD names, each vhid's addresses and
state). Formats follow sbin/ifconfig: ifconfig.c status() (`NAME: flags=HEX<NAMES> metric 0
mtu N`), af_inet.c (`inet A netmask 0xHEX broadcast B`, ` vhid N`), af_inet6.c (`inet6 A
prefixlen N`), ifcarp.c (`carp: STATE vhid N advbase N advskew N`); flag bits and names are
FreeBSD's sys/net/if.h. Interfaces rcnet created for its vhids (macvlans, marked by their
ifalias) are not listed on their own: FreeBSD has no such interfaces, their addresses are the
vhid's and are shown on the interface the configuration names.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from rcnet.daemon.status import state_lines

#: FreeBSD's sys/net/if.h flag bits, in the order ifconfig prints them
FLAG_BITS: tuple[tuple[str, int], ...] = (
    ("UP", 0x1),
    ("BROADCAST", 0x2),
    ("LOOPBACK", 0x8),
    ("RUNNING", 0x40),
    ("SIMPLEX", 0x800),
    ("MULTICAST", 0x8000),
)


def flags_word(up: bool, running: bool, loopback: bool) -> str:
    on = {"UP": up, "RUNNING": running, "LOOPBACK": loopback}
    on["MULTICAST"] = True
    on["BROADCAST"] = on["SIMPLEX"] = not loopback
    value = sum(bit for name, bit in FLAG_BITS if on.get(name))
    names = ",".join(name for name, _ in FLAG_BITS if on.get(name))
    return f"flags={value:x}<{names}>"


def address_line(address: str, vhid: int | None = None) -> str:
    iface = ipaddress.ip_interface(address)
    tail = f" vhid {vhid}" if vhid is not None else ""
    if iface.version == 4:
        net = iface.network
        mask = f"0x{int(net.netmask):08x}"
        bcast = f" broadcast {net.broadcast_address}" if net.prefixlen < 31 else ""
        return f"\tinet {iface.ip} netmask {mask}{bcast}{tail}"
    return f"\tinet6 {iface.ip} prefixlen {iface.network.prefixlen}{tail}"


def render(
    links: Sequence[tuple[str, Any]],
    addrs: Mapping[str, Sequence[str]],
    vhids: Sequence[Mapping[str, Any]],
) -> list[str]:
    """`ifconfig -a` lines. `links`: (FreeBSD name, kernel Link or None) in display order;
    `addrs`: FreeBSD name -> the kernel's addresses on it; `vhids`: the daemon's status."""
    out: list[str] = []
    for name, link in links:
        own = [v for v in vhids if v.get("interface") == name]
        if link is None and not own:
            continue
        loopback = link is not None and link.kind is None and name.startswith("lo")
        up = link.up if link is not None else any(v.get("state") == "MASTER" for v in own)
        running = link.carrier if link is not None else up
        mtu = link.mtu if link is not None else 1500
        out.append(f"{name}: {flags_word(up, running, loopback)} metric 0 mtu {mtu}")
        if link is not None and link.mac and not loopback:
            out.append(f"\tether {link.mac}")
        vhid_of = {
            str(ipaddress.ip_interface(a)): int(v["vhid"])
            for v in own
            for a in v.get("addresses", [])
        }
        shown = set()
        for address in addrs.get(name, ()):
            key = str(ipaddress.ip_interface(address))
            shown.add(key)
            out.append(address_line(address, vhid_of.get(key)))
        for key, vhid in vhid_of.items():
            if key not in shown:  # a BACKUP's addresses: configured, not in the kernel yet
                out.append(address_line(key, vhid))
        for v in own:
            out += ["\t" + line for line in state_lines(v)]  # the daemon's one renderer
        if link is not None and not loopback:
            out.append(f"\tstatus: {'active' if link.carrier else 'no carrier'}")
    return out


def ifconfig_listing(status: Mapping[str, Any], only: str | None) -> list[str]:
    """Read the kernel (this namespace) and render every interface, or `only` that one."""
    from rcnet.linux.netlink import snapshot
    from rcnet.linux.owned import is_marked

    state = snapshot()
    configured: dict[str, str] = dict(status.get("links", {}))
    for v in status.get("vhids", []):
        configured.setdefault(str(v["interface"]), str(v["interface"]))
    by_linux = {lx: fb for fb, lx in configured.items()}
    # vhid macvlans carry their vhid's addresses: the vhid lines show those
    hidden = {lk.name for lk in state.links if is_marked(lk.alias) and lk.kind == "macvlan"}
    order = [(fb, state.link(lx)) for fb, lx in configured.items()]
    order += [
        (lk.name, lk) for lk in state.links if lk.name not in by_linux and lk.name not in hidden
    ]
    addrs: dict[str, list[str]] = {}
    for fb, link in order:
        if link is not None and link.name not in hidden:
            addrs[fb] = [str(a.interface) for a in state.addrs if a.index == link.index]
    if only is not None:
        order = [(fb, lk) for fb, lk in order if fb == only]
        if not order:
            return []
    return render(order, addrs, status.get("vhids", []))
