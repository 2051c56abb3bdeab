"""A few rtnetlink messages in plain struct, for the paths that run inside the daemon's loop.

pyroute2's synchronous API runs its own event loop and cannot be called from a coroutine; the
takeover path (a vhid's macvlan up) must be one netlink message without thread hops, and the link
watcher wants a plain file descriptor for `loop.add_reader`. That is all this module does:

- `LinkSwitch.set_up(name, up)`: one RTM_NEWLINK changing IFF_UP, acknowledged (~0.1 ms).
- `LinkSwitch.local_route(name, address, present)`: a VIP's route in the local table (a
  BACKUP's VIP is not the kernel's own address).
- `RtnlSocket`: a NETLINK_ROUTE socket, optionally subscribed to multicast groups, with
  `dump_links()` and `parse()` of RTM_{NEW,DEL}LINK and RTM_{NEW,DEL}ADDR into small records.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import struct
from collections.abc import Iterator

from rcnet.frozen import record
from rcnet.linux.nsenter import call_in_netns
from rcnet.model import IPAddress

NETLINK_ROUTE = 0
NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
RTM_NEWROUTE, RTM_DELROUTE = 24, 25
NLM_F_EXCL, NLM_F_CREATE = 0x200, 0x400
RT_TABLE_LOCAL = 255
RTPROT_KERNEL = 2
RT_SCOPE_HOST, RT_SCOPE_NOWHERE = 254, 255
RTN_LOCAL = 2
RTA_DST, RTA_OIF, RTA_PRIORITY = 1, 4, 6
RTMGRP_LINK = 0x1
RTMGRP_IPV4_IFADDR = 0x10
RTMGRP_IPV6_IFADDR = 0x100
IFF_UP = 0x1
IFF_LOWER_UP = 0x10000
IFLA_ADDRESS, IFLA_IFNAME, IFLA_OPERSTATE = 1, 3, 16
IFA_ADDRESS, IFA_LOCAL, IFA_FLAGS, IFA_PROTO = 1, 2, 8, 11
#: an address not usable as a source yet (DAD under way) or ever (DAD failed)
IFA_F_DADFAILED, IFA_F_TENTATIVE = 0x08, 0x40

_NLMSGHDR = struct.Struct("=IHHII")
_IFINFOMSG = struct.Struct("=BxHiII")
_IFADDRMSG = struct.Struct("=BBBBi")
_RTMSG = struct.Struct("=BBBBBBBBI")
_RTATTR = struct.Struct("=HH")
_RECV_SIZE = 65536


def _align(n: int) -> int:
    return (n + 3) & ~3


def _attrs(data: bytes, offset: int) -> Iterator[tuple[int, bytes]]:
    while offset + _RTATTR.size <= len(data):
        length, kind = _RTATTR.unpack_from(data, offset)
        if length < _RTATTR.size:
            return
        yield kind & 0x3FFF, data[offset + _RTATTR.size : offset + length]
        offset += _align(length)


def _attr(kind: int, value: bytes) -> bytes:
    body = _RTATTR.pack(_RTATTR.size + len(value), kind) + value
    return body.ljust(_align(len(body)), b"\0")


@record
class LinkMsg:
    """RTM_NEWLINK (deleted=False) or RTM_DELLINK."""

    index: int
    name: str
    flags: int
    deleted: bool = False

    @property
    def admin_up(self) -> bool:
        return bool(self.flags & IFF_UP)

    @property
    def carrier(self) -> bool:
        return bool(self.flags & IFF_LOWER_UP)


@record
class AddrMsg:
    """RTM_NEWADDR (deleted=False) or RTM_DELADDR."""

    index: int
    address: IPAddress
    prefixlen: int
    proto: int
    deleted: bool = False
    flags: int = 0

    @property
    def usable(self) -> bool:
        """Usable as a source address: not tentative, DAD not failed."""
        return not self.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)


def parse(data: bytes) -> list[LinkMsg | AddrMsg]:
    """The link and address messages in one datagram from a NETLINK_ROUTE socket."""
    out: list[LinkMsg | AddrMsg] = []
    offset = 0
    while offset + _NLMSGHDR.size <= len(data):
        length, kind, _flags, _seq, _pid = _NLMSGHDR.unpack_from(data, offset)
        if length < _NLMSGHDR.size:
            break
        body = data[offset + _NLMSGHDR.size : offset + length]
        if kind in (RTM_NEWLINK, RTM_DELLINK) and len(body) >= _IFINFOMSG.size:
            _fam, _type, index, flags, _chg = _IFINFOMSG.unpack_from(body)
            attrs = dict(_attrs(body, _IFINFOMSG.size))
            name = attrs.get(IFLA_IFNAME, b"").split(b"\0", 1)[0].decode(errors="replace")
            out.append(LinkMsg(index, name, flags, kind == RTM_DELLINK))
        elif kind in (RTM_NEWADDR, RTM_DELADDR) and len(body) >= _IFADDRMSG.size:
            family, prefixlen, flags, _scope, index = _IFADDRMSG.unpack_from(body)
            attrs = dict(_attrs(body, _IFADDRMSG.size))
            raw = attrs.get(IFA_LOCAL, attrs.get(IFA_ADDRESS))
            if raw is not None and family in (socket.AF_INET, socket.AF_INET6):
                proto = attrs.get(IFA_PROTO, b"\0")[0]
                if len(attrs.get(IFA_FLAGS, b"")) >= 4:  # the 32-bit flags, when present
                    (flags,) = struct.unpack("=I", attrs[IFA_FLAGS][:4])
                address = ipaddress.ip_address(raw)
                deleted = kind == RTM_DELADDR
                out.append(AddrMsg(index, address, prefixlen, proto, deleted, flags))
        offset += _align(length)
    return out


class RtnlSocket:
    """A NETLINK_ROUTE socket in a namespace. With `groups` it is a non-blocking event socket
    (read with `read_events`); without, a request socket (`request`, `dump_links`)."""

    def __init__(self, groups: int = 0, *, netns: str | None = None, timeout: float = 2.0) -> None:
        def make() -> socket.socket:
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
            try:
                sock.bind((0, groups))
                if groups:  # an event socket for loop.add_reader
                    sock.setblocking(False)
                else:  # requests: the kernel answers within the send, unless another
                    # namespace holds RTNL; a bound keeps the caller's loop going
                    sock.settimeout(timeout)
            except BaseException:
                sock.close()
                raise
            return sock

        self.sock = call_in_netns(netns, make)
        self._seq = 0

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        self.sock.close()

    def _send(self, kind: int, flags: int, body: bytes) -> int:
        self._seq += 1
        head = _NLMSGHDR.pack(_NLMSGHDR.size + len(body), kind, flags, self._seq, 0)
        self.sock.send(head + body)
        return self._seq

    def _replies(self, seq: int) -> Iterator[tuple[int, bytes]]:
        """(type, body) of the replies to request `seq` until its end (ack, error or DONE)."""
        while True:
            data = self.sock.recv(_RECV_SIZE)
            offset = 0
            while offset + _NLMSGHDR.size <= len(data):
                length, kind, flags, got_seq, _pid = _NLMSGHDR.unpack_from(data, offset)
                body = data[offset + _NLMSGHDR.size : offset + length]
                offset += _align(max(length, _NLMSGHDR.size))
                if got_seq != seq:
                    continue
                if kind == NLMSG_ERROR:
                    (code,) = struct.unpack_from("=i", body)
                    if code:
                        raise OSError(-code, os.strerror(-code))
                    return
                if kind == NLMSG_DONE:
                    return
                yield kind, body
                if not flags & NLM_F_MULTI:
                    return

    def request(self, kind: int, body: bytes, flags: int = 0) -> None:
        """Send a request and wait for its acknowledgement (OSError with the kernel's errno)."""
        seq = self._send(kind, NLM_F_REQUEST | NLM_F_ACK | flags, body)
        for _ in self._replies(seq):
            pass

    def dump_links(self) -> list[LinkMsg]:
        seq = self._send(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, _IFINFOMSG.pack(0, 0, 0, 0, 0))
        out: list[LinkMsg] = []
        for kind, body in self._replies(seq):
            head = _NLMSGHDR.pack(_NLMSGHDR.size + len(body), kind, 0, 0, 0)
            out.extend(m for m in parse(head + body) if isinstance(m, LinkMsg))
        return out

    def dump_addrs(self) -> list[AddrMsg]:
        seq = self._send(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, _IFADDRMSG.pack(0, 0, 0, 0, 0))
        out: list[AddrMsg] = []
        for kind, body in self._replies(seq):
            head = _NLMSGHDR.pack(_NLMSGHDR.size + len(body), kind, 0, 0, 0)
            out.extend(m for m in parse(head + body) if isinstance(m, AddrMsg))
        return out

    def read_events(self) -> list[LinkMsg | AddrMsg] | None:
        """Pending multicast events (non-blocking); None when the kernel dropped some (ENOBUFS):
        then the caller must resynchronise with a dump."""
        out: list[LinkMsg | AddrMsg] = []
        while True:
            try:
                data = self.sock.recv(_RECV_SIZE)
            except (BlockingIOError, InterruptedError):
                return out
            except OSError as exc:
                if exc.errno == errno.ENOBUFS:
                    return None
                raise
            out.extend(parse(data))


class LinkSwitch:
    """Brings links up and down by name with one acknowledged RTM_NEWLINK each."""

    def __init__(self, *, netns: str | None = None, timeout: float = 2.0) -> None:
        self.netns = netns
        self.rtnl = RtnlSocket(netns=netns, timeout=timeout)
        self._index: dict[str, int] = {}

    def index(self, name: str) -> int:
        if name not in self._index:
            for link in self.rtnl.dump_links():
                self._index[link.name] = link.index
        if name not in self._index:
            raise OSError(errno.ENODEV, f"{name}: no such interface")
        return self._index[name]

    def set_up(self, name: str, up: bool) -> None:
        """`ip link set NAME up|down`; OSError naming the link when the kernel refuses."""
        try:
            body = _IFINFOMSG.pack(0, 0, self.index(name), IFF_UP if up else 0, IFF_UP)
            self.rtnl.request(RTM_NEWLINK, body)
        except OSError as exc:
            self._index.pop(name, None)  # it may have been re-created under another index
            code = exc.errno or errno.EIO
            state = "up" if up else "down"
            raise OSError(code, f"ip link set {name} {state}: {os.strerror(code)}") from None

    def local_route(
        self, name: str, address: IPAddress, present: bool, table: int = RT_TABLE_LOCAL
    ) -> bool:
        """Add (`present`) or delete the kernel's local route of `address` on link `name`
        (table local: what makes the kernel take the address for its own). FreeBSD's
        carp_delroute/carp_addroute, done on Linux's local table. Returns whether anything
        changed (False: it was already so); OSError otherwise."""
        family = socket.AF_INET if address.version == 4 else socket.AF_INET6
        scope = RT_SCOPE_HOST if present else RT_SCOPE_NOWHERE
        body = _RTMSG.pack(
            family, address.max_prefixlen, 0, 0, table, RTPROT_KERNEL, scope, RTN_LOCAL, 0
        )
        body += _attr(RTA_DST, address.packed)
        body += _attr(RTA_OIF, struct.pack("=i", self.index(name)))
        if present:
            body += _attr(RTA_PRIORITY, struct.pack("=I", 0))
        try:
            if present:
                self.rtnl.request(RTM_NEWROUTE, body, NLM_F_CREATE | NLM_F_EXCL)
            else:
                self.rtnl.request(RTM_DELROUTE, body)
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ESRCH, errno.ENOENT):
                return False
            self._index.pop(name, None)
            code = exc.errno or errno.EIO
            verb = "add" if present else "del"
            raise OSError(
                code, f"ip route {verb} local {address} table local dev {name}: {os.strerror(code)}"
            ) from None
        return True

    def close(self) -> None:
        self.rtnl.close()
