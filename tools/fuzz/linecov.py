"""Line coverage of rcnet files, measured by replaying a corpus under sys.settrace.

libFuzzer's `cov`/`ft` count instrumented edges, which say little to a reader; this says which
share of the lines of the modules a target aims at its corpus reaches. Only lines inside
functions count: module and class bodies run at import, before any input.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def executable_lines(path: Path) -> set[int]:
    """Lines of the functions (methods, lambdas, comprehensions) defined in `path`."""
    code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    lines: set[int] = set()
    stack = [c for c in code.co_consts if isinstance(c, CodeType)]
    while stack:
        c = stack.pop()
        if c.co_flags & inspect.CO_NEWLOCALS:
            lines.update(line for _, _, line in c.co_lines() if line is not None)
        stack.extend(k for k in c.co_consts if isinstance(k, CodeType))
    return lines


def files_under(patterns: Iterable[str]) -> list[Path]:
    """rcnet files matching glob patterns relative to the checkout (`rcnet/carp/*.py`)."""
    found: set[Path] = set()
    for pattern in patterns:
        found.update(p.resolve() for p in ROOT.glob(pattern) if p.name != "__init__.py")
    return sorted(found)


class LineTracer:
    """Records (file, line) for code in `files`; frames of other files are not traced."""

    def __init__(self, files: Iterable[Path]) -> None:
        self.files = {str(f) for f in files}
        self.hits: dict[str, set[int]] = {f: set() for f in self.files}

    def _global(self, frame: FrameType, event: str, arg: Any) -> Any:
        name = frame.f_code.co_filename
        if name not in self.files:
            return None
        self.hits[name].add(frame.f_lineno)
        return self._local

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.hits[frame.f_code.co_filename].add(frame.f_lineno)
        return self._local

    def run(self, func: Callable[[], object]) -> None:
        sys.settrace(self._global)
        try:
            func()
        finally:
            sys.settrace(None)


def replay(
    one: Callable[[bytes], object], inputs: Iterable[Path], files: list[Path], seconds: float
) -> dict[str, Any]:
    """Run `one` over the inputs (failures ignored) for at most `seconds`; the coverage."""
    tracer = LineTracer(files)
    deadline = time.monotonic() + seconds
    paths = sorted(inputs, key=lambda p: (p.stat().st_size, p.name))
    done = 0
    for path in paths:
        if time.monotonic() > deadline:
            break
        data = path.read_bytes()

        def step(data: bytes = data) -> None:
            # a failure is the fuzzer's finding, not a coverage question
            with contextlib.suppress(Exception):
                one(data)

        tracer.run(step)
        done += 1
    per_file: dict[str, list[int]] = {}
    covered = total = 0
    for f in files:
        lines = executable_lines(f)
        hit = len(lines & tracer.hits[str(f)])
        per_file[str(f.relative_to(ROOT))] = [hit, len(lines)]
        covered, total = covered + hit, total + len(lines)
    return {
        "inputs_replayed": done,
        "inputs": len(paths),
        "lines_covered": covered,
        "lines": total,
        "percent": round(100 * covered / total, 1) if total else 0.0,
        "files": per_file,
    }
