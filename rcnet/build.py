"""The model builder: environment in, Host and findings out.

`build_host(loaded)` reads the variables each rc.d script sees (netif, routing, hostname
scopes of the reader's LoadedHost) and does what FreeBSD's rc would do with them:
interface list and renames, cloned interfaces, ifconfig values, aliases and ranges,
CARP vhids (legacy carpN and modern), routes, forwarding and the CARP sysctls. Every
rule that can go wrong on the way becomes a Finding at the offending word. The
network.subr semantics themselves live in `rcnet.netsubr`, one concern per module.

Front end: imports the reader's contract (`rcnet.rcconf.env`), the ifconfig parser,
`rcnet.findings` and the model; never the protocol core (`rcnet.carp`), the Linux
adapter, sockets, scapy or pyroute2.
"""

from __future__ import annotations

from rcnet.findings import Finding
from rcnet.model import Host
from rcnet.netsubr.common import Env, Report, checkyesno, natural_key, sanitize
from rcnet.netsubr.configure import Configured, configure
from rcnet.netsubr.interfaces import plan_interfaces
from rcnet.netsubr.routing import build_routes, parse_route
from rcnet.netsubr.rules import (
    cloned_findings,
    create_args_findings,
    duplicate_findings,
    interface_findings,
)
from rcnet.netsubr.system import carp_sysctls, hostname, ifmap, scope_findings
from rcnet.netsubr.vhids import build_vhids
from rcnet.rcconf.env import Environment, LoadedHost
from rcnet.startable import model_blockers

__all__ = ["build_host", "natural_key", "parse_route", "sanitize"]


def _scope(loaded: LoadedHost, name: str) -> Env:
    env: Environment = loaded.scopes.get(name, loaded.base)
    return Env(env)


def _rtsold(netif: Env, report: Report) -> None:
    for name in ("rtsold_enable", "rtadvd_enable"):
        value = netif.value(name)
        if value is not None and (value.text or "").lower() in ("yes", "true", "on", "1"):
            report.at_value(
                "LX01",
                "info",
                f"{name}: rcnet leaves IPv6 router solicitation/advertisement to the Linux"
                " system; use the kernel's accept_ra, systemd-networkd or radvd instead",
                value,
            )


def _default_note(netif: Env, configured: list[Configured], report: Report) -> None:
    """ifconfig_DEFAULT reaches every NIC of a FreeBSD machine; rcnet knows only named ones."""
    value = netif.value("ifconfig_DEFAULT")
    if value is None or not value.text:
        return
    users = [c.name for c in configured if netif.if_var(c.name, "ifconfig_IF") is None]
    report.at_name(
        "LX01",
        "info",
        "ifconfig_DEFAULT applies to every interface of a FreeBSD machine whose ifconfig_<if>"
        " is unset; rcnet cannot list the machine's interfaces and applies it only to the ones"
        f" this configuration names ({', '.join(users) or 'none'}); name the others with"
        " ifconfig_<if> or leave them to the Linux system",
        value,
    )


def build_host(loaded: LoadedHost) -> tuple[Host, list[Finding]]:
    """The Host rc would configure from this configuration, and what is wrong with it."""
    report = Report()
    netif = _scope(loaded, "netif")
    routing = _scope(loaded, "routing")
    planned, names = plan_interfaces(netif, report)
    configured: list[Configured] = []
    for p in planned:
        c = configure(netif, p, report)
        if c is not None:
            configured.append(c)
            interface_findings(netif, c, report)
    cloned_findings(netif, names, configured, report)
    create_args_findings(netif, names, report)
    duplicate_findings(configured, report)
    _rtsold(netif, report)
    _default_note(netif, configured, report)
    vhids, configured = build_vhids(configured, report)
    routes = build_routes(routing, configured, report)
    name = hostname(_scope(loaded, "hostname"), report)
    report.extend(scope_findings(loaded))
    host = Host(
        name=name or loaded.path_name,
        hostname=name,
        source=loaded.path,
        interfaces=tuple(c.interface for c in configured),
        vhids=tuple(vhids),
        routes=tuple(routes),
        gateway_enable=checkyesno(routing, "gateway_enable", report),
        ipv6_gateway_enable=checkyesno(routing, "ipv6_gateway_enable", report),
        sysctls=carp_sysctls(loaded.sysctls, report),
        ifmap=ifmap(netif, report),
        notify=netif.text("rcnet_notify") or None,
    )
    report.extend(model_blockers(host))
    if loaded.unparseable:
        # every rc script exits while loading a file sh cannot parse: nothing is configured
        # (the reader's SH03 says so); the findings above still help to fix the rest
        host = Host(name=host.name, hostname=None, source=loaded.path)
    return host, sorted(report.items, key=Finding.sort_key)
