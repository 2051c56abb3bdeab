"""rcnet show: the model that `start` would apply."""

from __future__ import annotations

import argparse
import json
import sys

from rcnet.commands import CommandError
from rcnet.commands.hostargs import add_hosts_argument
from rcnet.model import Host
from rcnet.redact import mask_json, mask_secrets
from rcnet.text import escape


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_hosts_argument(parser, many=False)
    parser.add_argument("--json", action="store_true", help="the model as JSON")


def render_text(host: Host) -> str:
    """An ifconfig-like summary; the pass is never shown, control characters are escaped."""
    lines = [f"hostname {host.hostname or '(unset)'}"]
    for iface in host.interfaces:
        flags = ["UP" if iface.up else "DOWN"]
        if iface.cloned:
            flags.append(f"cloned {iface.kind or ''}".strip())
        if iface.dhcp:
            flags.append("DHCP")
        mtu = f" mtu {iface.mtu}" if iface.mtu else ""
        lines.append(f"{iface.name}: <{','.join(flags)}>{mtu}")
        if iface.description:
            lines.append(f"\tdescription: {iface.description}")
        for addr in iface.addresses:
            vhid = f" vhid {addr.vhid}" if addr.vhid is not None else ""
            lines.append(f"\t{addr.family} {addr.address}/{addr.prefixlen}{vhid}")
        for vh in host.vhids:
            if vh.interface == iface.name:
                # VRRPv3 (`carpver 3`): its version, priority and interval appended, in
                # ifconfig's keywords (the JSON's version, vrrpprio, vrrpinterval)
                vrrp = (
                    f" carpver 3 vrrpprio {vh.vrrp_prio} vrrpinterval {vh.vrrp_interval}"
                    if vh.version == 3
                    else ""
                )
                lines.append(
                    f"\tcarp: vhid {vh.vhid} advbase {vh.advbase} advskew {vh.advskew}"
                    f" parent {vh.parent or '(none)'} segment {vh.segment or '(unknown)'}{vrrp}"
                )
        if iface.members:
            lines.append(f"\tmembers: {' '.join(iface.members)}")
    for route in host.routes:
        dest = route.destination or "default"
        via = f" via {route.gateway}" if route.gateway else ""
        dev = f" dev {route.interface}" if route.interface else ""
        lines.append(f"route {route.family} {dest}{via}{dev}")
    if host.gateway_enable or host.ipv6_gateway_enable:
        lines.append(
            f"forwarding inet {'on' if host.gateway_enable else 'off'}"
            f" inet6 {'on' if host.ipv6_gateway_enable else 'off'}"
        )
    return "\n".join(escape(line) for line in lines)  # names, descriptions: file content


def run(args: argparse.Namespace) -> int:
    from rcnet.hosts import read_host
    from rcnet.rcconf.env import HostError

    try:
        checked = read_host(args.host)
    except HostError as exc:
        raise CommandError(f"{exc.path}: {exc.reason}", 2) from None
    errors = [f for f in checked.findings if f.severity == "error"]
    if errors:
        print(
            f"rcnet show: warning: {len(errors)} error(s) in {args.host}; `rcnet check` lists"
            " them and `start` would refuse",
            file=sys.stderr,
        )
    # a pass can only get here written where it does not belong (a hostname, a description)
    if args.json:
        json.dump(mask_json(checked.host.to_json(), checked.secrets), sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(mask_secrets(render_text(checked.host), checked.secrets))
    return 0
