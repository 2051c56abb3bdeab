"""tests/lab/loudskip.py: a skipped test fails a root run unless RCNET_ALLOW_SKIP names it; as
another user the summary opens with a banner counting the kernel tests that did not run."""

from __future__ import annotations

import os

import pytest

INNER = """
import pytest

pytest_plugins = ["lab.loudskip"]
"""
TESTS = """
import pytest

def test_runs():
    assert True

def test_plain_skip():
    pytest.skip("no such tool here")

@pytest.mark.netns
def test_kernel():
    pytest.skip("network namespace tests need root")
"""


def run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, uid: int, allow: str
) -> pytest.RunResult:
    monkeypatch.setattr(os, "geteuid", lambda: uid)
    monkeypatch.setenv("RCNET_ALLOW_SKIP", allow)
    pytester.makeconftest(INNER)
    pytester.makeini("[pytest]\nmarkers =\n    netns: kernel\n")
    pytester.makepyfile(test_inner=TESTS)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", "-ra")


def test_as_root_a_skip_fails_the_run_naming_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(pytester, monkeypatch, 0, "")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*2 skipped tests FAIL this run (running as root)*",
            "  test_inner.py::test_plain_skip: no such tool here",
            "  test_inner.py::test_kernel: network namespace tests need root",
        ]
    )


def test_as_root_allowed_skips_pass(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(
        pytester, monkeypatch, 0, "test_inner.py::test_plain_skip, test_inner.py::test_kernel"
    )
    assert result.ret == pytest.ExitCode.OK
    assert "FAIL this run" not in result.stdout.str()


def test_as_root_an_allowed_prefix_covers_its_file_only(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(pytester, monkeypatch, 0, "test_inner.py::test_kernel test_inn")
    assert (
        result.ret == pytest.ExitCode.TESTS_FAILED
    )  # "test_inn" is no node id nor a prefix of one
    result.stdout.fnmatch_lines(["*1 skipped tests FAIL*", "  test_inner.py::test_plain_skip: *"])


def test_as_another_user_the_summary_opens_with_a_banner(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(pytester, monkeypatch, 1000, "")
    assert result.ret == pytest.ExitCode.OK
    lines = result.stdout.lines
    (banner,) = [i for i, ln in enumerate(lines) if "NOT A FULL RUN" in ln]
    assert "1 kernel tests did not run" in lines[banner]
    assert lines[banner + 1] == "  network namespace tests need root"
    (summary,) = [i for i, ln in enumerate(lines) if "short test summary info" in ln]
    assert banner < summary
