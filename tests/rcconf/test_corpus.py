"""The shared corpus of real rc.conf files: no exception, and the quirks SOURCES.md lists.

The corpus lives outside the repository: RCNET_CORPUS, by default ../shared/corpus next to
the checkout. Files are read in place, never copied.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rcnet.rcconf.env import LoadedHost
from rcnet.rcconf.load import load_host

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("RCNET_CORPUS", ROOT.parent / "shared" / "corpus"))
FILES = sorted(CORPUS.glob("*.conf")) if CORPUS.is_dir() else []

pytestmark = pytest.mark.skipif(
    not FILES, reason=f"no rc.conf corpus at {CORPUS} (set RCNET_CORPUS to its directory)"
)

#: files whose only findings come from the quirks below; every other real file is clean
QUIRKY = {"04", "06", "11", "16", "32", "33", "44", "45", "46", "47"}


def host(number: str) -> LoadedHost:
    (path,) = [f for f in FILES if f.name.startswith(number + "-")]
    return load_host(str(path))


def at(h: LoadedHost, code: str) -> list[tuple[int, str]]:
    return [(f.loc.line if f.loc else 0, f.severity) for f in h.findings if f.code == code]


@pytest.mark.parametrize("path", FILES, ids=[f.name[:2] for f in FILES])
def test_every_file_loads(path: Path) -> None:
    h = load_host(str(path))
    assert h.files == (str(path),)
    for v in h.base.values.values():
        if v.text is not None and v.positions:
            assert len(v.positions) == len(v.text)
    if path.name[:2] not in QUIRKY:
        assert [f.format() for f in h.findings] == []


def test_04_unterminated_quote() -> None:
    h = host("04")
    assert at(h, "SH03") == [(36, "error")]
    (f,) = h.findings
    assert "sshd_flags" in f.message and "swallows" in f.message
    # the rest is still read
    assert h.base.text("sshd_ecdsa_enable") == "NO"
    assert h.base.text("ifconfig_DEFAULT") == "DHCP"


def test_06_duplicate_key() -> None:
    assert at(host("06"), "SH05") == [(42, "info")]


def test_11_include_is_named() -> None:
    (f,) = host("11").findings
    assert (f.code, f.severity) == ("SH04", "warning")
    assert "/usr/local/etc/rc.conf" in f.message


def test_16_pasted_prompt() -> None:
    h = host("16")
    (f,) = h.findings
    assert (f.code, f.loc and f.loc.line) == ("SH04", 1)
    assert "prompt" in f.message
    assert h.base.text("hostname") == "barokah"
    assert h.base.text("ifconfig_mce0_alias0") == "ether 24:8A:07:A8:FE:BA"


def test_29_self_reference_extends_quietly() -> None:
    h = host("29")
    assert h.findings == ()
    assert h.base.text("kld_list") == "/boot/modules/i915kms.ko aesni geom_eli fuse coretemp cpuctl"


def test_31_self_reference_of_a_never_set_variable() -> None:
    h = host("31")
    assert h.findings == ()
    assert h.base.text("cron_flags") == " -J 15"


def test_32_variable_set_three_times() -> None:
    h = host("32")
    assert sorted(line for line, _ in at(h, "SH05")) == [5, 22, 70]
    assert (h.base.text("ifconfig_re0") or "").startswith("ether")


def test_33_sysrc_lines() -> None:
    h = host("33")
    assert at(h, "SH04") == [(18, "warning"), (19, "warning")]
    assert all("sysrc" in f.message for f in h.findings)
    assert h.base.text("devd_enable") == "YES"  # set by the line after, not by sysrc


def test_38_helper_variable() -> None:
    h = host("38")
    assert h.findings == ()
    assert all(v.text is not None for v in h.base.values.values())


def test_44_template_append() -> None:
    h = host("44")
    assert {f.code for f in h.findings} == {"SH04"}
    assert all("template" in f.message for f in h.findings)
    assert h.base.text("cloned_interfaces") is None  # "$cloned_interfaces {{ interface }}"


def test_45_jinja_conditionals() -> None:
    h = host("45")
    block = [f for f in h.findings if "block" in f.message]
    assert len(block) == 1 and block[0].loc is not None and block[0].loc.line == 16
    assert "ipv6_static_routes (line 17)" in block[0].message
    assert "ipv6_defaultrouter (line 21)" in block[0].message
    assert h.base.text("ipv6_defaultrouter") == "NO"
    assert h.base.history["ipv6_defaultrouter"][-1].conditional
    assert all(f.severity != "error" for f in h.findings)


def test_46_jinja_loops() -> None:
    h = host("46")
    blocks = [f.loc.line for f in h.findings if f.loc and "block" in f.message]
    assert blocks == [15, 20]


def test_47_templated_hostname() -> None:
    h = host("47")
    assert h.base.text("hostname") is None
    assert at(h, "SH04") == [(2, "warning")]
    assert h.base.text("ifconfig_wlan0") == "WPA DHCP"
