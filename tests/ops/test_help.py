"""Every `--help` ends with examples and the exit statuses (issue 11)."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pytest

from rcnet.cli import COMMANDS, main


def help_of(*args: str) -> str:
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit) as done:
        main([*args, "--help"])
    assert done.value.code == 0
    return out.getvalue()


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_ends_with_examples_and_exit_statuses(command: str | None) -> None:
    text = help_of(*([command] if command else []))
    examples = text.find("\nexamples:\n")
    statuses = text.find("\nexit status:\n")
    assert 0 < examples < statuses, text
    shown = text[examples:statuses]
    assert f"  rcnet {command or ''}".rstrip() in shown
    assert "  0  " in text[statuses:]
