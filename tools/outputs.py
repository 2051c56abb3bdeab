"""Record what the front end prints for many inputs, and compare a later tree against it.

An optimisation of the reader or the builder must not change a byte of any output. This tool
runs, in one process, `rcnet check` (JSON, and text with source lines), `rcnet show` (JSON and
text) and the model itself (the Host's repr and every finding with its place and length) for
every fixture, every file of the shared corpus (../shared/corpus), small cuts of the
benchmark's shapes, several hosts checked together, and deterministic mutants of all of
these (words swapped for ifconfig keywords, addresses, masks and shell syntax; lines
deleted, duplicated and moved between files). Running all inputs in one process also
catches a cache that leaks one input's result into another.

    python -m tools.outputs record /tmp/outputs.json     # on the tree before the change
    python -m tools.outputs compare /tmp/outputs.json    # after: exit 1 on any difference

The record stays outside the repository: it is a property of one tree, not a fixture.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"

#: words a mutant may put in place of another (what the reader and the builder key on)
TOKENS = (
    "inet", "inet6", "alias", "-alias", "vhid", "1", "2", "255", "256", "0", "advskew", "100",
    "advbase", "pass", "secret", "state", "master", "up", "down", "mtu", "1500", "netmask",
    "0xffffff00", "255.255.0.0", "255.0.255.0", "prefixlen", "64", "/24", "10.0.0.1/24",
    "10.0.0.1", "192.168.1.5/32", "10.1", "010.0.0.1", "2001:db8::1/64", "fe80::1%em0",
    "broadcast", "10.0.0.255", "DHCP", "SYNCDHCP", "WPA", "name", "net0", "vlan", "vlandev",
    "addm", "em0", "em1", "carp0", "lo0", "auto_linklocal", "-", "10.0.0.5-9", "peer",
    "192.0.2.9", "mcast", "description", "'a b'", '"', "'", "$", "${x}", "$(id)", "`x`", ";",
    "&&", "|", "\\", "{", "}", "#", "if", "fi", "export", "unset", ":", "${x:=y}", "weirdknob",
    "advksew", "UP", "Inet", "\x1b[31m", "ether", "link", "00:11:22:33:44:55", "lladdr",
)  # fmt: skip
NAMES = (
    "ifconfig_em0", "ifconfig_em1", "ifconfig_em0_alias0", "ifconfig_em0_alias1",
    "ifconfig_em0_alias3", "ifconfig_em0_aliases", "ifconfig_em0_ipv6", "ipv4_addrs_em0",
    "ifconfig_carp0", "cloned_interfaces", "clone_interfaces", "network_interfaces",
    "ifconfig_em0_name", "ifconfig_DEFAULT", "defaultrouter", "static_routes", "route_a",
    "hostname", "gateway_enable", "ipv6_network_interfaces", "ifconfig_fxp0_5",
    "ifconfig_lo0", "ipv6_defaultrouter", "ifconfig_em0_descr", "rcnet_ifmap",
)  # fmt: skip


def _files() -> list[Path]:
    files = sorted((ROOT / "fixtures").glob("*/*.conf"))
    if CORPUS.is_dir():
        files += sorted(CORPUS.glob("*.conf"))
    return files


def _shapes() -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    from bench.bench_check import SHAPES

    return {f"shape-{name}-{n}": make(n) for name, make in SHAPES.items() for n in (3, 40, 400)}


def _mutate(rng: random.Random, text: str, donors: list[str]) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 6)):
        what = rng.randrange(7)
        k = rng.randrange(len(lines)) if lines else 0
        if what == 0 and lines:  # a word for a token
            words = lines[k].split(" ")
            words[rng.randrange(len(words))] = rng.choice(TOKENS)
            lines[k] = " ".join(words)
        elif what == 1 and lines:  # a token inserted
            line = lines[k]
            at = rng.randint(0, len(line))
            lines[k] = line[:at] + rng.choice(TOKENS) + line[at:]
        elif what == 2 and lines:
            del lines[k]
        elif what == 3 and lines:
            lines.insert(rng.randint(0, len(lines)), lines[k])
        elif what == 4:  # a line of another file
            donor = rng.choice(donors).split("\n")
            lines.insert(k, rng.choice(donor))
        elif what == 5:  # an assignment of a name the builder reads
            value = " ".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 5)))
            lines.insert(k, f'{rng.choice(NAMES)}="{value}"')
        elif lines:  # one character removed (a quote, a brace)
            line = lines[k]
            if line:
                at = rng.randrange(len(line))
                lines[k] = line[:at] + line[at + 1 :]
    return "\n".join(lines)


def inputs(mutants: int) -> Iterator[tuple[str, dict[str, str]]]:
    """(name, {file name: text}) of every input; several files are several hosts."""
    texts = {p.parent.name + "-" + p.name: p.read_text(errors="replace") for p in _files()}
    texts.update(_shapes())
    for name, text in texts.items():
        yield name, {name if name.endswith(".conf") else name + ".conf": text}
    handbook = sorted(n for n in texts if n.startswith("handbook-"))
    yield "handbook-all", {n: texts[n] for n in handbook}
    cross = sorted(n for n in texts if n.startswith("freebsd-crosshost"))
    yield "crosshost", {n: texts[n] for n in cross}
    rng = random.Random(8)
    names = sorted(texts)
    donors = [texts[n] for n in names]
    for i in range(mutants):
        if i % 10 == 9:  # two mutants together: the cross-host rules
            a, b = rng.sample(names, 2)
            pair = {
                f"m{i}a.conf": _mutate(rng, texts[a], donors),
                f"m{i}b.conf": _mutate(rng, texts[b], donors),
            }
            yield f"mutant-{i}", pair
        else:
            yield f"mutant-{i}", {f"m{i}.conf": _mutate(rng, texts[rng.choice(names)], donors)}


def _run(argv: list[str]) -> str:
    from rcnet import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:
            code = exc.code  # type: ignore[assignment]
    return f"exit {code}\n--- stdout\n{out.getvalue()}--- stderr\n{err.getvalue()}"


def _model(files: list[str]) -> str:
    from rcnet.hosts import read_hosts
    from rcnet.lint import lint_hosts

    checked, errors = read_hosts(files)
    parts = [repr([(e.path, e.reason) for e in errors])]
    for c in checked:
        parts.append(repr(c.host))
        parts += [
            repr((f.code, f.severity, f.message, f.loc, f.length, f.host)) for f in c.findings
        ]
    parts += [repr((f.code, f.message, f.loc, f.host)) for f in lint_hosts(checked)]
    return "\n".join(parts)


def outputs(files: dict[str, str]) -> dict[str, str]:
    """Every output for one input, written into the current directory."""
    for name, text in files.items():
        Path(name).write_text(text)
    names = list(files)
    got = {
        "check-json": _run(["check", "--format", "json", *names]),
        "check-text": _run(["check", "--source", "always", "--color", "never", *names]),
        "model": _model(names),
    }
    if len(names) == 1:
        got["show-json"] = _run(["show", "--json", names[0]])
        got["show-text"] = _run(["show", names[0]])
    for name in names:
        os.unlink(name)
    return got


def collect(mutants: int) -> dict[str, dict[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        here = os.getcwd()
        os.chdir(tmp)
        try:
            return {name: outputs(files) for name, files in inputs(mutants)}
        finally:
            os.chdir(here)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.outputs", description=__doc__)
    parser.add_argument("action", choices=("record", "compare"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--mutants", type=int, default=1500)
    args = parser.parse_args(argv)
    got = collect(args.mutants)
    if args.action == "record":
        args.file.write_text(json.dumps(got, indent=0, ensure_ascii=True))
        print(f"{len(got)} inputs, {sum(len(v) for v in got.values())} outputs recorded")
        return 0
    want: dict[str, dict[str, str]] = json.loads(args.file.read_text())
    differ = 0
    for name in sorted(set(want) | set(got)):
        for kind in sorted(set(want.get(name, {})) | set(got.get(name, {}))):
            a, b = want.get(name, {}).get(kind), got.get(name, {}).get(kind)
            if a != b:
                differ += 1
                if differ <= 5:
                    import difflib

                    diff = difflib.unified_diff(
                        (a or "").splitlines(), (b or "").splitlines(), "before", "after", n=1
                    )
                    print(f"== {name} {kind}")
                    print("\n".join(list(diff)[:40]))
    total = sum(len(v) for v in got.values())
    print(f"{len(got)} inputs, {total} outputs, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
