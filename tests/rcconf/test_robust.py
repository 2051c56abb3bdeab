"""Any bytes give findings, never an exception: load_host raises only HostError."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rcnet.rcconf import expand
from rcnet.rcconf.env import BinaryFileError, HostError, LoadedHost
from rcnet.rcconf.load import load_host, load_text

REAL_LOOKING = [
    'hostname="gw1.example.net"',
    'ifconfig_em0="inet 192.168.1.5 netmask 255.255.255.0"',
    "ifconfig_em0_alias0=\"inet vhid 1 advskew 100 pass 'p w' alias 192.168.1.50/32\"",
    'cloned_interfaces="${cloned_interfaces} carp0"',
    "defaultrouter=192.168.1.1",
    'kld_list="$kld_list if_wg"  # comment',
    "hostname=`cat /etc/myname`",
    "ifconfig_em4=inet 10.4.0.1/24",
    'ifconfig_em0.101="inet 10.101.0.1/24"',
    'gateway_enable = "YES"',
    "if [ -f /x ]; then a=1; fi",
    "f() {",
    "}",
    ". /usr/local/etc/rc.conf",
    "root@host:~ # cat /etc/rc.conf",
    'sysrc devd_enable="YES"',
    "{% if x %}",
    "{% endif %}",
    'ifconfig_{{ interface }}="{{ src }}"',
    ': ${a:=1} ${b?} ${c%%.*} $((1+2)) $(echo "x)")',
    'ifconfig_em1_aliases="\\',
    "\tinet 192.0.2.20-22/28 \\",
    '\tinet 192.0.2.40/32"',
    "case $x in a) b=1;; esac",
    "export a=1 b; readonly c=2; unset a",
    "x=a#b # c",
]
PIECES = [*"\"'`\\}()#;\n“\ufeff", "$(", "${", "\r\n", "{%"]


@st.composite
def rc_conf(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.sampled_from(REAL_LOOKING), max_size=12))
    text = "\n".join(lines)
    for _ in range(draw(st.integers(0, 5))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 3))
        text = text[:at] + draw(st.sampled_from(PIECES)) + text[at + cut :]
    data = text.encode()
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=8)) + data[at:]
    return data


def check(host: LoadedHost) -> None:
    """What every result must keep, however bad the input."""
    for env in (host.base, *host.scopes.values()):
        for values in env.history.values():
            for v in values:
                if v.text is not None and v.positions:
                    assert len(v.positions) == len(v.text)
    for f in host.findings:
        assert f.severity in ("error", "warning", "info")
        assert f.code and f.message
        if f.loc is not None and f.loc.file in host.sources:
            assert 1 <= f.loc.line <= len(host.sources[f.loc.file]) + 1
            assert f.loc.column >= 1 and f.length >= 1


def load(data: bytes, name: str = "rc.conf", directory: bool = False) -> LoadedHost:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            return load_host(tmp if directory else str(path))
        except BinaryFileError:  # a NUL byte: a binary file given by mistake (issue 12)
            assert b"\0" in data
            return load_text("")
        except HostError as exc:  # the only exception allowed, and not for a readable file
            raise AssertionError(f"HostError for a readable file: {exc}") from None


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    check(load(data))


@settings(deadline=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(rc_conf())
def test_mutated_real_looking_files(data: bytes) -> None:
    check(load(data))


@settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(rc_conf(), rc_conf(), st.binary(max_size=120))
def test_directories(rc: bytes, netif: bytes, sysctl: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "rc.conf.d").mkdir()
        (root / "rc.conf").write_bytes(rc + b'\nrc_conf_files="/etc/rc.conf /etc/rc.conf.local /x"')
        (root / "rc.conf.local").write_bytes(netif)
        (root / "rc.conf.d" / "netif").write_bytes(netif)
        (root / "sysctl.conf").write_bytes(b"net.inet.carp.preempt=1\n" + sysctl)
        check(load_host(tmp))


def test_deep_nesting_is_a_finding() -> None:
    n = 3000
    text = "a=" + "${x:-" * n + "y" + "}" * n + "\nb=" + '"$(echo ' * n + ')"' * n + "\nc=1\n"
    host = load(text.encode())
    check(host)
    assert host.base.text("c") == "1"
    assert any("nested too deeply" in f.message for f in host.findings)


def test_positions_budget_bounds_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(expand, "POSITIONS_BUDGET", 100)
    lines = [f'cloned_interfaces="${{cloned_interfaces}} tap{i}"' for i in range(40)]
    host = load("\n".join(lines).encode())
    history = host.base.history["cloned_interfaces"]
    assert history[1].positions and not history[-1].positions
    last = history[-1]
    assert last.text is not None and last.text.endswith("tap39")
    assert last.at(5) == last.value_loc


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=30))
def test_any_host_argument_is_a_host_or_a_host_error(name: str) -> None:
    name = name.replace("..", "_").lstrip("/")  # stay inside the temporary directory
    with tempfile.TemporaryDirectory() as tmp:
        loop = Path(tmp) / "loop"
        loop.symlink_to(loop)
        (Path(tmp) / "plain.conf").write_text("a=1\n")
        for path in (os.path.join(tmp, name), str(loop), os.path.join(tmp, "plain.conf", name)):
            try:
                check(load_host(path))
            except HostError as exc:
                assert exc.path == path and exc.reason
