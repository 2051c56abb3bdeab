"""The builder behind the real rc.conf reader (rcnet.rcconf.load): same models, same findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lab import corpus

from rcnet.build import build_host

from .helpers import build
from .test_fixtures import RULES, expected, found


def test_worked_example_that_needs_the_reader(tmp_path: Path) -> None:
    conf = tmp_path / "rc.conf"
    conf.write_text(
        'net="10.9.8"; ifconfig_em3="inet ${net}.1/24"\n'
        'cloned_interfaces="${cloned_interfaces} gif0"\n'
        "hostname=`cat /etc/myname`\n"
    )
    from rcnet.rcconf.load import load_host

    host, findings = build_host(load_host(str(conf)))
    em3 = host.interface("em3")
    assert em3 is not None and [str(a.interface) for a in em3.addresses] == ["10.9.8.1/24"]
    assert host.hostname is None  # unknown: the reader does not run the command
    assert host.name == tmp_path.name
    assert [f.code for f in findings if f.code == "CL01"] == ["CL01"]


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.stem)
def test_fixtures_agree_with_the_test_reader(path: Path) -> None:
    from rcnet.rcconf.load import load_host

    host, findings = build_host(load_host(str(path)))
    assert found(findings, path) == expected(path)
    mine, _ = build(path.read_text(), path=str(path))
    assert json.dumps(host.to_json(), sort_keys=True) == json.dumps(mine.to_json(), sort_keys=True)


@pytest.mark.skipif(not corpus.FILES, reason=corpus.ABSENT)
def test_corpus_builds_without_errors_of_ours() -> None:
    from rcnet.rcconf.load import load_host

    for path in corpus.FILES:
        host, findings = build_host(load_host(str(path)))
        assert host.name
        for f in findings:
            assert f.message and "Traceback" not in f.message
            assert f.loc is None or f.loc.line >= 1
