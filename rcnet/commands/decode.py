"""rcnet decode: decode CARP advertisements (HEX arguments or a pcap) and check them."""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import re
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from rcnet.carp.describe import Keyring
from rcnet.commands import CommandError, UsageError
from rcnet.model import Host, IPAddress, Vhid

_SEPARATORS = re.compile(r"[\s:]")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "packets",
        nargs="*",
        metavar="HEX",
        help="one packet each: an Ethernet frame, an IP packet or a bare 36-byte CARP header",
    )
    parser.add_argument("--pcap", metavar="FILE", help="read packets from a capture instead")
    parser.add_argument(
        "--pass", dest="password", metavar="P", help="the vhid's pass, to check the HMAC"
    )
    parser.add_argument(
        "--vip",
        action="append",
        default=[],
        metavar="ADDR",
        help="a virtual address of the vhid (repeatable; all of them are in the HMAC)",
    )
    parser.add_argument(
        "--rc", metavar="HOST", help="take pass and addresses from this host's configuration"
    )


def _parse_vips(values: Sequence[str]) -> list[IPAddress]:
    out: list[IPAddress] = []
    for v in values:
        try:
            out.append(ipaddress.ip_interface(v).ip)
        except ValueError:
            raise UsageError(f"--vip {v}: not an IPv4 or IPv6 address") from None
    return out


def _load_rc(path: str) -> Host:
    from rcnet.hosts import load_hosts
    from rcnet.rcconf.env import HostError

    try:
        hosts, _findings = load_hosts([path])
    except HostError as exc:
        raise CommandError(f"{exc.path}: {exc.reason}", 2) from None
    return hosts[0]


def _holds(v: Vhid, src: IPAddress) -> bool:
    """Is `src` on the vhid's segment (IPv4) or in one of its prefixes (IPv6)?"""
    if src.version == 4 and v.segment is not None:
        return src in v.segment
    return any(src in a.network for a in v.addresses if a.version == src.version)


def _rc_vhid(host: Host, vhid: int, src: IPAddress | None) -> tuple[bytes, list[IPAddress]] | None:
    """The host's CARP vhid `vhid`, chosen by the segment of the advert's source."""
    candidates = [v for v in host.vhids if v.vhid == vhid and v.version == 2]
    if src is not None and len(candidates) > 1:
        candidates = [v for v in candidates if _holds(v, src)]
    if not candidates:
        return None
    v = candidates[0]
    return v.key, [a.ip for a in v.addresses]


def make_keyring(args: argparse.Namespace) -> Keyring | None:
    """A describe.Keyring from --pass/--vip/--rc, or None when nothing can be checked."""
    from rcnet.model import carp_key

    vips = _parse_vips(args.vip)
    if args.password is None and vips:
        raise UsageError("--vip needs --pass (use --pass '' for a vhid without a password)")
    host = _load_rc(args.rc) if args.rc else None
    if args.password is not None and not vips and host is None:
        raise UsageError("--pass needs the vhid's addresses: --vip ADDR (all of them) or --rc HOST")
    if host is None and args.password is None:
        return None
    key = carp_key(args.password) if args.password is not None else None

    def keyring(vhid: int, src: IPAddress | None) -> tuple[bytes, Sequence[IPAddress]] | None:
        from_rc = _rc_vhid(host, vhid, src) if host is not None else None
        addresses = vips or (from_rc[1] if from_rc else None)
        k = key if key is not None else (from_rc[0] if from_rc else None)
        if k is None or addresses is None:
            return None
        return k, addresses

    return keyring


def _hex_packets(values: Sequence[str]) -> Iterator[tuple[str, bytes | None]]:
    for i, value in enumerate(values, 1):
        text = _SEPARATORS.sub("", value)
        if text.lower().startswith("0x"):
            text = text[2:]
        try:
            yield f"argument {i}", bytes.fromhex(text)
        except ValueError:
            yield f"argument {i}", None


def _hex_results(values: Sequence[str], keyring: Keyring | None) -> Iterator[dict[str, Any]]:
    from rcnet.carp import describe

    for where, data in _hex_packets(values):
        if data is None:
            yield {"error": f"{where}: not hexadecimal"}
            continue
        result = describe.describe_bytes(data, keyring)
        yield {"error": f"{where}: {result['error']}"} if "error" in result else result


def _pcap_results(path: str, keyring: Keyring | None) -> Iterator[dict[str, Any]]:
    from rcnet.carp import describe, wire

    for n, linktype, frame in _read_pcap(path):
        if frame is None:
            yield {"error": f"packet {n}: {linktype}"}
            return
        try:
            ip = describe.ip_from_link(int(linktype), frame)
        except describe.NotCarp:
            continue
        except wire.WireError as exc:
            yield {"error": f"packet {n}: {exc}"}
            continue
        result = describe.describe_ip(ip, keyring)
        if "error" in result:
            result = {"error": f"packet {n}: {result['error']}"}
        yield result


def _read_pcap(path: str) -> Iterator[tuple[int, int | str, bytes | None]]:
    """(number, link type, frame) per packet; a read failure ends with (n, message, None)."""
    try:
        from scapy.error import Scapy_Exception
        from scapy.utils import RawPcapReader
    except ImportError:
        raise CommandError("--pcap needs scapy (pip install scapy)", 2) from None
    # Damaged packets are reported in rcnet's own output; scapy's warnings would repeat them.
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    try:
        reader = RawPcapReader(path)
    except (OSError, Scapy_Exception) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise CommandError(f"{path}: cannot read as a pcap: {reason}", 2) from None
    n = 0
    packets = iter(reader)
    with reader:
        while True:
            n += 1
            try:
                data, meta = next(packets)
            except StopIteration:
                return
            except Exception as exc:  # scapy's readers fail in many ways on damaged files
                yield n, f"unreadable ({exc or type(exc).__name__})", None
                return
            linktype = getattr(meta, "linktype", None)
            yield n, int(linktype if linktype is not None else reader.linktype), bytes(data)


def run(args: argparse.Namespace) -> int:
    from rcnet.carp import describe

    if args.pcap and args.packets:
        raise UsageError("give HEX packets or --pcap FILE, not both")
    if not args.pcap and not args.packets:
        raise UsageError("nothing to decode: give HEX packets or --pcap FILE")
    keyring = make_keyring(args)
    results: Iterator[dict[str, Any]]
    if args.pcap:
        results = _pcap_results(args.pcap, keyring)
    else:
        results = _hex_results(args.packets, keyring)
    failed = False
    for result in results:
        failed |= describe.is_failure(result)
        sys.stdout.write(json.dumps(result) + "\n")
    return 1 if failed else 0
