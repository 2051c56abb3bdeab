"""`rcnet reload` against a real daemon (applied, no change, refused, no daemon) and the journal
priorities of its log (sd-daemon(3): `<N>` prefixes when stderr is the JOURNAL_STREAM)."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import pytest
from daemon.rig import MASTER_DOWN, Rig, run_rcnet

from rcnet.journal import NOTICE_LEVEL, formatter, to_journal

PROVIDER_SKEW = 100


def journal_env(path: Path) -> dict[str, str]:
    """JOURNAL_STREAM naming `path`, as systemd names the socket it gives a service."""
    path.touch()
    st = os.stat(path)
    return {"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}


def test_formatter_prefixes_only_the_journal_stream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_file = tmp_path / "log"
    monkeypatch.setenv("JOURNAL_STREAM", journal_env(log_file)["JOURNAL_STREAM"])
    with log_file.open("a") as stream:
        assert to_journal(stream)
        fmt = formatter(stream)
        record = logging.LogRecord("rcnet", NOTICE_LEVEL, "", 0, "carp: 1@carp0: a\nb", None, None)
        assert fmt.format(record) == "<5>carp: 1@carp0: a\n<5>b"
        for level, tag in ((logging.ERROR, "<3>"), (logging.WARNING, "<4>"), (logging.INFO, "<6>")):
            record = logging.LogRecord("rcnet", level, "", 0, "x", None, None)
            assert fmt.format(record) == f"{tag}x"
    other = io.StringIO()  # no file descriptor: not the journal
    assert not to_journal(other)
    with (tmp_path / "other").open("a") as elsewhere:  # JOURNAL_STREAM names another file
        assert not to_journal(elsewhere)
        plain = formatter(elsewhere).format(
            logging.LogRecord("rcnet", NOTICE_LEVEL, "", 0, "x", None, None)
        )
        assert not plain.startswith("<") and plain.endswith(" x")


@pytest.mark.netns
def test_reload_answers_and_journal_priorities(rig: Rig, tmp_path: Path) -> None:
    conf = rig.conf("provider", "provider.conf")
    env = journal_env(tmp_path / "provider.log")  # the rig appends the daemon's stderr there
    daemon = rig.start("provider", conf, env=env)
    rig.wait_state("provider", 1, "MASTER", MASTER_DOWN[PROVIDER_SKEW] + 2)

    same = rig.rcnet("provider", "reload")
    assert same.returncode == 0, same.stderr
    assert same.stdout.strip()  # what the daemon answered ("no change")

    edit = rig.rcnet("provider", "sysrc", "-f", str(conf),
                     "ifconfig_carp1=vhid 2 advskew 50 pass testpass 192.168.1.51/24",
                     control=False)  # fmt: skip
    assert edit.returncode == 0, edit.stderr
    applied = rig.rcnet("provider", "reload")
    assert applied.returncode == 0, applied.stderr
    vhid2 = next(v for v in daemon.status()["vhids"] if v["vhid"] == 2)
    assert vhid2["advskew"] == 50

    broken = rig.rcnet("provider", "sysrc", "-f", str(conf), "--force",
                       "ifconfig_fxp0=inet 192.168.1.999/24", control=False)  # fmt: skip
    assert broken.returncode == 0, broken.stderr
    refused = rig.rcnet("provider", "reload")
    assert refused.returncode == 1
    assert "refused" in refused.stderr and "Traceback" not in refused.stderr
    # the daemon's findings, in check's form: the bad address, and the VIPs it strands (CA09)
    shown = refused.stdout.splitlines()
    assert shown and all(ln.startswith(f"{conf}:") and ln.endswith("]") for ln in shown), shown
    assert [ln for ln in shown if ln.startswith(f"{conf}:3:") and ln.endswith("[IF02]")]
    assert daemon.alive() and daemon.state(1) == "MASTER"  # kept running what it had

    nobody = run_rcnet(rig.lab, "provider", ["reload", "--control", str(tmp_path / "none.sock")])
    assert nobody.returncode == 3 and "no rcnet daemon" in nobody.stderr

    lines = daemon.log().splitlines()
    assert lines and all(ln[:3] in ("<3>", "<4>", "<5>", "<6>", "<7>") for ln in lines), lines
    assert any(ln.startswith("<5>carp: 1@carp0: ") and "-> MASTER" in ln for ln in lines)
    assert any(ln.startswith("<3>") and "reload refused" in ln for ln in lines)
    assert any(ln.startswith("<6>") for ln in lines)
