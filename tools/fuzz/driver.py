"""Run one fuzz target: under atheris (libFuzzer) when installed, else a plain mutation loop.

    python -m tools.fuzz.fuzz_NAME [libFuzzer flags] CORPUS_DIR ...   fuzz
    python -m tools.fuzz.fuzz_NAME FILE ...                           run inputs once
    python -m tools.fuzz.fuzz_NAME --replay DIR [SECONDS]             line coverage, JSON

Environment: FUZZ_KNOWN, `;`-separated signatures of failures already reported: an input that
fails the same way passes, so one run can find several bugs (run.py restarts after each new
one). FUZZ_ENGINE=random uses the mutation loop even when atheris is installed.

This module imports no rcnet code: atheris instruments modules as they are imported, so the
target's `load` imports rcnet inside the instrumentation block.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import json
import os
import pkgutil
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Target:
    name: str
    #: imports rcnet and returns the function that checks one input
    load: Callable[[], Callable[[bytes], object]]
    #: rcnet packages/modules to import (and so instrument) before fuzzing
    modules: tuple[str, ...]
    #: glob patterns of the rcnet files whose line coverage is reported
    covered: tuple[str, ...]


def signature(exc: BaseException) -> str:
    """Same bug, same signature: a property's name, or the exception at its rcnet frame."""
    name = getattr(exc, "name", None)
    if isinstance(exc, AssertionError) and isinstance(name, str):
        return f"property:{name}"
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f"{os.sep}rcnet{os.sep}" in f.filename]
    chosen = ours or frames
    place = "?"
    if chosen:
        where = chosen[-1]
        path = Path(where.filename)
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        place = f"{shown}:{where.lineno}"
    return f"{type(exc).__name__}@{place}"


def guarded(one: Callable[[bytes], object]) -> Callable[[bytes], None]:
    """`one`, letting known failures pass and naming new ones on stderr for run.py."""
    known = {s for s in os.environ.get("FUZZ_KNOWN", "").split(";") if s}

    def test_one_input(data: bytes) -> None:
        try:
            one(data)
        except Exception as exc:
            sig = signature(exc)
            if sig in known:
                return
            sys.stderr.write(f"\nFUZZ-SIGNATURE: {sig}\n")
            sys.stderr.flush()
            raise

    return test_one_input


def scratch_directory(name: str) -> Path:
    """Where a target writes its inputs: FUZZ_SCRATCH (run.py makes and removes it), else a
    new directory on tmpfs when there is one, removed at exit. A failing input ends the
    process without running atexit, which is why run.py owns the directory when it can."""
    given = os.environ.get("FUZZ_SCRATCH")
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        return path
    base = "/dev/shm" if Path("/dev/shm").is_dir() else None
    path = Path(tempfile.mkdtemp(prefix=f"rcnet-fuzz-{name}-", dir=base))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def import_all(names: Sequence[str]) -> None:
    """Import each module, and every submodule of each package, so all of it is instrumented."""
    for name in names:
        mod: ModuleType = importlib.import_module(name)
        path = getattr(mod, "__path__", None)
        if path is None:
            continue
        for info in pkgutil.walk_packages(path, prefix=f"{name}."):
            importlib.import_module(info.name)


def _atheris() -> Any | None:
    if os.environ.get("FUZZ_ENGINE") == "random":
        return None
    try:
        return importlib.import_module("atheris")
    except ImportError:
        return None


def main(target: Target, argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv if argv is None else argv)
    if len(args) >= 3 and args[1] == "--replay":
        return replay_main(target, Path(args[2]), float(args[3]) if len(args) > 3 else 60.0)
    atheris = _atheris()
    if atheris is None:
        import_all(target.modules)
        return mutation_loop(guarded(target.load()), args[1:])
    with atheris.instrument_imports(include=["rcnet"]):
        one = target.load()
        import_all(target.modules)
    atheris.Setup(args, guarded(one))
    atheris.Fuzz()
    return 0


def replay_main(target: Target, directory: Path, seconds: float) -> int:
    from tools.fuzz.linecov import files_under, replay

    one = target.load()
    import_all(target.modules)
    inputs = [p for p in directory.iterdir() if p.is_file()]
    result = replay(one, inputs, files_under(target.covered), seconds)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


# --- the fallback: random mutations, no coverage feedback --------------------------------------


def _flags(args: Sequence[str]) -> tuple[dict[str, str], list[Path]]:
    flags: dict[str, str] = {}
    paths: list[Path] = []
    for a in args:
        if a.startswith("-") and "=" in a:
            key, value = a[1:].split("=", 1)
            flags[key] = value
        elif not a.startswith("-"):
            paths.append(Path(a))
    return flags, paths


def _dictionary(path: str | None) -> list[bytes]:
    if not path:
        return []
    words: list[bytes] = []
    for line in Path(path).read_text(encoding="ascii").splitlines():
        if line.startswith('"') and line.endswith('"'):
            words.append(line[1:-1].encode("latin-1").decode("unicode_escape").encode("latin-1"))
    return words


def mutate(
    data: bytes, corpus: Sequence[bytes], words: Sequence[bytes], rng: random.Random
) -> bytes:
    """One to four of libFuzzer's simpler mutations."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        at = rng.randint(0, len(buf))
        if op == 0 and buf:
            i = rng.randrange(len(buf))
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1 and buf:
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        elif op == 2:
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 3 and buf:
            del buf[at : at + rng.randint(1, 16)]
        elif op == 4 and buf:
            start = rng.randrange(len(buf))
            buf[at:at] = buf[start : start + rng.randint(1, 64)]
        elif op == 5 and corpus:
            other = rng.choice(corpus)
            start = rng.randrange(len(other) + 1)
            buf[at:] = other[start:] if rng.random() < 0.5 else buf[at:] + other[start:]
        elif op == 6 and words:
            buf[at:at] = rng.choice(words)
    return bytes(buf[:65536])


def _crash(data: bytes, prefix: str, exc: BaseException) -> int:
    traceback.print_exception(exc)
    path = f"{prefix}crash-{hashlib.sha1(data).hexdigest()}"
    Path(path).write_bytes(data)
    sys.stderr.write(f"Test unit written to {path}\n")
    return 1


def mutation_loop(one: Callable[[bytes], None], args: Sequence[str]) -> int:
    """Seeds first, then random mutations of them until -max_total_time; libFuzzer's output."""
    flags, paths = _flags(args)
    files = [p for p in paths if p.is_file()]
    if files:  # reproduce: run each given input once, as libFuzzer does
        for f in files:
            one(f.read_bytes())
        return 0
    corpus = [f.read_bytes() for d in paths if d.is_dir() for f in sorted(d.iterdir())]
    corpus = corpus or [b""]
    words = _dictionary(flags.get("dict"))
    rng = random.Random(int(flags.get("seed", "0")))
    deadline = time.monotonic() + float(flags.get("max_total_time", "60"))
    prefix = flags.get("artifact_prefix", "./")
    execs, report = 0, 1
    start = time.monotonic()
    pending = list(corpus)
    while time.monotonic() < deadline:
        data = pending.pop() if pending else mutate(rng.choice(corpus), corpus, words, rng)
        try:
            one(data)
        except Exception as exc:
            sys.stderr.write(f"stat::number_of_executed_units: {execs}\n")
            return _crash(data, prefix, exc)
        execs += 1
        if execs >= report:
            rate = int(execs / max(time.monotonic() - start, 1e-9))
            sys.stderr.write(f"#{execs}\tpulse  corp: {len(corpus)} exec/s: {rate}\n")
            report *= 2
    sys.stderr.write(f"Done {execs} runs in {int(time.monotonic() - start)} second(s)\n")
    sys.stderr.write(f"stat::number_of_executed_units: {execs}\n")
    return 0
