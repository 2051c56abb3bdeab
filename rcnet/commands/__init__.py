"""One module per `rcnet` subcommand.

Each module defines `add_arguments(parser)` and `run(args) -> int`; the one-line help of each
command is in `rcnet.cli.COMMANDS`.
`rcnet.cli` imports a command's module only when that command runs, so `check` and
`show` never import the protocol core, scapy or pyroute2.
"""

from __future__ import annotations

from typing import Any


class UsageError(Exception):
    """Bad arguments discovered after parsing: printed as one line, exit 2."""


class CommandError(Exception):
    """A command that cannot do its job: one line on stderr, exit `code`."""

    def __init__(self, message: str, code: int = 1, answer: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        #: the daemon's whole answer, when it refused a request (a reload's findings)
        self.answer = answer
