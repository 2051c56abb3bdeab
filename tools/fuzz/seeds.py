"""Seed corpora and dictionaries, written into a temporary directory at run time.

rc.conf seeds come from the Handbook fixtures, the other fixtures and, when present, the shared
corpus (RCNET_CORPUS, default ../shared/corpus beside the checkout). They are copied into the
run's own directory, never into the repository. Packet seeds are the §2.5 vectors and valid
adverts (`vectors`). Each seed is already in its target's input format (`oracle_rcconf`,
`oracle_packet`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from tools.fuzz import vectors
from tools.fuzz.oracle_packet import PacketInput, encode_packet_input
from tools.fuzz.oracle_rcconf import MODE_DIRECTORY, MODE_FILE, MODE_HOSTS, SEP

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
HANDBOOK = FIXTURES / "handbook"


def corpus_dir() -> Path:
    """Where the shared corpus of real rc.conf files is (it may not exist)."""
    return Path(os.environ.get("RCNET_CORPUS", ROOT.parent / "shared" / "corpus"))


def rc_conf_files() -> list[Path]:
    """Every real rc.conf to seed with: Handbook first, then fixtures, then the corpus."""
    files = sorted(HANDBOOK.glob("*.conf"))
    files += sorted(p for p in FIXTURES.glob("*/*.conf") if p.parent != HANDBOOK)
    shared = corpus_dir()
    if shared.is_dir():
        files += sorted(shared.glob("*.conf"))
    return files


SYSCTL_SEED = b"net.inet.carp.preempt=1\nnet.inet.carp.log=2 # comment\n"
LOCAL_SEED = b'rc_conf_files="/etc/rc.conf /etc/rc.conf.local /etc/rc.conf.more"\n'
NETIF_SEED = b'ifconfig_fxp0_alias0="inet vhid 9 pass netifpass 192.168.1.59/32"\n'


def rc_conf_seeds() -> list[bytes]:
    """Inputs for fuzz_rcconf: each file alone, the Handbook as directories and together."""
    files = rc_conf_files()
    texts = [p.read_bytes() for p in files]
    seeds = [bytes([MODE_FILE]) + t for t in texts]
    handbook = [p.read_bytes() for p in sorted(HANDBOOK.glob("*.conf"))]
    for text in handbook + texts[len(handbook) : len(handbook) + 8]:
        parts = [text, LOCAL_SEED, NETIF_SEED, SYSCTL_SEED]
        seeds.append(bytes([MODE_DIRECTORY]) + SEP.join(parts))
    seeds.append(bytes([MODE_HOSTS]) + SEP.join(handbook))
    # the same vhid with another pass and address set: the cross-host rules' errors
    other = handbook[-1].replace(b"testpass", b"otherpass").replace(b".51/24", b".52/24")
    seeds.append(bytes([MODE_HOSTS]) + SEP.join([*handbook[:2], other]))
    return seeds


def packet_seeds() -> list[bytes]:
    """Inputs for fuzz_decoder: every engine and interface choice over the vector packets."""
    seeds: list[bytes] = []
    for i, data in enumerate(vectors.ip_packets()):
        for engine in (0, 1):
            seeds.append(encode_packet_input(PacketInput(engine, i % 2 == 1, 0, data)))
    for data in vectors.frames() + vectors.bare_headers():
        seeds.append(encode_packet_input(PacketInput(0, False, 0, data)))
    seeds.append(encode_packet_input(PacketInput(0, True, 2, vectors.ip_packets()[1])))
    return seeds


#: libFuzzer dictionary words: what the rc.conf reader and the ifconfig parser key on
RC_CONF_WORDS = (
    "ifconfig_",
    "_alias0",
    "_aliases",
    "_ipv6",
    "_name",
    "cloned_interfaces",
    "network_interfaces",
    "rc_conf_files",
    "static_routes",
    "route_",
    "defaultrouter",
    "hostname",
    "gateway_enable",
    "netif_ipexpand_max",
    "ipv4_addrs_",
    " inet ",
    " inet6 ",
    " alias ",
    " vhid ",
    " advskew ",
    " advbase ",
    " pass ",
    " state master",
    " carpver 3",
    " vrrpprio ",
    " peer ",
    " netmask 0xffffff00",
    "/24",
    "-9/32",
    "192.168.1.50",
    "2001:db8::1/64",
    "carp0",
    "DHCP",
    "NOAUTO",
    "${",
    "$(",
    "`",
    ":-",
    "\\\n",
    "\r\n",
    "\ufeff",
    "\u201c",
    "if [ ",
    "; then",
    "fi",
    "case ",
    "esac",
    "() {",
    ". /etc/",
    "net.inet.carp.",
    "YES",
)


def _dict_line(word: bytes) -> str:
    escaped = "".join(chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\x{b:02x}" for b in word)
    return f'"{escaped}"'


def write_dictionary(path: Path, words: Iterable[bytes]) -> Path:
    path.write_text("".join(_dict_line(w) + "\n" for w in words), encoding="ascii")
    return path


def rc_conf_dictionary() -> list[bytes]:
    return [w.encode() for w in RC_CONF_WORDS] + [SEP]


def packet_dictionary() -> list[bytes]:
    return [
        b"\x21\x01",
        b"\x31\x04",
        b"\x45\xe0",
        b"\x60\x00",
        b"\x81\x00",
        b"\x08\x00",
        b"\x86\xdd",
        b"\xe0\x00\x00\x12",
        b"\xc0\xa8\x01\x32",
        b"\xff\x70",
    ]


def write_corpus(directory: Path, seeds: Iterable[bytes]) -> int:
    """Each seed as a file named by its hash (libFuzzer's own convention); the count."""
    directory.mkdir(parents=True, exist_ok=True)
    n = 0
    for seed in seeds:
        (directory / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
        n += 1
    return n
