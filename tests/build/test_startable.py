"""One startable policy for check and start (rcnet.startable)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rcnet.findings import Finding
from rcnet.model import Host, Vhid
from rcnet.startable import blockers, model_blockers, startable

from .helpers import build, rcnet


def test_a_vhid_without_parent_blocks_even_without_a_finding() -> None:
    host = Host("h", None, "h.conf", vhids=(Vhid(1, "carp0", None, ()),))
    assert [f.code for f in model_blockers(host)] == ["CA09"]
    assert not startable([], host)
    assert startable([Finding("IF06", "warning", "x")], Host("h", None, "h.conf"))
    assert blockers([Finding("IF06", "warning", "x")], strict=True)


@pytest.mark.parametrize(
    "text",
    [
        'ifconfig_em0="inet 192.0.2.10/24"\n',
        'ifconfig_em0="inet 192.0.2.10/24"\ncloned_interfaces="carp0"\n'
        'ifconfig_carp0="vhid 1 10.9.9.9/24"\n',
        'ifconfig_em0="inet 192.0.2.10/24 weirdknob"\n',
    ],
)
def test_check_and_start_agree(tmp_path: Path, text: str) -> None:
    """check exits 0 exactly when start --dry-run gets past the policy."""
    conf = tmp_path / "h.conf"
    conf.write_text(text)
    check = rcnet("check", str(conf)).status
    host, findings = build(text)
    assert (check == 0) == startable(findings, host)
    if check != 0:
        start = rcnet("start", "--dry-run", str(conf))
        assert start.status == 1 and "nothing was changed" in start.out + start.err
