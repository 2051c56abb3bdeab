"""A classic BPF socket filter for the daemon's raw receive sockets (protocol 112).

A raw socket of protocol 112 gets every protocol-112 packet the parent receives; under a junk
flood the ones the daemon wants (its peers' adverts) are lost with the rest when the receive queue
fills. `attach` hangs a filter on the socket (SO_ATTACH_FILTER) so that the kernel queues only what
could be a valid advert for a vhid configured on that socket; everything else is dropped before it
costs queue space or a wakeup. Re-attaching replaces the filter atomically (a reload that changes
the vhids calls `attach` again).

What passes (offsets from the network header through SKF_NET_OFF, so one program shape serves
IPv4, where the raw socket's data starts at the IP header, and IPv6, where it starts after it):
  - IPv4 protocol / IPv6 next header 112 (an IPv6 packet with extension headers does not pass;
    adverts carry none);
  - the version/type byte 0x21 (CARP v2 advert) or 0x31 (VRRPv3 advert);
  - the vhid (byte 1) among the configured ones;
  - a plausible length: CARP at least its 36-byte header, VRRPv3 at least 8 bytes plus its
    address list (count at byte 3, 4 bytes each for IPv4, 16 for IPv6): the engine's own minimums,
    so whatever it would count as too short never reaches it.
There is no upper bound, as in FreeBSD's carp_input (it refuses only lengths too short): a long
datagram is delivered and judged whole (over IPv4 the checksum covers all of it).

The TTL / hop limit is deliberately not checked here: an attacker on the segment sends 255 anyway,
so the check would stop no flood, and leaving it to the engine keeps FreeBSD's wrong-TTL counter
(carps_badttl) and its diagnostic for a peer whose adverts cross a router.

Packets the filter drops are not counted by the kernel anywhere a process can read; queue
overflows are (SO_RXQ_OVFL, see transport).
"""

from __future__ import annotations

import ctypes
import socket
import struct
from collections.abc import Iterable

SO_ATTACH_FILTER = 26
SO_DETACH_FILTER = 27
#: linux/filter.h: loads relative to the network header
SKF_NET_OFF = -0x100000

# linux/bpf_common.h opcodes
BPF_LD, BPF_LDX, BPF_ST, BPF_ALU, BPF_JMP, BPF_RET, BPF_MISC = (
    0x00,
    0x01,
    0x02,
    0x04,
    0x05,
    0x06,
    0x07,
)
BPF_W, BPF_H, BPF_B = 0x00, 0x08, 0x10
BPF_IMM, BPF_ABS, BPF_IND, BPF_MEM, BPF_MSH = 0x00, 0x20, 0x40, 0x60, 0xA0
BPF_ADD, BPF_SUB, BPF_LSH = 0x00, 0x10, 0x60
BPF_JA, BPF_JEQ, BPF_JGE = 0x00, 0x10, 0x30
BPF_K, BPF_X = 0x00, 0x08
BPF_TAX = 0x00

IPPROTO_CARP = 112
CARP_ADVERT = 0x21  # version 2, type 1
VRRP3_ADVERT = 0x31  # version 3, type 1
CARP_HEADER_LEN = 36
VRRP_HEADER_LEN = 8
IPV6_HEADER_LEN = 40
#: the return value that keeps the whole packet
ACCEPT_ALL = 0xFFFFFFFF
#: vhid tests per block: a conditional jump reaches at most 255 instructions ahead
_BLOCK = 64

Insn = tuple[int, int, int, int]  # (code, jt, jf, k)


class _Program:
    """Instructions with symbolic jump targets, resolved by `assemble`."""

    def __init__(self) -> None:
        self.code: list[tuple[int, str | int, str | int, int]] = []
        self.labels: dict[str, int] = {}

    def op(self, code: int, k: int = 0, jt: str | int = 0, jf: str | int = 0) -> None:
        self.code.append((code, jt, jf, k & 0xFFFFFFFF))

    def label(self, name: str) -> None:
        self.labels[name] = len(self.code)

    def assemble(self) -> list[Insn]:
        out: list[Insn] = []
        for pc, (code, jt, jf, k) in enumerate(self.code):

            def rel(target: str | int, pc: int = pc) -> int:
                if isinstance(target, int):
                    return target
                return self.labels[target] - pc - 1

            if code == BPF_JMP | BPF_JA:
                out.append((code, 0, 0, rel(str(jt)) if isinstance(jt, str) else k))
                continue
            t, f = rel(jt), rel(jf)
            if not (0 <= t <= 255 and 0 <= f <= 255):
                raise ValueError(f"jump out of range at {pc}")
            out.append((code, t, f, k))
        return out


def program(family: int, vhids: Iterable[int]) -> list[Insn]:
    """The filter for a raw protocol-112 socket of `family` whose configured vhids are `vhids`."""
    wanted = sorted({v for v in vhids if 1 <= v <= 255})
    p = _Program()
    if family == socket.AF_INET:
        p.op(BPF_LD | BPF_B | BPF_ABS, SKF_NET_OFF + 9)  # protocol
        p.op(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_CARP, 1, 0)
        p.op(BPF_RET | BPF_K, 0)
        p.op(BPF_LDX | BPF_B | BPF_MSH, SKF_NET_OFF + 0)  # X = header length
        p.op(BPF_LD | BPF_H | BPF_ABS, SKF_NET_OFF + 2)  # total length
        p.op(BPF_ALU | BPF_SUB | BPF_X)  # A = payload length
        address_shift = 2
    elif family == socket.AF_INET6:
        p.op(BPF_LD | BPF_B | BPF_ABS, SKF_NET_OFF + 6)  # next header
        p.op(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_CARP, 1, 0)
        p.op(BPF_RET | BPF_K, 0)
        p.op(BPF_LDX | BPF_IMM, IPV6_HEADER_LEN)
        p.op(BPF_LD | BPF_H | BPF_ABS, SKF_NET_OFF + 4)  # payload length
        address_shift = 4
    else:
        raise ValueError(f"unsupported address family {family}")
    p.op(BPF_ST, 0)  # M[0] = payload length; X = payload offset from the network header
    p.op(BPF_LD | BPF_B | BPF_IND, SKF_NET_OFF + 1)  # vhid
    for start in range(0, len(wanted), _BLOCK):
        block = wanted[start : start + _BLOCK]
        hit = f"hit{start}"
        for vhid in block:
            p.op(BPF_JMP | BPF_JEQ | BPF_K, vhid, hit, 0)
        p.op(BPF_JMP | BPF_JA, jt=f"blk{start + _BLOCK}")
        p.label(hit)
        p.op(BPF_JMP | BPF_JA, jt="vhid_ok")
        p.label(f"blk{start + _BLOCK}")
    p.op(BPF_RET | BPF_K, 0)  # no configured vhid
    p.label("vhid_ok")
    p.op(BPF_LD | BPF_B | BPF_IND, SKF_NET_OFF + 0)  # version and type
    p.op(BPF_JMP | BPF_JEQ | BPF_K, CARP_ADVERT, 0, "vrrp")
    p.op(BPF_LD | BPF_MEM, 0)
    p.op(BPF_JMP | BPF_JGE | BPF_K, CARP_HEADER_LEN, "accept", "drop")
    p.label("vrrp")
    p.op(BPF_JMP | BPF_JEQ | BPF_K, VRRP3_ADVERT, 0, "drop")
    p.op(BPF_LD | BPF_B | BPF_IND, SKF_NET_OFF + 3)  # count of addresses
    p.op(BPF_ALU | BPF_LSH | BPF_K, address_shift)
    p.op(BPF_ALU | BPF_ADD | BPF_K, VRRP_HEADER_LEN)
    p.op(BPF_MISC | BPF_TAX)  # X = the length the address list needs
    p.op(BPF_LD | BPF_MEM, 0)
    p.op(BPF_JMP | BPF_JGE | BPF_X, 0, "accept", "drop")
    p.label("accept")
    p.op(BPF_RET | BPF_K, ACCEPT_ALL)
    p.label("drop")
    p.op(BPF_RET | BPF_K, 0)
    return p.assemble()


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


_INSN = struct.Struct("=HBBI")


def attach(sock: socket.socket, vhids: Iterable[int]) -> None:
    """Attach (or replace) the filter on `sock` for `vhids`; OSError if the kernel refuses it."""
    insns = program(sock.family, vhids)
    raw = ctypes.create_string_buffer(b"".join(_INSN.pack(*i) for i in insns))
    fprog = _SockFprog(len(insns), ctypes.addressof(raw))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, bytes(fprog))
