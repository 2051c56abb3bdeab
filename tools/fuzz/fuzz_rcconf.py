"""Fuzz target: rc.conf bytes through read_host, lint, `rcnet check` and the model renderings.

The input format and the properties are `oracle_rcconf`'s. Files are written under one
temporary directory per process, emptied for each input.

    python -m tools.fuzz.fuzz_rcconf -max_total_time=60 CORPUS_DIR
"""

from __future__ import annotations

from collections.abc import Callable

from tools.fuzz.driver import Target, main, scratch_directory


def load() -> Callable[[bytes], object]:
    from tools.fuzz.oracle_rcconf import check_input

    scratch = scratch_directory("rcconf")

    def one(data: bytes) -> object:
        return check_input(data, scratch / "input")

    return one


TARGET = Target(
    name="rcconf",
    load=load,
    modules=(
        "rcnet.hosts",
        "rcnet.build",
        "rcnet.rcconf",
        "rcnet.ifconfig",
        "rcnet.netsubr",
        "rcnet.lint",
        "rcnet.commands.check",
        "rcnet.commands.show",
    ),
    covered=(
        "rcnet/rcconf/*.py",
        "rcnet/ifconfig/*.py",
        "rcnet/netsubr/*.py",
        "rcnet/lint/*.py",
        "rcnet/build.py",
        "rcnet/hosts.py",
        "rcnet/findings.py",
        "rcnet/commands/check.py",
        "rcnet/commands/show.py",
    ),
)

if __name__ == "__main__":
    raise SystemExit(main(TARGET))
