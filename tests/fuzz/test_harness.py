"""The fuzzing harness itself: seeds, signatures, both engines, log parsing, line coverage.

The long runs are `make fuzz`; these keep the harness working in a few seconds.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rcnet.carp import wire
from rcnet.model import carp_key
from tools.fuzz import driver, linecov, run, seeds, vectors
from tools.fuzz.oracle_packet import decode_packet_input, encode_packet_input
from tools.fuzz.oracle_rcconf import (
    MODE_DIRECTORY,
    MODE_HOSTS,
    SEP,
    PropertyViolation,
    decode_input,
    encode_input,
)

ROOT = Path(__file__).resolve().parents[2]


def test_rc_conf_seeds_decode_to_real_hosts() -> None:
    found = seeds.rc_conf_seeds()
    assert len(found) >= len(seeds.rc_conf_files())
    together = [s for s in found if s[0] == MODE_HOSTS]
    assert together and [len(decode_input(s)) for s in together] == [3] * len(together)
    (first_dir, *_) = [s for s in found if s[0] == MODE_DIRECTORY]
    (host,) = decode_input(first_dir)
    assert host.directory and [n for n, _ in host.files][:2] == ["rc.conf", "rc.conf.local"]
    assert decode_input(encode_input(MODE_HOSTS, [b"a", b"b"])) == decode_input(
        bytes([MODE_HOSTS]) + b"a" + SEP + b"b"
    )


def test_seeds_stay_out_of_the_repository() -> None:
    assert not (ROOT / "tools" / "fuzz" / "corpus").exists()
    assert all(not str(p).startswith(str(ROOT / "tools")) for p in seeds.rc_conf_files())


def test_packet_input_round_trips_and_the_vectors_are_the_spec() -> None:
    for s in seeds.packet_seeds():
        assert encode_packet_input(decode_packet_input(s)) == s
    for v in vectors.VECTORS:
        auth = wire.CarpAuth(carp_key(v.password), v.vhid, v.vips)
        assert wire.build_carp(auth, v.vhid, v.advbase, v.advskew, v.counter) == v.header
    assert vectors.ipv4(vectors.VECTORS[0].header) == vectors.V1_DATAGRAM


def test_signatures_name_the_property_or_the_rcnet_frame() -> None:
    assert driver.signature(PropertyViolation("x[SH01]", "detail")) == "property:x[SH01]"
    try:
        wire.decode_carp(None)  # type: ignore[arg-type]
    except TypeError as exc:
        sig = driver.signature(exc)
    assert sig.startswith("TypeError@rcnet/carp/wire.py:")


def test_known_failures_pass_and_new_ones_are_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def one(data: bytes) -> None:
        raise PropertyViolation(data.decode(), "boom")

    monkeypatch.setenv("FUZZ_KNOWN", "property:old;property:older")
    guarded = driver.guarded(one)
    guarded(b"old")
    with pytest.raises(PropertyViolation):
        guarded(b"new")
    assert "FUZZ-SIGNATURE: property:new" in capsys.readouterr().err


def test_mutations_change_bytes_and_stay_bounded() -> None:
    import random

    rng = random.Random(1)
    corpus = [b"ifconfig_em0=inet 10.0.0.1/24\n", b"hostname=x\n"]
    out = {driver.mutate(corpus[0], corpus, [b"vhid"], rng) for _ in range(200)}
    assert len(out) > 150 and all(len(o) <= 65536 for o in out)


def test_libfuzzer_log_parsing() -> None:
    log = (
        "#72\tINITED cov: 2068 ft: 6280 corp: 68/55Kb exec/s: 72 rss: 51Mb\n"
        "#98\tNEW    cov: 2121 ft: 6402 corp: 77/60Kb lim: 3140 exec/s: 98 rss: 52Mb L: 1/2\n"
        "FUZZ-SIGNATURE: property:finding-message-newline[SH01]\n"
        " === Uncaught Python exception: ===\n"
        "PropertyViolation: finding-message-newline[SH01]: Finding(...)\n"
        "Traceback (most recent call last):\n  File x\nPropertyViolation: ...\n\n"
        "==7956== ERROR: libFuzzer: fuzz target exited\n"
        "artifact_prefix='/nowhere/'; Test unit written to /nowhere/crash-00\n"
        "stat::number_of_executed_units: 109\n"
    )
    assert [s[:5] for s in run.status_lines(log)] == [
        (72, "INITED", 2068, 6280, 68),
        (98, "NEW", 2121, 6402, 77),
    ]
    found = run.failure(log, "crash")
    assert found["signature"] == "property:finding-message-newline[SH01]"
    assert found["message"].startswith("PropertyViolation: finding-message-newline[SH01]")
    assert found["input_file"] == "/nowhere/crash-00" and found["input_hex"] == ""


def test_line_coverage_counts_function_lines_only(tmp_path: Path) -> None:
    mod = tmp_path / "m.py"
    mod.write_text("X = 1\n\ndef f(a):\n    if a:\n        return 1\n    return 2\n")
    assert linecov.executable_lines(mod) == {3, 4, 5, 6}
    wire_py = ROOT / "rcnet" / "carp" / "wire.py"
    inputs = tmp_path / "inputs"
    seeds.write_corpus(inputs, vectors.bare_headers())

    result = linecov.replay(wire.decode_carp, inputs.iterdir(), [wire_py], 10)
    hit, total = result["files"]["rcnet/carp/wire.py"]
    assert result["inputs_replayed"] == 5 and 0 < hit < total


def _fuzz(engine: str, *flags: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    corpus = tmp / "corpus"
    seeds.write_corpus(corpus, seeds.packet_seeds())
    env = dict(
        os.environ, PYTHONPATH=str(ROOT), FUZZ_ENGINE=engine, FUZZ_SCRATCH=str(tmp / "scratch")
    )
    cmd = [sys.executable, "-m", "tools.fuzz.fuzz_decoder", *flags, str(corpus)]
    return subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_mutation_loop_runs_without_atheris(tmp_path: Path) -> None:
    proc = _fuzz("random", "-max_total_time=1", f"-artifact_prefix={tmp_path}/", tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (execs,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("stat::number_of_exec")]
    assert int(execs.split()[-1]) > 50


def test_the_atheris_target_runs(tmp_path: Path) -> None:
    proc = _fuzz("", "-runs=300", f"-artifact_prefix={tmp_path}/", tmp=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    # libFuzzer counts the seed inputs it replays too: "Done 303 runs" for -runs=300
    done = re.search(r"^Done (\d+) runs", proc.stderr, re.M)
    assert done is not None, proc.stderr[-2000:]
    assert int(done.group(1)) >= 300


def test_the_differential_oracle_agrees_with_tshark_on_mutated_adverts() -> None:
    from tools.fuzz import differential

    result = differential.run(None, 300)
    verdicts = result["verdicts"]
    assert result["packets"] == 300 and result["unexplained_disagreements"] == 0, result
    assert verdicts["agree"] > 250  # most mutants: both refuse (bad checksum) or both decode
    # a good checksum on a mutated header is compared field by field, not only refused
    mutants = differential.adverts(None, 300)
    assert sum(1 for m in mutants if differential.rcnet_ok(differential.rcnet_decode(m))) > 20
