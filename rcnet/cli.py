"""Command-line entry point: argument parsing and dispatch only.

Command modules live in `rcnet.commands` and are imported lazily, so a command pays
only for what it uses. Every failure is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from rcnet import __version__
from rcnet.commands import CommandError, UsageError
from rcnet.text import escape

#: subcommand -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("rcnet.commands.check", "lint rc.conf files the way FreeBSD's rc reads them"),
    "show": ("rcnet.commands.show", "print the model that start would apply"),
    "simulate": ("rcnet.commands.simulate", "run hosts on a simulated segment in virtual time"),
    "decode": ("rcnet.commands.decode", "decode and verify CARP advertisements"),
    "explain": ("rcnet.commands.explain", "print what a check finding code means"),
    "start": ("rcnet.commands.start", "apply a host and run CARP in the foreground"),
    "status": ("rcnet.commands.control", "show the running daemon's vhids and counters"),
    "ifconfig": ("rcnet.commands.control", "carpN down|up, or IF vhid N state master|backup"),
    "sysctl": ("rcnet.commands.control", "read or set net.inet.carp.* of the running daemon"),
    "stop": ("rcnet.commands.control", "stop the running daemon gracefully"),
    "reload": ("rcnet.commands.reload", "ask the running daemon to reload and print its answer"),
    "diff": ("rcnet.commands.diff", "compare the running system with the file (drift: exit 1)"),
    "metrics": ("rcnet.commands.metrics", "print the daemon's numbers as OpenMetrics text"),
    "sysrc": ("rcnet.commands.sysrc", "print or edit rc.conf variables like sysrc(8), safely"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, exit 2, no usage dump
        self.exit(2, f"rcnet: {message}\n")


def _load(module: str) -> Any:
    return importlib.import_module(module)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    from rcnet.commands.helptext import EPILOGS, TOP

    parser = _Parser(
        prog="rcnet",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=TOP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"rcnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EPILOGS.get(name),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if only is None or only == name:
            mod = _load(module)
            adder = getattr(mod, f"add_{name}_arguments", None) or mod.add_arguments
            adder(p)
    return parser


def _command(args_list: Sequence[str]) -> str | None:
    return next((a for a in args_list if not a.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = _command(args_list)
    try:
        parser = build_parser(command if command in COMMANDS else None)
        args = parser.parse_args(args_list)
        if args.command is None:
            parser.print_usage(sys.stderr)
            return 2
        mod = _load(COMMANDS[args.command][0])
        runner = getattr(mod, f"run_{args.command}", None) or mod.run
        code = int(runner(args))
        sys.stdout.flush()  # a write error in what is still buffered is handled below, too
        return code
    except UsageError as exc:
        print(escape(f"rcnet {command}: {exc}"), file=sys.stderr)
        return 2
    except CommandError as exc:
        print(escape(f"rcnet {command}: {exc}"), file=sys.stderr)
        return exc.code
    except ModuleNotFoundError as exc:
        # a dependency setup.cfg names but this environment lacks (a stale virtualenv)
        module = (exc.name or "?").split(".")[0]
        print(
            escape(
                f"rcnet {command}: the Python module {module} is not installed here;"
                " reinstall rcnet (make venv, or the package)"
            ),
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _drop_stdout()
        return 0
    except OSError as exc:
        # a full disk or a dead terminal under stdout (`check > /dev/full`): one line, and exit
        # 2 rather than 1, so a gate reading the status never takes lost output for findings;
        # an error of a named file keeps its name (str(exc))
        _drop_stdout()
        what = str(exc) if exc.filename else exc.strerror or str(exc)
        with contextlib.suppress(OSError):
            print(escape(f"rcnet {command}: {what}"), file=sys.stderr)
        return 2


def _drop_stdout() -> None:
    """Point stdout at /dev/null: what it still buffers can no longer fail at exit."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


#: commands whose process ends without freeing its objects one by one: they hold no thread,
#: no open file and no atexit duty once `main` returns, and freeing a 5,000-line host's
#: reader and model at interpreter shutdown took 20-40 ms, a tenth of check's budget. Their
#: process starts without the cyclic garbage collector, too: what one host allocates is
#: bounded by its input (1 MiB a file) and freed at exit, and a collection once reading ended
#: (the reader pauses it, rcnet.hosts) walked every object of the model, 10-20 ms; check
#: turns it back on for several hosts (commands/check.py)
_QUICK_EXIT = frozenset({"check"})


def run() -> NoReturn:
    """The process (`python -m rcnet`, the `rcnet` script): `main`, then its exit status."""
    if _command(sys.argv[1:]) in _QUICK_EXIT:
        gc.disable()
    code = main()
    # a profiler or a coverage tracer writes its data at shutdown: never skip that
    watched = sys.gettrace() is not None or sys.getprofile() is not None
    if _command(sys.argv[1:]) in _QUICK_EXIT and not watched:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed pipe: the usual shutdown reports it
            raise SystemExit(code) from None
        os._exit(code)
    raise SystemExit(code)


if __name__ == "__main__":
    run()
