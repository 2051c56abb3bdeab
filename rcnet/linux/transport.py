"""Raw sockets that move CARP/VRRP packets on one parent interface.

Receiving (per parent and family): `socket(AF_INET, SOCK_RAW, 112)` joined to 224.0.0.18 on the
parent (ip_mreqn with the ifindex; without joining nothing arrives), IP_MULTICAST_LOOP 0 (else we
hear ourselves), IP_MULTICAST_ALL 0 (else every raw socket in the namespace gets every group),
SO_BINDTODEVICE to the parent, non-blocking. IPv6 the same with ff02::12 and the hop limit from
ancillary data. Unicast adverts from `peer`s arrive on the same sockets. Against floods each socket
has a 4 MiB receive buffer (SO_RCVBUFFORCE as root) and a kernel filter (`bpf`: protocol, version
byte, configured vhid, minimum length; `set_vhids` re-attaches it); the engine checks the rest
(TTL, checksum, HMAC). SO_RXQ_OVFL reports the packets the kernel dropped for a full queue (
`Received.overflows`). Each read takes up to 65,535 bytes, the longest datagram either family's
raw socket can hold, so a long datagram is judged whole, as FreeBSD's carp_input judges it
(no upper bound on length there: over IPv4 the checksum covers the whole datagram).

Sending multicast adverts and announcements: frames from `frames` written on an AF_PACKET socket
bound to the parent (virtual MAC as Ethernet source, as FreeBSD). Unicast adverts: a send-only
raw socket (IPPROTO_RAW, header built here) so the kernel resolves the peer's MAC and the frame
leaves from the NIC's MAC, as FreeBSD >= 14 sends them.

Errors: every send failure raises `SendError` (an OSError with the interface); the daemon counts
them as send errors (senderr demotion). An admin-down parent fails with ENETDOWN (AF_PACKET) or
ENETUNREACH (raw IP). Loss of carrier is silent here: watch it with `links`.

asyncio: `ParentTransport.attach(loop, callback)` registers the receive sockets with
`loop.add_reader` and hands the callback the batch each readable event read (at most
`READ_BATCH`), so the daemon re-arms its timer once per batch; sends never block (non-blocking
sockets; a full queue is a SendError).
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
import struct
import sys
from collections.abc import Callable, Iterable
from ipaddress import IPv4Address, IPv6Address
from typing import NamedTuple

from rcnet.carp.packet import build_ipv4, build_ipv6, ipv4_fields
from rcnet.carp.wire import CARP_GROUP4, CARP_GROUP6, IPPROTO_CARP
from rcnet.linux import bpf, frames
from rcnet.linux.nsenter import call_in_netns

IPAddress = IPv4Address | IPv6Address

IP_MULTICAST_ALL = 49
IPV6_MULTICAST_ALL = 29
IPV6_HDRINCL = 36
SO_BINDTODEVICE = getattr(socket, "SO_BINDTODEVICE", 25)
#: the most packets handled per readable event, so one busy parent cannot starve the loop
READ_BATCH = 64
#: IPv4's total length and IPv6's payload length are 16 bits: nothing longer can arrive (an IPv6
#: jumbogram carries a hop-by-hop header, which the kernel filter refuses)
_RECV_SIZE = 65535
SO_RCVBUFFORCE = 33
SO_RXQ_OVFL = 40
#: the receive buffer asked for (the kernel doubles it for its bookkeeping)
RCVBUF = 4 << 20
_ANCILLARY = socket.CMSG_SPACE(4) * 2 + socket.CMSG_SPACE(20)


class SendError(OSError):
    """A packet could not be sent on `ifname` (the daemon counts it as a send error)."""

    def __init__(self, code: int, ifname: str, what: str) -> None:
        super().__init__(code, f"{ifname}: {what}: {os.strerror(code)}")
        self.ifname = ifname


class Received(NamedTuple):
    """One IP packet of protocol 112 as it arrived on `ifname` (a tuple: one is made for every
    packet read)."""

    src: IPAddress
    dst: IPAddress
    ttl: int
    payload: bytes
    ifname: str
    #: packets the kernel dropped for a full receive queue since the one before (SO_RXQ_OVFL)
    overflows: int = 0


def _bind_device(sock: socket.socket, ifname: str) -> None:
    sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, ifname.encode())


def _flood_proof(sock: socket.socket) -> None:
    """A large receive buffer (past rmem_max as root) and the kernel's drop count on each packet
    (the filter comes with `Receiver.set_vhids`)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF)
    except PermissionError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    sock.setsockopt(socket.SOL_SOCKET, SO_RXQ_OVFL, 1)


def ifindex_of(ifname: str) -> int:
    """The index of an interface of the current namespace; OSError(ENODEV) naming it if absent."""
    try:
        return socket.if_nametoindex(ifname)
    except OSError:
        raise OSError(errno.ENODEV, f"{ifname}: no such interface") from None


def _open_receiver4(ifname: str, group: IPv4Address) -> tuple[socket.socket, int]:
    ifindex = ifindex_of(ifname)
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_CARP)
    try:
        _bind_device(sock, ifname)
        _flood_proof(sock)
        mreqn = struct.pack("=4s4si", group.packed, bytes(4), ifindex)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
        sock.setsockopt(socket.IPPROTO_IP, IP_MULTICAST_ALL, 0)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock, ifindex


def _open_receiver6(ifname: str, group: IPv6Address) -> tuple[socket.socket, int]:
    ifindex = ifindex_of(ifname)
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, IPPROTO_CARP)
    try:
        _bind_device(sock, ifname)
        _flood_proof(sock)
        mreq = struct.pack("=16sI", group.packed, ifindex)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
        sock.setsockopt(socket.IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock, ifindex


class Receiver:
    """The non-blocking receive socket of one family on one parent."""

    def __init__(self, ifname: str, family: int = socket.AF_INET, *, netns: str | None = None):
        self.ifname = ifname
        self.family = family
        if family == socket.AF_INET:
            self.sock, self.ifindex = call_in_netns(
                netns, lambda: _open_receiver4(ifname, CARP_GROUP4)
            )
        elif family == socket.AF_INET6:
            self.sock, self.ifindex = call_in_netns(
                netns, lambda: _open_receiver6(ifname, CARP_GROUP6)
            )
        else:
            raise ValueError(f"unsupported address family {family}")
        #: the kernel's drop count (SO_RXQ_OVFL) last seen
        self.drops = 0

    def set_vhids(self, vhids: Iterable[int]) -> None:
        """Let in only adverts of `vhids` (the kernel filter; replaces the previous one)."""
        bpf.attach(self.sock, vhids)

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        self.sock.close()

    def read(self, limit: int = READ_BATCH) -> list[Received]:
        """The packets waiting now (at most `limit`); malformed ones are skipped."""
        out: list[Received] = []
        read_one = self._read_one
        for _ in range(limit):
            try:
                got = read_one()
            except (BlockingIOError, InterruptedError):
                break
            if got is not None:
                out.append(got)
        return out

    def _overflows(self, ancillary: list[tuple[int, int, bytes]]) -> int:
        """The drops SO_RXQ_OVFL reports (a running u32 count, attached once the socket has
        dropped any) that are new since last time."""
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_RXQ_OVFL and len(value) >= 4:
                total = int.from_bytes(value[:4], sys.byteorder)
                new = (total - self.drops) & 0xFFFFFFFF
                self.drops = total
                return new
        return 0

    def _read_one(self) -> Received | None:
        data, ancillary, _, addr = self.sock.recvmsg(_RECV_SIZE, _ANCILLARY)
        overflows = self._overflows(ancillary) if ancillary else 0
        if self.family == socket.AF_INET:
            parsed = ipv4_fields(data)
            if parsed is None:
                return None
            src, dst, ttl, payload = parsed
            return Received(src, dst, ttl, payload, self.ifname, overflows)
        hop_limit, dst6 = -1, None
        for level, kind, value in ancillary:
            if level == socket.IPPROTO_IPV6 and kind == socket.IPV6_HOPLIMIT and len(value) >= 4:
                (hop_limit,) = struct.unpack("=i", value[:4])
            elif level == socket.IPPROTO_IPV6 and kind == socket.IPV6_PKTINFO and len(value) >= 16:
                dst6 = IPv6Address(value[:16])
        if dst6 is None or hop_limit < 0:
            return None
        src6 = IPv6Address(str(addr[0]).split("%", 1)[0])
        return Received(src6, dst6, hop_limit, data, self.ifname, overflows)


def _what(what: str, vhid: int | None) -> str:
    return what if vhid is None else f"{what} vhid {vhid}"


class FrameSender:
    """An AF_PACKET socket bound to the parent that writes whole Ethernet frames."""

    def __init__(self, ifname: str, *, netns: str | None = None):
        self.ifname = ifname

        def make() -> socket.socket:
            # protocol 0: the socket is never hooked into receive, so nothing queues up on it
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            try:
                sock.bind((ifname, 0))
                sock.setblocking(False)
            except BaseException:
                sock.close()
                raise
            return sock

        self.sock = call_in_netns(netns, make)

    def send(self, frame: bytes, what: str = "send frame", vhid: int | None = None) -> None:
        """Write `frame`; a SendError says `what` (and `vhid`: formatted only on a failure)."""
        try:
            sent = self.sock.send(frame)
        except OSError as exc:
            raise SendError(exc.errno or errno.EIO, self.ifname, _what(what, vhid)) from exc
        if sent != len(frame):
            raise SendError(errno.EMSGSIZE, self.ifname, _what(what, vhid))

    def close(self) -> None:
        self.sock.close()


class UnicastSender:
    """Send-only raw IP sockets (IPPROTO_RAW: header built here) for adverts to unicast peers."""

    def __init__(self, ifname: str, *, netns: str | None = None):
        self.ifname = ifname

        def make(family: int) -> socket.socket:
            sock = socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_RAW)
            try:
                _bind_device(sock, ifname)
                if family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, IPV6_HDRINCL, 1)
                sock.setblocking(False)
            except BaseException:
                sock.close()
                raise
            return sock

        self.sock4 = call_in_netns(netns, lambda: make(socket.AF_INET))
        self.sock6 = call_in_netns(netns, lambda: make(socket.AF_INET6))

    def send(
        self, src: IPAddress, peer: IPAddress, payload: bytes, tos: int = frames.TOS_CS7
    ) -> None:
        try:
            if isinstance(src, IPv4Address) and isinstance(peer, IPv4Address):
                datagram = build_ipv4(src, peer, payload, ident=frames.random_ip_id(), tos=tos)
                self.sock4.sendto(datagram, (str(peer), 0))
            elif isinstance(src, IPv6Address) and isinstance(peer, IPv6Address):
                self.sock6.sendto(build_ipv6(src, peer, payload, tclass=tos), (str(peer), 0))
            else:
                raise ValueError(f"source {src} and peer {peer} differ in family")
        except OSError as exc:
            raise SendError(exc.errno or errno.EIO, self.ifname, f"advert to {peer}") from exc

    def close(self) -> None:
        self.sock4.close()
        self.sock6.close()


class ParentTransport:
    """Everything the daemon sends and receives on one parent interface.

    `inet`/`inet6` choose the receive sockets (a parent without IPv6 vhids needs no IPv6 socket).
    """

    def __init__(
        self, ifname: str, *, inet: bool = True, inet6: bool = False, netns: str | None = None
    ):
        self.ifname = ifname
        self.receivers: list[Receiver] = []
        #: vhid -> the headers of its IPv4 adverts (a MASTER sends the same ones each second)
        self._templates: dict[int, frames.AdvertFrames4] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        try:
            if inet:
                self.receivers.append(Receiver(ifname, socket.AF_INET, netns=netns))
            if inet6:
                self.receivers.append(Receiver(ifname, socket.AF_INET6, netns=netns))
            self.frames = FrameSender(ifname, netns=netns)
            self.unicast = UnicastSender(ifname, netns=netns)
        except BaseException:
            for r in self.receivers:
                r.close()
            raise

    def set_vhids(self, inet: Iterable[int], inet6: Iterable[int]) -> None:
        """The vhids whose adverts the IPv4 and the IPv6 socket let in (`Receiver.set_vhids`)."""
        for r in self.receivers:
            r.set_vhids(inet if r.family == socket.AF_INET else inet6)

    def read(self) -> list[Received]:
        """Whatever is waiting on any receive socket (for callers that poll)."""
        return [p for r in self.receivers for p in r.read()]

    def send_advert(
        self,
        vhid: int,
        src: IPAddress,
        payload: bytes,
        *,
        peer: IPAddress | None = None,
        tos: int = frames.TOS_CS7,
    ) -> None:
        """Send one advert from the parent's address `src`: multicast with the virtual MAC, or to
        a unicast `peer` through the kernel's routing. Raises SendError."""
        if peer is not None and not peer.is_multicast:
            self.unicast.send(src, peer, payload, tos)
        elif isinstance(src, IPv4Address):
            dst4 = peer if isinstance(peer, IPv4Address) else CARP_GROUP4
            template = self._templates.get(vhid)
            if template is None or not template.fits(src, dst4, tos, len(payload)):
                template = frames.AdvertFrames4(vhid, src, dst4, tos, len(payload))
                self._templates[vhid] = template
            self.frames.send(template.frame(payload), "advert", vhid)
        else:
            dst6 = peer if isinstance(peer, IPv6Address) else CARP_GROUP6
            frame = frames.advert_frame6(vhid, src, payload, dst=dst6, traffic_class=tos)
            self.frames.send(frame, "advert", vhid)

    def announce(self, vhid: int, vips: Iterable[IPAddress]) -> int:
        """Gratuitous ARP / unsolicited NA for each VIP; returns how many left. Tries them all,
        then raises the first SendError if any failed."""
        sent, first_error = 0, None
        for frame in frames.announcements(vhid, tuple(vips)):
            try:
                self.frames.send(frame, "announce", vhid)
                sent += 1
            except SendError as exc:
                first_error = first_error or exc
        if first_error is not None:
            raise first_error
        return sent

    def attach(
        self, loop: asyncio.AbstractEventLoop, on_packets: Callable[[list[Received]], None]
    ) -> None:
        """Deliver the received packets to `on_packets` from the event loop: what one readable
        event read (never an empty list)."""

        def readable(receiver: Receiver) -> None:
            packets = receiver.read()
            if packets:
                on_packets(packets)

        for r in self.receivers:
            loop.add_reader(r.fileno(), readable, r)
        self._loop = loop

    def detach(self) -> None:
        if self._loop is not None:
            for r in self.receivers:
                self._loop.remove_reader(r.fileno())
            self._loop = None

    def close(self) -> None:
        self.detach()
        for r in self.receivers:
            r.close()
        self.frames.close()
        self.unicast.close()
