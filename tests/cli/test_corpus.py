"""`check` and `show` over the corpus of rc.conf files written by people.

The corpus lives outside the repository (RCNET_CORPUS, by default ../shared/corpus next to
the checkout). Every file goes through the whole front end, the JSON and text renderings, and
the findings a FreeBSD admin would expect for the quirks SOURCES.md lists.
"""

from __future__ import annotations

import io
import json
import os
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from rcnet.cli import main
from rcnet.hosts import CheckedHost, read_host

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("RCNET_CORPUS", ROOT.parent / "shared" / "corpus"))
FILES = sorted(CORPUS.glob("*.conf")) if CORPUS.is_dir() else []

pytestmark = pytest.mark.skipif(
    not FILES, reason=f"no rc.conf corpus at {CORPUS} (set RCNET_CORPUS to its directory)"
)


def by_prefix(prefix: str) -> Path:
    return next(p for p in FILES if p.name.startswith(prefix))


def codes(checked: CheckedHost) -> set[str]:
    return {f.code for f in checked.findings}


def run_cli(*args: str) -> tuple[int, str]:
    buf = io.StringIO()
    with redirect_stdout(buf):
        status = main(list(args))
    return status, buf.getvalue()


@pytest.mark.parametrize("path", FILES, ids=[p.name[:2] for p in FILES])
def test_every_file_checks_and_shows(path: Path) -> None:
    status, text = run_cli("check", "--source", "always", str(path))
    assert text.rstrip().endswith("(1 host)")
    status_json, out = run_cli("check", "--format", "json", str(path))
    findings = json.loads(out)["findings"]
    # cli.md: exit 1 when at least one finding is an error, else 0 (whatever the output form)
    assert status == status_json == int(any(f["severity"] == "error" for f in findings))
    for f in findings:
        assert f["severity"] in ("error", "warning", "info")
        assert f["line"] is None or f["line"] >= 1
    status, out = run_cli("show", "--json", str(path))
    assert status == 0
    model = json.loads(out)
    assert {"hostname", "interfaces", "vhids"} <= model.keys()


def test_quirks_get_the_findings_an_admin_expects() -> None:
    assert "SH03" in codes(read_host(str(by_prefix("04"))))  # unterminated quote
    pasted = read_host(str(by_prefix("16")))  # a pasted shell prompt on line 1
    assert any(f.loc and f.loc.line == 1 for f in pasted.findings)
    assert "IF01" in codes(pasted)  # "UP mtu 9000": ifconfig takes UP for an address
    sysrc = read_host(str(by_prefix("33")))
    assert any("sysrc" in f.message for f in sysrc.findings)
    include = read_host(str(by_prefix("11")))
    assert any(f.code == "SH04" and "include" in f.message for f in include.findings)
    for prefix in ("44", "45", "46", "47"):
        template = read_host(str(by_prefix(prefix)))
        assert any("template" in f.message.lower() for f in template.findings), prefix
    assert "LX01" in codes(read_host(str(by_prefix("27"))))  # WPA DHCP on a wlan


def test_no_misspelling_alarms_on_real_files() -> None:
    """Real files use hundreds of service variables; SH08 must stay quiet on them."""
    noisy = [
        f"{p.name}: {f.message}"
        for p in FILES
        for f in read_host(str(p)).findings
        if f.code == "SH08"
    ]
    assert noisy == []


def test_renamed_interfaces_are_configured_under_their_new_name() -> None:
    host = read_host(str(by_prefix("13"))).host
    names = [i.name for i in host.interfaces]
    assert "ajdns" in names and "tap0" not in names
