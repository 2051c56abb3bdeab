"""A differential oracle for the decoder: tshark's CARP/VRRP dissectors against `rcnet decode`.

Mutated adverts (every IPv4 packet of the decoder's fuzzing corpus, plus MUTANTS mutations of
the vector adverts, half of them with their checksum made good again, seeded so a run repeats)
go into one raw-IP pcap. tshark reads it twice, with its CARP dissector (`-d ip.proto==112,carp`)
and with its default VRRP one; `rcnet decode HEX` (in process) reads each packet. Each side's
verdict is "ok" (decoded, well-formed, checksum good) or not; where both say ok, the header fields
(CARP version, vhid, advskew, advbase; VRRPv3 version, VRID, priority, address count, interval)
must agree too. Every disagreement is counted by kind, with up to five examples (hex and both
readings). `python -m tools.fuzz.differential [CORPUS_DIR]`.
"""

from __future__ import annotations

import json
import random
import struct
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from rcnet.carp import packet, wire
from tools.fuzz import vectors
from tools.fuzz.oracle_packet import decode_packet_input
from tools.fuzz.oracle_rcconf import run_cli

MUTANTS = 3000
CARP_FIELDS = ["carp.version", "carp.vhid", "carp.advskew", "carp.adver_int"]
CARP_FIELDS += ["carp.checksum.status", "_ws.malformed"]
VRRP_FIELDS = ["vrrp.version", "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.addr_count"]
VRRP_FIELDS += ["vrrp.short_adver_int", "vrrp.checksum.status", "_ws.malformed"]


#: tshark's CARP dissector takes a packet as CARP only with type 1 and authlen 7 (its heuristic;
#: carp.md "Wireshark fields"); FreeBSD's receivers check neither, only the version (carp.md
#: §1.2 and its rule 10), and `rcnet decode` shows both fields as they are: a known
#: difference, counted apart
EXPLAINED_AUTHLEN = "explained: tshark needs type 1 and authlen 7, FreeBSD checks neither"


def is_ipv4_carp(data: bytes) -> bool:
    try:
        ip = packet.parse_ip(data)
    except wire.WireError:
        return False
    return ip.version == 4 and ip.proto == wire.IPPROTO_CARP and len(data) >= 20


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One advert with a few bytes of its IP payload changed, cut short or lengthened; the IP
    header kept valid (total length, checksum) so both sides see protocol 112; half the time
    the advert's own checksum is made good again, so that more than the checksum is compared."""
    ihl = (data[0] & 0x0F) * 4
    head, body = bytearray(data[:ihl]), bytearray(data[ihl:])
    for _ in range(rng.randint(1, 4)):
        what = rng.random()
        if what < 0.6 and body:
            body[rng.randrange(len(body))] = rng.randrange(256)
        elif what < 0.8 and body:
            del body[rng.randrange(len(body)) :]
        else:
            body += bytes(rng.randrange(256) for _ in range(rng.randint(1, 24)))
    if len(body) >= 8 and rng.random() < 0.5:
        fix_checksum(bytes(head[12:16]), bytes(head[16:20]), body)
    struct.pack_into("!H", head, 2, ihl + len(body))
    struct.pack_into("!H", head, 10, 0)
    struct.pack_into("!H", head, 10, wire.inet_checksum(bytes(head)))
    return bytes(head + body)


def fix_checksum(src: bytes, dst: bytes, body: bytearray) -> None:
    """CARP's checksum over its payload; VRRPv3's with the IPv4 pseudo-header (RFC 5798)."""
    body[6:8] = b"\0\0"
    pseudo = src + dst + struct.pack("!BBH", 0, wire.IPPROTO_CARP, len(body))
    covered = pseudo + bytes(body) if body[0] >> 4 == 3 else bytes(body)
    struct.pack_into("!H", body, 6, wire.inet_checksum(covered))


def adverts(corpus: Path | None, count: int = MUTANTS, seed: int = 0) -> list[bytes]:
    """The corpus's IPv4 protocol-112 packets and `count` mutations of the vector adverts."""
    out: list[bytes] = []
    if corpus is not None and corpus.is_dir():
        for path in sorted(corpus.iterdir()):
            data = decode_packet_input(path.read_bytes()).data
            if is_ipv4_carp(data):
                out.append(data)
    bases = [p for p in vectors.ip_packets() if is_ipv4_carp(p)]
    rng = random.Random(seed)
    out += [mutate(rng.choice(bases), rng) for _ in range(count)]
    return out


def write_pcap(path: Path, packets: list[bytes]) -> None:
    """Raw IP (link type 101), one record per packet."""
    with path.open("wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
        for i, data in enumerate(packets):
            f.write(struct.pack("<IIII", i, 0, len(data), len(data)) + data)


def tshark(path: Path, fields: list[str], carp: bool) -> list[dict[str, str]]:
    argv = ["tshark", "-r", str(path), "-T", "fields", "-E", "occurrence=f"]
    argv += ["-d", "ip.proto==112,carp"] if carp else []
    for f in ["frame.number", *fields]:
        argv += ["-e", f]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=True)
    rows = [line.split("\t") for line in done.stdout.splitlines()]
    return [dict(zip(["n", *fields], row, strict=True)) for row in rows]


def rcnet_decode(data: bytes) -> dict[str, Any]:
    code, out, err = run_cli(["decode", data.hex()])
    lines = out.splitlines()
    if len(lines) != 1:
        return {"error": f"exit {code}: {len(lines)} lines of output; {err.strip()}"}
    result: dict[str, Any] = json.loads(lines[0])
    return result


def rcnet_ok(mine: dict[str, Any]) -> bool:
    return "error" not in mine and mine.get("checksum_ok") is True


def tshark_ok(fields: dict[str, str], prefix: str) -> bool:
    status = fields.get(f"{prefix}.checksum.status")
    return (
        bool(fields.get(f"{prefix}.version"))
        and not fields.get("_ws.malformed")
        and (status == "1")
    )


def compare(data: bytes, mine: dict[str, Any], carp: dict[str, str], vrrp: dict[str, str]) -> str:
    """'agree', or the kind of disagreement."""
    ihl = (data[0] & 0x0F) * 4
    version = data[ihl] >> 4 if len(data) > ihl else None
    theirs, prefix = (vrrp, "vrrp") if version == 3 else (carp, "carp")
    ok, their_ok = rcnet_ok(mine), tshark_ok(theirs, prefix)
    if ok != their_ok:
        odd = (mine.get("authlen"), mine.get("type")) != (wire.CARP_AUTHLEN, 1)
        if ok and prefix == "carp" and odd:
            return EXPLAINED_AUTHLEN
        return "only-rcnet-accepts" if ok else "only-tshark-accepts"
    if not ok:
        return "agree"
    if prefix == "carp":
        got = [carp.get(f) for f in CARP_FIELDS[:4]]
        want = [str(mine.get(k)) for k in ("version", "vhid", "advskew", "advbase")]
    else:
        got = [vrrp.get(f) for f in VRRP_FIELDS[:5]]
        want = [str(mine.get(k)) for k in ("version", "vrid", "priority", "count", "interval")]
    return "agree" if got == want else "fields-differ"


def run(corpus: Path | None = None, count: int = MUTANTS) -> dict[str, Any]:
    packets = adverts(corpus, count)
    with tempfile.TemporaryDirectory(prefix="rcnet-differential-") as tmp:
        path = Path(tmp) / "adverts.pcap"
        write_pcap(path, packets)
        carp = {r["n"]: r for r in tshark(path, CARP_FIELDS, carp=True)}
        vrrp = {r["n"]: r for r in tshark(path, VRRP_FIELDS, carp=False)}
    tally: dict[str, int] = {}
    examples: dict[str, list[dict[str, Any]]] = {}
    for i, data in enumerate(packets, start=1):
        mine = rcnet_decode(data)
        verdict = compare(data, mine, carp.get(str(i), {}), vrrp.get(str(i), {}))
        tally[verdict] = tally.get(verdict, 0) + 1
        if verdict != "agree" and len(examples.setdefault(verdict, [])) < 5:
            examples[verdict].append(
                {
                    "hex": data.hex(),
                    "rcnet": mine,
                    "tshark_carp": carp.get(str(i)),
                    "tshark_vrrp": vrrp.get(str(i)),
                }
            )
    unexplained = sum(n for k, n in tally.items() if k not in ("agree", EXPLAINED_AUTHLEN))
    return {
        "packets": len(packets),
        "unexplained_disagreements": unexplained,
        "from_corpus": len(packets) - count,
        "mutants": count,
        "verdicts": tally,
        "disagreement_examples": examples,
    }


if __name__ == "__main__":
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    print(json.dumps(run(corpus), indent=1))
