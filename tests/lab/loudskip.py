"""A skipped test is never silent (a pytest plugin, loaded by tests/conftest.py).

As root, where every test can run (`make test` installs what the tests use), a run with a skipped
test FAILS unless RCNET_ALLOW_SKIP names it: node ids or their prefixes, separated by spaces or
commas (`tests/cli/test_install.py` allows that file's skips). As another user the test summary
starts with a banner saying how many kernel tests (marked netns) did not run, and why.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator

import pytest


def allowed_skips() -> list[str]:
    """The node ids (or prefixes) RCNET_ALLOW_SKIP names."""
    return [w for w in re.split(r"[\s,]+", os.environ.get("RCNET_ALLOW_SKIP", "")) if w]


def is_allowed(nodeid: str, allowed: list[str]) -> bool:
    return any(nodeid == a or nodeid.startswith(a.rstrip(":/") + s) for a in allowed for s in ":/[")


def _skipped(session: pytest.Session) -> list[pytest.TestReport]:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return []
    return [r for r in reporter.stats.get("skipped", []) if isinstance(r, pytest.TestReport)]


def _reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


#: the skips that fail this run (filled at session finish, shown in the summary)
_refused: list[pytest.TestReport] = []


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    if os.geteuid() != 0:
        return
    allowed = allowed_skips()
    _refused[:] = [r for r in _skipped(session) if not is_allowed(r.nodeid, allowed)]
    if _refused and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> Generator[None]:
    skipped = _skipped(terminalreporter._session)  # type: ignore[attr-defined]
    write = terminalreporter.write_sep
    if os.geteuid() != 0:
        kernel = [r for r in skipped if "netns" in r.keywords]
        if kernel:
            reasons = sorted({_reason(r) for r in kernel})
            write("!", f"NOT A FULL RUN: {len(kernel)} kernel tests did not run", red=True)
            for reason in reasons:
                terminalreporter.write_line(f"  {reason}")
            terminalreporter.write_line("  (run as root: `make test` installs what they need)")
    elif _refused:
        write("!", f"{len(_refused)} skipped tests FAIL this run (running as root)", red=True)
        for report in _refused:
            terminalreporter.write_line(f"  {report.nodeid}: {_reason(report)}")
        terminalreporter.write_line(
            "  as root every test can run; to accept a skip name it in RCNET_ALLOW_SKIP"
            " (node ids or prefixes, space- or comma-separated)"
        )
    yield
