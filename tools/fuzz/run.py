"""`make fuzz`: run every fuzz target for FUZZ_SECONDS (default 60) and write the figures.

    python -m tools.fuzz.run [--seconds N] [--target rcconf|decoder ...] [--output PATH]

FUZZ_KNOWN (`;`-separated signatures, as printed) skips failures already reported; FUZZ_OUTPUT
replaces the results path.

Per target: seeds into a fresh temporary corpus (never into the repository), then the target
under atheris (or the mutation loop, see driver) until the time is used. After a failure the
target restarts with that failure's signature known, so one run can report several; each
failure keeps its input (hex, and the file in the work directory). Then the corpus is replayed
for line coverage. The decoder's corpus, and mutations of the vector adverts, then go through the
differential oracle (tools/fuzz/differential.py: tshark's CARP/VRRP dissectors against `rcnet
decode`). Results go to bench/results/fuzz.json; exit 1 when anything failed or the two
decoders disagree in a way not explained there.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.fuzz import differential, seeds

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "fuzz.json"
#: a single input slower than this is a failure (rc.conf ranges and loops must stay bounded)
TIMEOUT_S = 30
RESTARTS = 12
REPLAY_S = float(os.environ.get("FUZZ_REPLAY_SECONDS", "60"))


@dataclass(frozen=True)
class Spec:
    name: str
    module: str
    seeds: Callable[[], list[bytes]]
    words: Callable[[], list[bytes]]
    flags: tuple[str, ...] = ()


SPECS = {
    "rcconf": Spec(
        "rcconf", "tools.fuzz.fuzz_rcconf", seeds.rc_conf_seeds, seeds.rc_conf_dictionary
    ),
    "decoder": Spec(
        "decoder",
        "tools.fuzz.fuzz_decoder",
        seeds.packet_seeds,
        seeds.packet_dictionary,
        ("-max_len=1600",),
    ),
}

#: a libFuzzer status line: (executions, kind, cov, ft, corpus entries)
Status = tuple[int, str, int, int, int]
_STATUS = re.compile(r"^#(\d+)\s+(\w+)\s+cov: (\d+) ft: (\d+) corp: (\d+)/")
_EXECS = re.compile(r"^stat::number_of_executed_units: (\d+)", re.M)
_ARTIFACT = re.compile(r"Test unit written to (\S+)")
_SIGNATURE = re.compile(r"^FUZZ-SIGNATURE: (.+)$", re.M)
_UNCAUGHT = "=== Uncaught Python exception: ==="


def engine_name() -> str:
    if os.environ.get("FUZZ_ENGINE") == "random":
        return "random mutation loop (FUZZ_ENGINE=random)"
    try:
        return f"atheris {importlib.metadata.version('atheris')} (libFuzzer)"
    except importlib.metadata.PackageNotFoundError:
        return "random mutation loop (atheris is not installed)"


def status_lines(log: str) -> list[Status]:
    out: list[Status] = []
    for line in log.splitlines():
        m = _STATUS.match(line)
        if m:
            n, kind, cov, ft, corp = m.groups()
            out.append((int(n), kind, int(cov), int(ft), int(corp)))
    return out


def failure(log: str, kind: str) -> dict[str, Any]:
    """What a failed run left: its signature, the traceback's end and the input."""
    sig = _SIGNATURE.findall(log)
    art = _ARTIFACT.findall(log)
    path = Path(art[-1]) if art else None
    data = path.read_bytes() if path and path.is_file() else b""
    trace = log[log.find("Traceback") :] if "Traceback" in log else log[-3000:]
    trace = trace.split("\n==")[0]
    after = log.split(_UNCAUGHT, 1)[1].strip().splitlines() if _UNCAUGHT in log else []
    message = after[0] if after else (trace.strip().splitlines() or [""])[-1]
    return {
        "signature": sig[-1] if sig else kind,
        "kind": kind,
        "message": message[:600],
        "traceback": trace.strip().splitlines()[-12:],
        "input_file": str(path) if path else None,
        "input_hex": data[:4096].hex(),
        "input_length": len(data),
    }


def fuzz_once(
    spec: Spec, work: Path, seconds: int, known: list[str], scratch: Path
) -> tuple[int, str]:
    corpus, artifacts = work / "corpus", work / "artifacts"
    cmd = [
        sys.executable,
        "-m",
        spec.module,
        f"-max_total_time={seconds}",
        f"-timeout={TIMEOUT_S}",
        "-print_final_stats=1",
        f"-dict={work / 'words.dict'}",
        f"-artifact_prefix={artifacts}/",
        *spec.flags,
        str(corpus),
    ]
    env = dict(
        os.environ,
        FUZZ_KNOWN=";".join(known),
        FUZZ_SCRATCH=str(scratch),
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    proc = subprocess.run(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        check=False,
    )
    log = proc.stdout
    (work / f"log-{len(list(work.glob('log-*.txt')))}.txt").write_text(log)
    return proc.returncode, log


def replay(spec: Spec, work: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-m", spec.module, "--replay", str(work / "corpus"), str(REPLAY_S)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    try:
        result: dict[str, Any] = json.loads(proc.stdout)
    except ValueError:
        return {"error": proc.stderr.strip().splitlines()[-1:] or ["replay failed"]}
    return result


def fuzz_until(
    spec: Spec, work: Path, seconds: int, known: list[str], scratch: Path
) -> tuple[int, list[Status], list[dict[str, Any]]]:
    """Fuzz for `seconds`, restarting after each new failure with its signature known."""
    failures: list[dict[str, Any]] = []
    statuses: list[Status] = []
    execs = 0
    start = time.monotonic()
    for _ in range(RESTARTS):
        left = int(seconds - (time.monotonic() - start))
        if left < 5:
            break
        code, log = fuzz_once(spec, work, left, known, scratch)
        counted = _EXECS.findall(log)
        lines = status_lines(log)
        execs += int(counted[-1]) if counted else (lines[-1][0] if lines else 0)
        statuses += lines
        if code == 0:
            break
        kind = "timeout" if "ALARM: working on the last Unit" in log else "crash"
        found = failure(log, kind)
        failures.append(found)
        print(f"  {spec.name}: {kind} {found['signature']}: {found['message']}", flush=True)
        if found["signature"] in known or found["signature"] in ("crash", "timeout"):
            break  # no signature to skip by: restarting would find the same thing again
        known.append(found["signature"])
    return execs, statuses, failures


def run_target(spec: Spec, seconds: int, base: Path) -> dict[str, Any]:
    work = base / spec.name
    (work / "artifacts").mkdir(parents=True)
    n_seeds = seeds.write_corpus(work / "corpus", spec.seeds())
    seeds.write_dictionary(work / "words.dict", spec.words())
    # signatures the caller already knows about (FUZZ_KNOWN) are stepped past from the start
    given = [k for k in os.environ.get("FUZZ_KNOWN", "").split(";") if k]
    start = time.monotonic()
    # the target's files go on tmpfs when there is one; removed here, since a failing input
    # ends the target before its own clean-up
    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None
    scratch = Path(tempfile.mkdtemp(prefix=f"rcnet-fuzz-{spec.name}-", dir=shm))
    try:
        execs, statuses, failures = fuzz_until(spec, work, seconds, list(given), scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    elapsed = time.monotonic() - start
    inited = next((s for s in statuses if s[1] == "INITED"), None)
    last = statuses[-1] if statuses else None
    return {
        "seconds": round(elapsed, 1),
        "executions": execs,
        "executions_per_second": round(execs / elapsed, 1) if elapsed else 0,
        "seeds": n_seeds,
        "corpus_files_at_end": sum(1 for _ in (work / "corpus").iterdir()),
        "libfuzzer": {
            "cov_after_seeds": inited[2] if inited else None,
            "ft_after_seeds": inited[3] if inited else None,
            "cov": last[2] if last else None,
            "ft": last[3] if last else None,
        },
        "line_coverage": replay(spec, work),
        "failures": failures,
        "known_at_start": given,
        "result": "no crash" if not failures else f"{len(failures)} failure(s)",
        "work_directory": str(work),
    }


def source_digest() -> str:
    """SHA-256 over rcnet's sources: whether the code under test changed during the run."""
    h = hashlib.sha256()
    for path in sorted((ROOT / "rcnet").rglob("*.py")):
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def git_commit() -> str | None:
    proc = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return proc.stdout.strip() or None


def summary(name: str, r: dict[str, Any]) -> str:
    cov = r["line_coverage"]
    lines = (
        f"lines {cov['lines_covered']}/{cov['lines']} ({cov['percent']}%)"
        if "percent" in cov
        else "line coverage unavailable"
    )
    lf = r["libfuzzer"]
    edges = "no edge coverage (mutation loop)"
    if lf["cov"] is not None:
        edges = (
            f"cov {lf['cov_after_seeds']} -> {lf['cov']}, ft {lf['ft_after_seeds']} -> {lf['ft']}"
        )
    return (
        f"{name}: {r['result']}: {r['executions']} executions in {r['seconds']} s"
        f" ({r['executions_per_second']}/s); {edges}; {lines}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fuzz.run", description=__doc__)
    parser.add_argument(
        "--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", "60")), metavar="N"
    )
    parser.add_argument("--target", action="append", choices=sorted(SPECS), default=[])
    output = Path(os.environ.get("FUZZ_OUTPUT", RESULTS))
    parser.add_argument("--output", type=Path, default=output, metavar="PATH")
    args = parser.parse_args(argv)
    names = args.target or list(SPECS)
    commit, digest = git_commit(), source_digest()
    base = Path(tempfile.mkdtemp(prefix="rcnet-fuzz-"))
    print(f"fuzzing {', '.join(names)} for {args.seconds} s each with {engine_name()}")
    print(f"work directory (corpora, logs, failing inputs): {base}", flush=True)
    results: dict[str, Any] = {}
    for name in names:
        results[name] = run_target(SPECS[name], args.seconds, base)
        print(summary(name, results[name]), flush=True)
        if name == "decoder":
            diff = differential.run(base / name / "corpus")
            results[name]["differential"] = diff
            print(f"decoder against tshark: {diff['packets']} adverts, {diff['verdicts']}")
    doc = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "commit": commit,
        "commit_at_end": git_commit(),
        "rcnet_source_sha256": digest,
        # rcnet's sources (working tree) changed while it ran: the figures mix two versions
        "rcnet_changed_during_run": source_digest() != digest,
        "engine": engine_name(),
        "python": platform.python_version(),
        "seconds_per_target": args.seconds,
        "targets": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"figures written to {args.output}")
    disagree = any(
        r.get("differential", {}).get("unexplained_disagreements") for r in results.values()
    )
    return 1 if disagree or any(r["failures"] for r in results.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
