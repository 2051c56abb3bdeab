"""Routes as rc.d/routing adds them: `static_routes` + `route_<name>`, then the default.

static_inet appends `_default` (`route__default="default ${defaultrouter}"`) after the
configured entries, so the default route comes last; static_inet6 does the same with
`ipv6_static_routes`, `ipv6_route_<name>` (given `-inet6` first) and `ipv6_defaultrouter`.
An entry `name:if` is added at boot like any other (the suffix only matters when netif
restarts one interface). Arguments are route(8)'s.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from rcnet.ifconfig.inet import classful_prefixlen, inet_aton
from rcnet.ifconfig.words import Word
from rcnet.model import Family, IPAddress, IPNetwork, Route
from rcnet.netsubr.common import Env, Report, sanitize
from rcnet.netsubr.configure import Configured
from rcnet.rcconf.env import Value

#: route(8) options followed by a value that is not the destination or gateway
_WITH_ARG = frozenset(
    [
        "-fib",
        "-mtu",
        "-hopcount",
        "-expire",
        "-recvpipe",
        "-sendpipe",
        "-ssthresh",
        "-rtt",
        "-rttvar",
        "-weight",
        "-ifp",
        "-ifa",
        "-genmask",
        "-label",
    ]
)


class RouteError(ValueError):
    """route(8) arguments rcnet cannot turn into a route."""


@dataclass
class _Args:
    family: Family
    net: bool = False
    host: bool = False
    interface_gw: bool = False
    mask: str | None = None
    prefixlen: str | None = None


def _flags(words: list[str], family: Family) -> tuple[_Args, list[str]]:
    args = _Args(family)
    positional: list[str] = []
    it = iter(words)
    for w in it:
        if w in ("-inet", "-inet6"):
            args.family = "inet6" if w == "-inet6" else "inet"
        elif w in ("-net", "-host"):
            args.net, args.host = w == "-net", w == "-host"
        elif w in ("-interface", "-iface"):
            args.interface_gw = True
        elif w in ("-netmask", "-prefixlen"):
            value = next(it, None)
            if value is None:
                raise RouteError(f"{w} needs a value")
            args.mask, args.prefixlen = (value, None) if w == "-netmask" else (None, value)
        elif w in _WITH_ARG:
            next(it, None)
        elif not w.startswith("-"):
            positional.append(w)
    return args, positional


def _destination(text: str, a: _Args) -> IPNetwork | None:
    if text == "default":
        return None
    addr_text, _, plen_text = text.partition("/")
    try:
        if a.family == "inet":
            aton = inet_aton(addr_text)
            if aton is None:
                raise RouteError(f"{addr_text!r} is not an IPv4 destination")
            addr: IPAddress = aton.address
        else:
            addr = ipaddress.IPv6Address(addr_text.split("%")[0])
        full = 32 if a.family == "inet" else 128
        if plen_text:
            plen = int(plen_text)
        elif a.mask is not None:
            mask = inet_aton(a.mask)
            if mask is None:
                raise RouteError(f"netmask {a.mask!r} is not a mask")
            plen = bin(mask.value).count("1")
        elif a.prefixlen is not None:
            plen = int(a.prefixlen)
        elif a.net and isinstance(addr, ipaddress.IPv4Address):
            plen = classful_prefixlen(addr)
        else:
            plen = full
        return ipaddress.ip_network(f"{addr}/{plen}", strict=False)
    except ValueError as exc:
        raise RouteError(str(exc)) from None


def parse_route(name: str, words: list[str], family: Family) -> Route:
    """A Route from route(8) arguments (`-net 10.0.0.0/8 192.0.2.1`, `default GW` ...)."""
    a, positional = _flags(words, family)
    if not positional:
        raise RouteError("no destination")
    dest = _destination(positional[0], a)
    if len(positional) < 2:
        raise RouteError("no gateway")
    gw_text = positional[1]
    if a.interface_gw:
        return Route(name, a.family, dest, None, gw_text)
    addr_text, pct, scope = gw_text.partition("%")
    try:
        gateway = ipaddress.ip_address(addr_text)
    except ValueError:
        raise RouteError(f"gateway {gw_text!r} is not an address") from None
    return Route(name, a.family, dest, gateway, scope if pct else None)


class RouteBuilder:
    def __init__(self, env: Env, configured: list[Configured], report: Report) -> None:
        self.env = env
        self.configured = configured
        self.report = report
        self.routes: list[Route] = []

    def build(self) -> list[Route]:
        self._static("static_routes", "route_", "inet")
        self._default("defaultrouter", "inet")
        self._static("ipv6_static_routes", "ipv6_route_", "inet6")
        self._default("ipv6_defaultrouter", "inet6")
        return self.routes

    def _static(self, list_var: str, prefix: str, family: Family) -> None:
        for entry in self.env.words(list_var):
            name = entry.text.rsplit(":", 1)[0] if ":" in entry.text else entry.text
            value = self.env.value(f"{prefix}{sanitize(name)}")
            if value is not None and value.text is None:
                continue  # unknown
            if value is None or not value.text:
                self._missing(entry, list_var, f"{prefix}{sanitize(name)}")
                continue
            self._add(name, value, family)

    def _missing(self, entry: Word, list_var: str, var: str) -> None:
        self.report.at(
            "RT01",
            "warning",
            f'{list_var} lists {entry.text!r}, but {var} is not set: rc warns "{var} not'
            f' found" and adds no route; set {var} or remove the entry',
            entry,
        )

    def _add(self, name: str, value: Value, family: Family) -> None:
        try:
            self.routes.append(parse_route(name, (value.text or "").split(), family))
        except RouteError as exc:
            self.report.at_value(
                "RT03",
                "warning",
                f"{value.name}: {exc}; rcnet cannot apply this route (route(8) would likely fail"
                " too); write `-net PREFIX/LEN GATEWAY` or `-net PREFIX/LEN -interface IF`",
                value,
            )

    def _default(self, var: str, family: Family) -> None:
        value = self.env.value(var)
        text = (self.env.text(var) or "").strip()
        if not text or text.lower() == "no" or value is None or value.text is None:
            return
        try:
            route = parse_route("default", ["default", *text.split()], family)
        except RouteError as exc:
            self.report.at_value(
                "RT03",
                "warning",
                f"{var}={text!r}: {exc}; rc's `route add default` fails; write the router's"
                " address",
                value,
            )
            return
        self.routes.append(route)
        self._reachable(route, value)

    def _reachable(self, route: Route, value: Value) -> None:
        gw = route.gateway
        if gw is None:
            return
        if route.family == "inet6" and gw.is_link_local and route.interface is None:
            self.report.at_value(
                "RT02",
                "warning",
                f"{value.name} {gw} is link-local without `%interface`: route(8) cannot tell"
                f" which link it is on; write {gw}%<interface>",
                value,
            )
            return
        if gw.is_link_local or self._dynamic(route.family) or self._covered(gw):
            return
        self.report.at_value(
            "RT02",
            "warning",
            f"{value.name} {gw} is in no prefix of this host's interfaces and no interface uses"
            ' DHCP: `route add default` fails with "Network is unreachable" at boot; fix'
            " the router's address or the interface's prefix",
            value,
        )

    def _dynamic(self, family: Family) -> bool:
        if family == "inet":
            return any(c.interface.dhcp for c in self.configured)
        return any("accept_rtadv" in c.interface.left_to_system for c in self.configured)

    def _covered(self, gw: IPAddress) -> bool:
        for c in self.configured:
            for a in c.interface.addresses:
                if a.vhid is None and (gw in a.network or gw == a.dest):
                    return True
        return any(
            r.interface is not None and r.destination is not None and gw in r.destination
            for r in self.routes
        )


def build_routes(env: Env, configured: list[Configured], report: Report) -> list[Route]:
    return RouteBuilder(env, configured, report).build()


__all__ = ["RouteError", "build_routes", "parse_route"]
