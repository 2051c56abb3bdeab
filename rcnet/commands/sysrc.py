"""rcnet sysrc: print or edit rc.conf variables like FreeBSD's sysrc(8), checked and atomic."""

from __future__ import annotations

import argparse
import difflib
import sys
from collections import Counter

from rcnet.commands import CommandError, UsageError

DEFAULT_FILE = "/etc/rc.conf"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-f", dest="file", default=DEFAULT_FILE, metavar="FILE", help="default: /etc/rc.conf"
    )
    parser.add_argument("-n", dest="no_name", action="store_true", help="print values only")
    parser.add_argument("-x", dest="delete", action="store_true", help="delete the variables")
    parser.add_argument("--diff", action="store_true", help="print a unified diff, write nothing")
    parser.add_argument(
        "--force", action="store_true", help="write even when check finds a new error"
    )
    parser.add_argument("names", nargs="+", metavar="NAME[=VALUE|+=VALUE|-=VALUE]")


def run(args: argparse.Namespace) -> int:
    from rcnet.rcconf.env import HostError
    from rcnet.redact import mask, secrets_of
    from rcnet.sysrc import Edit, PassLabels, SysrcError, read_file, show, write_atomic

    try:
        edits = [Edit.parse(a, args.delete) for a in args.names]
    except SysrcError as exc:
        raise UsageError(str(exc)) from None
    try:
        rc = read_file(args.file)
    except HostError as exc:  # binary, too big, unreadable: exit 2, as check
        raise CommandError(str(exc), 2) from None
    except SysrcError as exc:
        raise CommandError(str(exc), 1) from None
    original = rc.text
    secrets = secrets_of(rc.loaded())
    status = 0
    changes: list[str] = []  # printed once the file is written
    told = PassLabels()  # a change's two sides: which pass is which, never the pass

    def shown(text: str | None) -> str:
        return show(mask(text, secrets)) if text is not None else "(unknown)"

    for edit in edits:
        before = rc.value(edit.name)
        old = before.text if before is not None else None
        if edit.op in ("get", "delete") and before is None:
            # sysrc(8): "sysrc: unknown variable 'NAME'", exit 1, for -x as for a read
            # (usr.sbin/sysrc/tests/sysrc_test.sh, remove_variable_x_flag)
            print(f"rcnet sysrc: unknown variable '{edit.name}'", file=sys.stderr)
            status = 1
            continue
        if edit.op == "get":
            print(shown(old) if args.no_name else f"{edit.name}: {shown(old)}")
            continue
        try:
            if edit.op == "delete":
                left = rc.delete(edit.name)
                if left:
                    lines = ", ".join(str(n) for n in left)
                    print(
                        f"rcnet sysrc: {edit.name}: still set on line {lines} of {args.file}"
                        " (not a plain assignment); left as is",
                        file=sys.stderr,
                    )
                    status = 1
                continue
            new = edit.value
            if edit.op in ("add", "remove"):
                from rcnet.sysrc import list_edit

                new = list_edit(old or "", edit.value, edit.op == "add")
            rc.set(edit.name, new)
        except SysrcError as exc:
            raise CommandError(str(exc), 1) from None
        secrets = secrets | secrets_of(rc.loaded())
        line = f"{show(told.mask(old or '', secrets))} -> {show(told.mask(new, secrets))}"
        changes.append(line if args.no_name else f"{edit.name}: {line}")

    if rc.text == original:
        for line in changes:  # nothing to write: the value was already so
            print(line)
        return status
    refused = _new_errors(args.file, original, rc.text)
    if args.diff:
        sys.stdout.writelines(
            show(told.mask(line.rstrip("\n"), secrets)) + "\n"
            for line in difflib.unified_diff(
                original.splitlines(True), rc.text.splitlines(True), args.file, args.file
            )
        )
    if refused:
        for line in refused:
            print(line, file=sys.stderr)
        if not args.force:
            if not args.diff:
                print(
                    f"rcnet sysrc: {args.file} not changed (--force writes anyway)", file=sys.stderr
                )
            return 1
    if args.diff:
        return status
    try:
        write_atomic(args.file, rc.data())
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CommandError(f"{args.file}: {reason}; the file is unchanged", 1) from None
    for line in changes:
        print(line)
    return status


def _new_errors(path: str, before: str, after: str) -> list[str]:
    """check's findings on `after` for each error code that `after` has more of."""
    from rcnet.hosts import check_loaded
    from rcnet.rcconf.load import load_text

    def errors(text: str) -> list[tuple[str, str]]:
        checked = check_loaded(load_text(text, path))
        return [(f.code, f.format(path)) for f in checked.findings if f.severity == "error"]

    old = Counter(code for code, _ in errors(before))
    new = errors(after)
    counts = Counter(code for code, _ in new)
    worse = {code for code, n in counts.items() if n > old[code]}
    return [line for code, line in new if code in worse]
