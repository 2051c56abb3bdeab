"""Mutated real rc.conf files through read_host, lint_hosts and check's JSON and text output.

tests/rcconf/test_robust.py feeds the reader alone with random bytes and made-up lines; here
the inputs are real files (the Handbook, the rule fixtures, the shared corpus when present)
damaged the way files get damaged (a flipped byte, a line pasted elsewhere, a stray quote, CRLF
endings, a BOM, a cut), and the whole `rcnet check` path must hold `oracle_rcconf`'s
properties: no exception, well-formed findings and output, the right exit status, no pass.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tools.fuzz.oracle_rcconf import (
    DIR_FILES,
    HostInput,
    PropertyViolation,
    Rendering,
    check_hosts,
    check_pass_leaks,
    materialize,
    render,
    suspected_leaks,
)
from tools.fuzz.seeds import HANDBOOK, rc_conf_files

from .known import known_bug

HANDBOOK_TEXTS = [p.read_bytes() for p in sorted(HANDBOOK.glob("*.conf"))]
REAL_TEXTS = [p.read_bytes() for p in rc_conf_files()]
QUOTES = [b'"', b"'", b"`", b"\\", b"$(", b"${", "\u201c".encode(), b"#", b"\\\n"]
BOM = b"\xef\xbb\xbf"
SETTINGS = settings(
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def damage(draw: st.DrawFn, text: bytes) -> bytes:
    """One to four of the damages real files suffer."""
    data = text
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "splice", "quote", "crlf", "cr", "bom", "cut"]))
        at = draw(st.integers(0, len(data)))
        if kind == "flip" and data:
            i = min(at, len(data) - 1)
            data = data[:i] + bytes([data[i] ^ (1 << draw(st.integers(0, 7)))]) + data[i + 1 :]
        elif kind == "splice":
            lines = draw(st.sampled_from(REAL_TEXTS)).split(b"\n")
            line = draw(st.sampled_from(lines))
            start = data.rfind(b"\n", 0, at) + 1
            data = data[:start] + line + b"\n" + data[start:]
        elif kind == "quote":
            data = data[:at] + draw(st.sampled_from(QUOTES)) + data[at:]
        elif kind == "crlf":
            data = data.replace(b"\n", b"\r\n")
        elif kind == "cr":
            data = data[:at] + b"\r" + data[at:]
        elif kind == "bom":
            data = BOM + data if draw(st.booleans()) else data[:at] + BOM + data[at:]
        else:
            data = data[:at]
    return data


@st.composite
def damaged_file(draw: st.DrawFn, texts: Sequence[bytes] = REAL_TEXTS) -> bytes:
    return draw(damage(draw(st.sampled_from(list(texts)))))


def holds(hosts: list[HostInput]) -> Rendering | None:
    """check_hosts, with the open bugs of known.py stepped past (None then)."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            return check_hosts(hosts, Path(tmp))
        except PropertyViolation as exc:
            if known_bug(exc):
                return None
            raise


def single(data: bytes, name: str = "host.conf") -> HostInput:
    return HostInput(False, ((name, data),))


@SETTINGS
@given(damaged_file())
def test_damaged_real_file(data: bytes) -> None:
    holds([single(data)])


@SETTINGS
@given(st.tuples(*(damaged_file([t]) for t in HANDBOOK_TEXTS)), st.integers(0, 2))
def test_damaged_handbook_hosts_checked_together(texts: tuple[bytes, ...], clean: int) -> None:
    # one host stays as published, so the cross-host rules always have a real peer
    hosts = [
        single(HANDBOOK_TEXTS[i] if i == clean else t, f"host{i}.conf") for i, t in enumerate(texts)
    ]
    r = holds(hosts)
    if r is not None:
        assert len(r.checked) + len(r.errors) == len(hosts)


@SETTINGS
@given(
    damaged_file(HANDBOOK_TEXTS),
    damaged_file(),
    damage(b'ifconfig_fxp0_alias0="inet vhid 9 pass netifpass 192.168.1.59/32"\n'),
    damage(b"net.inet.carp.preempt=1\nnet.inet.carp.demotion=10\n"),
)
def test_damaged_etc_directory(rc: bytes, local: bytes, netif: bytes, sysctl: bytes) -> None:
    local += b'\nrc_conf_files="/etc/rc.conf /etc/rc.conf.local /etc/rc.conf.more"\n'
    holds([HostInput(True, tuple(zip(DIR_FILES, (rc, local, netif, sysctl), strict=False)))])


def test_the_oracle_catches_a_printed_pass(tmp_path: Path) -> None:
    """The leak check is not vacuous: a pass that shows up in any output is reported."""
    hosts = [single(HANDBOOK_TEXTS[0])]
    r = render(materialize(hosts, tmp_path))
    assert suspected_leaks(r) == []
    r.outputs["check-text"] += '    ifconfig_carp0="vhid 1 pass testpass 192.168.1.50/24"\n'
    assert [s for s, _ in suspected_leaks(r)] == ["testpass"]
    with pytest.raises(PropertyViolation) as caught:
        check_pass_leaks(r, hosts, tmp_path)
    assert caught.value.name == "pass-value-printed[source-line]"


def test_clean_handbook_holds_every_property(tmp_path: Path) -> None:
    r = check_hosts([single(t, f"h{i}.conf") for i, t in enumerate(HANDBOOK_TEXTS)], tmp_path)
    assert [c.name for c in r.checked] == [
        "hosta.example.org",
        "hostb.example.org",
        "provider.example.org",
    ]
    assert set(r.codes.values()) == {0} and len(r.codes) == 2 + 3 * 2
