"""`check` is linear in the file whatever its shape (issue 8), measured by counting work, not
time: the Python lines executed to read, build and lint a file of 2,000 lines are at most
LINEAR_SLACK x those of its 500-line cut. A scan of every variable per interface, or of every
placed address per alias, makes the ratio grow with the file (it was 9.4 for one interface
with aliases when each alias looked through every address already placed, 5.1 for many
interfaces when each compiled its own regex, 7.7 for VIPs when each one's CA09 test built the
interface's every address)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from bench.bench_check import many_interfaces, mixed, one_interface, unrelated, vips
from rcnet.hosts import check_loaded
from rcnet.rcconf.load import load_text

SMALL, LARGE = 500, 2000
#: linear work gives LARGE/SMALL = 4 less the fixed cost; a quadratic term shows above this
LINEAR_SLACK = 4.4

SHAPES: dict[str, Callable[[int], str]] = {
    "one interface, many aliases": one_interface,
    "many interfaces, 100 aliases each": many_interfaces,
    "many interfaces, 10 aliases each": lambda n: many_interfaces(n, aliases=10),
    # a regex per interface: re's cache of 512 patterns overflows, each is compiled anew
    "many interfaces, 1 alias each": lambda n: many_interfaces(n, aliases=1),
    "many unrelated variables": unrelated,
    "aliases between service variables": mixed,
    # each VIP's CA09 test looked at every address of its interface (7.7)
    "VIPs between static aliases": vips,
    "VIPs outside the interface's prefixes": lambda n: vips(n, outside=True),
}


def lines_executed(text: str) -> int:
    """Python line events while reading, building and linting `text`."""
    count = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        count += 1
        return tracer

    check_loaded(load_text('hostname="warm.example.org"\n'))  # imports and caches first
    sys.settrace(tracer)
    try:
        check_loaded(load_text(text))
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_check_work_grows_linearly(shape: str) -> None:
    make = SHAPES[shape]
    small, large = lines_executed(make(SMALL)), lines_executed(make(LARGE))
    assert small > SMALL * 100  # the tracer saw the work
    assert large / small <= LINEAR_SLACK, (shape, small, large, round(large / small, 2))


def test_reading_a_host_pauses_the_cyclic_gc_and_restores_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    import rcnet.hosts

    seen: list[bool] = []
    real = rcnet.hosts.check_loaded

    def spy(loaded: Any) -> Any:
        seen.append(gc.isenabled())
        return real(loaded)

    monkeypatch.setattr(rcnet.hosts, "check_loaded", spy)
    conf = tmp_path / "h.conf"
    conf.write_text('hostname="h.example.org"\n')
    assert gc.isenabled()
    rcnet.hosts.read_host(str(conf))
    assert seen == [False] and gc.isenabled()
    with pytest.raises(rcnet.hosts.HostError):
        rcnet.hosts.read_host(str(tmp_path / "missing.conf"))
    assert gc.isenabled()
