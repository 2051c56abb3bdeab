"""`rcnet simulate` and `rcnet decode` end to end (in-process), on the Handbook fixtures."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest

from rcnet.carp import packet, wire
from rcnet.cli import main
from rcnet.model import carp_key

ROOT = Path(__file__).resolve().parents[2]
HB = ROOT / "fixtures" / "handbook"
HOSTS = [str(HB / f"{n}.conf") for n in ("hosta", "hostb", "provider")]
V1 = "210100070001a4f40000000000000001c081b12350147c5791042a1d4ebae5a4ae5b5e13"
V1_IP = "45e0 0038 1234 4000 ff70 c683 c0a80103 e0000012 " + V1
A = ipaddress.ip_address


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


# --- simulate -------------------------------------------------------------------------------


def test_simulate_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "simulate", *HOSTS, "--event", "10.5:kill hosta", "--for", "20")
    assert code == 0 and err == ""
    assert out.splitlines()[-4:] == [
        "13.390625 provider.example.org 1@carp0 BACKUP -> MASTER (master timed out)",
        "masters at 20.000000:",
        "  1@192.168.1.0/24 provider.example.org",
        "  2@192.168.1.0/24 hostb.example.org",
    ]


def test_simulate_json_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", *HOSTS, "--json", "--event", "5:loss 50", "--for", "90", "--seed", "5"]
    code, first, _ = run(capsys, *argv)
    _, second, _ = run(capsys, *argv)
    assert code == 0 and first == second
    rows = [json.loads(line) for line in first.splitlines()]
    assert list(rows[0]) == ["t", "host", "vhid", "interface", "from", "to", "reason"]
    assert rows[0] == {
        "t": 0.0,
        "host": "hosta.example.org",
        "vhid": 1,
        "interface": "carp0",
        "from": "INIT",
        "to": "BACKUP",
        "reason": "initialization complete",
    }
    assert list(rows[-1]) == ["summary"]
    assert sorted(rows[-1]["summary"]) == ["1@192.168.1.0/24", "2@192.168.1.0/24"]


def test_simulate_stop_and_preempt(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        capsys,
        "simulate",
        *HOSTS,
        "--json",
        "--preempt",
        "--event",
        "10:stop hosta",
        "--event",
        "20:start hosta",
        "--for",
        "30",
    )
    rows = [json.loads(line) for line in out.splitlines()]
    takeover = [r for r in rows if r.get("reason") == "preempting a slower master"]
    assert [(r["host"], r["t"]) for r in takeover] == [
        ("provider.example.org", 10.0),
        ("hosta.example.org", 21.125),
    ]
    assert rows[-1] == {
        "summary": {
            "1@192.168.1.0/24": ["hosta.example.org"],
            "2@192.168.1.0/24": ["hostb.example.org"],
        }
    }


@pytest.mark.parametrize(
    "extra",
    [
        ["--event", "5:explode hosta"],
        ["--event", "5:kill nobody"],
        ["--event", "5:down hosta:em9"],
        ["--for", "soon"],
        ["--for", "-1"],
        ["--seed", "x"],
    ],
)
def test_simulate_usage_errors(capsys: pytest.CaptureFixture[str], extra: list[str]) -> None:
    code, out, err = run(capsys, "simulate", *HOSTS, *extra)
    assert code == 2 and out == ""
    assert err.startswith("rcnet") and len(err.splitlines()) == 1


def test_simulate_missing_host(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "simulate", str(tmp_path / "nope.conf"))
    assert code == 2 and out == "" and "nope.conf" in err


def test_simulate_runs_what_check_rejects_and_warns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "other.conf"
    text = (HB / "provider.conf").read_text().replace("pass testpass", "pass s3cretZ", 1)
    bad.write_text(text)
    code, out, err = run(capsys, "simulate", HOSTS[0], str(bad), "--for", "10")
    assert code == 0
    # A pass mismatch splits the brain: both hosts MASTER of vhid 1.
    assert "  1@192.168.1.0/24 hosta.example.org, provider.example.org" in out.splitlines()
    assert "warning:" in err and "[CA05]" in err and "s3cretZ" not in err


# --- decode ---------------------------------------------------------------------------------


def test_decode_bare_header_unchecked(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "decode", V1)
    assert code == 0
    assert json.loads(out) == {
        "src": None,
        "dst": None,
        "ttl": None,
        "version": 2,
        "type": 1,
        "vhid": 1,
        "advskew": 0,
        "authlen": 7,
        "demote": 0,
        "advbase": 1,
        "checksum_ok": True,
        "counter": 1,
        "hmac": "c081b12350147c5791042a1d4ebae5a4ae5b5e13",
        "auth": "unchecked",
    }


def test_decode_ip_with_pass_and_with_rc(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "decode", "--pass", "testpass", "--vip", "192.168.1.50", V1_IP)
    got = json.loads(out)
    assert code == 0 and got["auth"] == "ok" and got["src"] == "192.168.1.3" and got["ttl"] == 255
    frame = "01:00:5e:00:00:12 00:00:5e:00:01:01 08:00 " + V1_IP
    code, out, _ = run(capsys, "decode", "--rc", HOSTS[2], frame)
    assert code == 0 and json.loads(out)["auth"] == "ok"


def test_decode_bad_auth_bad_checksum_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "decode", "--pass", "nope", "--vip", "192.168.1.50", V1)
    assert code == 1 and json.loads(out)["auth"] == "bad"
    flipped = V1[:12] + "a4f5" + V1[16:]
    code, out, _ = run(capsys, "decode", flipped)
    assert code == 1 and json.loads(out)["checksum_ok"] is False
    code, out, _ = run(capsys, "decode", V1, "zz", V1[:70], "41" + V1[2:])
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and len(rows) == 4
    assert rows[0]["auth"] == "unchecked"
    assert rows[1] == {"error": "argument 2: not hexadecimal"}
    assert rows[2] == {"error": "argument 3: short CARP header: 35 bytes, need 36"}
    assert "neither CARP" in rows[3]["error"]


def test_decode_vrrp(capsys: pytest.CaptureFixture[str]) -> None:
    src = ipaddress.IPv4Address("192.168.1.3")
    vrrp = wire.build_vrrp(7, 150, 100, [A("192.168.1.50")], src, wire.CARP_GROUP4)
    dgram = packet.build_ipv4(src, wire.CARP_GROUP4, vrrp)
    code, out, _ = run(capsys, "decode", dgram.hex())
    assert code == 0
    assert json.loads(out) == {
        "src": "192.168.1.3",
        "dst": "224.0.0.18",
        "ttl": 255,
        "version": 3,
        "type": 1,
        "vrid": 7,
        "priority": 150,
        "count": 1,
        "interval": 100,
        "checksum_ok": True,
        "addresses": ["192.168.1.50"],
    }


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--pass", "x", V1],
        ["--vip", "192.168.1.50", V1],
        ["--pass", "x", "--vip", "nonsense", V1],
        ["--pcap", "/nonexistent.pcap"],
        ["--pcap", "x.pcap", V1],
    ],
)
def test_decode_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, "decode", *argv)
    assert code == 2 and out == "" and len(err.splitlines()) == 1


def _pcap(path: Path, linktype: int, frames: list[bytes]) -> str:
    from scapy import utils

    w = utils.RawPcapWriter(str(path), linktype=linktype)
    for f in frames:
        w.write(f)
    w.close()
    return str(path)


def _v1_dgram() -> bytes:
    auth = wire.CarpAuth(carp_key("testpass"), 1, [A("192.168.1.50")])
    hdr = wire.build_carp(auth, 1, 1, 0, 1)
    return packet.build_ipv4(
        ipaddress.IPv4Address("192.168.1.3"), wire.CARP_GROUP4, hdr, ident=0x1234
    )


def test_decode_pcap_kinds(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    dgram = _v1_dgram()
    eth = packet.build_ethernet(
        packet.multicast_mac(wire.CARP_GROUP4), packet.virtual_mac(1), dgram
    )
    arp = bytes(12) + b"\x08\x06" + bytes(28)
    tcp = bytearray(dgram)
    tcp[9] = 6
    files = [
        _pcap(
            tmp_path / "eth.pcap",
            1,
            [eth, arp, packet.build_ethernet(bytes(6), bytes(6), bytes(tcp))],
        ),
        _pcap(tmp_path / "raw.pcap", 101, [dgram]),
        _pcap(tmp_path / "sll.pcap", 113, [bytes(14) + b"\x08\x00" + dgram]),
    ]
    for f in files:
        code, out, err = run(capsys, "decode", "--pcap", f, "--rc", HOSTS[0])
        rows = [json.loads(line) for line in out.splitlines()]
        assert code == 0, err
        assert [(r["vhid"], r["auth"], r["checksum_ok"]) for r in rows] == [(1, "ok", True)]


def test_decode_damaged_pcap(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    dgram = _v1_dgram()
    whole = _pcap(tmp_path / "a.pcap", 101, [dgram, dgram])
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(Path(whole).read_bytes()[:-10])
    code, out, err = run(capsys, "decode", "--pcap", str(cut))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and err == ""
    assert rows[0]["auth"] == "unchecked" and "packet 2" in rows[1]["error"]
    junk = tmp_path / "junk.pcap"
    junk.write_bytes(b"not a capture at all")
    code, out, err = run(capsys, "decode", "--pcap", str(junk))
    assert code == 2 and out == "" and "junk.pcap" in err
