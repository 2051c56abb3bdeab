"""What must hold for any rc.conf input, however broken: the fuzz target's and tests' oracle.

An input is bytes: a mode byte, then parts separated by SEP (`encode_input`). Mode 0 is one
single-file host; mode 1 an etc directory (rc.conf, rc.conf.local, rc.conf.d/netif,
sysctl.conf, rc.conf.d/routing); mode 2 up to three single-file hosts checked together, so the
cross-host rules run too. The mode byte's top bit picks the form `rcnet show` is run in.

Properties (cli.md "Hosts", "rcnet check", "rcnet show"; the project's no-traceback rule):
- read_hosts, lint_hosts, `rcnet check` (JSON and text, source lines shown) and `rcnet show`
  (text or JSON) raise nothing; a readable host gives no HostError (two hosts with one name
  may, and so may a binary file);
- every finding has a severity, a code and a one-line message, and a place inside its file;
- check's JSON has exactly the documented keys and the findings read directly; its text is one
  line per finding (source and caret lines indented) and the summary; the exit status follows;
  show exits 0 and its JSON has the documented keys;
- no vhid in the model is out of carp(4)'s ranges;
- no pass value is printed: a host's pass that is written nowhere in its files but after
  `pass`, printed in a line that speaks for that host (its findings, source lines, model; any
  host for cross-host findings and stderr), is a leak unless it is still printed with that pass
  replaced in the input (then it is text rcnet prints anyway, such as a word of a message).
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

from rcnet import cli
from rcnet.findings import Finding
from rcnet.hosts import CheckedHost, DuplicateHostError, read_hosts
from rcnet.lint import lint_hosts
from rcnet.rcconf.env import BinaryFileError, HostError

SEP = b"\n#%%\n"
MODE_FILE, MODE_DIRECTORY, MODE_HOSTS = 0, 1, 2
DIR_FILES = ("rc.conf", "rc.conf.local", "rc.conf.d/netif", "sysctl.conf", "rc.conf.d/routing")
MAX_HOSTS = 3
#: shorter pass values are too likely to be ordinary text (a digit, "ab") to judge
MIN_SECRET = 4
#: findings that compare hosts: they may speak of any host given
CROSS_HOST = ("CA05", "CA06", "CA07")
JSON_KEYS = {"host", "file", "line", "column", "severity", "code", "message"}
SEVERITIES = ("error", "warning", "info")
_FINDING_LINE = re.compile(r"^.+: (error|warning|info): .* \[[A-Z]+[0-9]+\]$")
_SUMMARY = re.compile(r"^\d+ errors?, \d+ warnings?, \d+ info \(\d+ hosts?\)$")


class PropertyViolation(AssertionError):
    """A broken property; `name` stays the same across inputs that break it the same way."""

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(f"{name}: {detail}")
        self.name = name


def require(condition: bool, name: str, detail: str) -> None:
    if not condition:
        raise PropertyViolation(name, detail)


# --- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostInput:
    """One HOST argument to write: a single file or an etc directory's files."""

    directory: bool
    files: tuple[tuple[str, bytes], ...]


def decode_input(data: bytes) -> list[HostInput]:
    mode = data[0] % 3 if data else MODE_FILE
    rest = data[1:]
    if mode == MODE_FILE:
        return [HostInput(False, (("host.conf", rest),))]
    if mode == MODE_DIRECTORY:
        parts = rest.split(SEP, len(DIR_FILES) - 1)
        return [HostInput(True, tuple(zip(DIR_FILES, parts, strict=False)))]
    parts = rest.split(SEP, MAX_HOSTS - 1)
    return [HostInput(False, ((f"host{i}.conf", p),)) for i, p in enumerate(parts)]


def encode_input(mode: int, parts: Sequence[bytes]) -> bytes:
    return bytes([mode]) + SEP.join(parts)


def materialize(hosts: Sequence[HostInput], root: Path) -> list[str]:
    """Write the hosts under `root` (emptied first); their HOST paths."""
    if root.exists():
        shutil.rmtree(root)
    paths: list[str] = []
    for i, host in enumerate(hosts):
        base = root / f"h{i}"
        if host.directory:
            base = base / "etc"
        for name, content in host.files:
            path = base / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        paths.append(str(base) if host.directory else str(base / host.files[0][0]))
    return paths


# --- running rcnet ----------------------------------------------------------------------------


def run_cli(argv: Sequence[str]) -> tuple[int, str, str]:
    """`rcnet ARGV` in this process: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


@dataclass
class Rendering:
    """Everything rcnet makes of some HOST paths."""

    checked: list[CheckedHost]
    errors: list[HostError]
    findings: list[Finding]
    #: `check --format` and `show` forms that were run
    formats: tuple[str, ...] = ()
    show_formats: tuple[str, ...] = ()
    #: output name -> text (check json/text stdout and stderr, show text/json per host)
    outputs: dict[str, str] = field(default_factory=dict)
    #: check format -> exit status; show: `show-FORM-PATH` -> exit status
    codes: dict[str, int] = field(default_factory=dict)

    def all_output(self) -> str:
        return "\n".join(self.outputs.values())


def render(
    paths: Sequence[str],
    formats: Iterable[str] = ("json", "text"),
    show_formats: Iterable[str] = ("text", "json"),
) -> Rendering:
    """Read the hosts, then run `rcnet check` on all and `rcnet show` on each, as users do."""
    checked, errors = read_hosts(paths)
    findings = [f for c in checked for f in c.findings]
    findings.extend(lint_hosts(checked))
    r = Rendering(checked, errors, findings, tuple(formats), tuple(show_formats))
    for fmt in r.formats:
        code, out, err = run_cli(["check", "--format", fmt, "--source", "always", *paths])
        r.codes[fmt] = code
        r.outputs[f"check-{fmt}"] = out
        r.outputs[f"check-{fmt}-stderr"] = err
    for c in checked:
        for form in r.show_formats:
            key = f"show-{form}-{c.loaded.path}"
            argv = ["show", *(["--json"] if form == "json" else []), c.loaded.path]
            r.codes[key], r.outputs[key], r.outputs[f"{key}-stderr"] = run_cli(argv)
    return r


# --- the properties ---------------------------------------------------------------------------


def check_errors(r: Rendering) -> None:
    for err in r.errors:
        require(
            isinstance(err, (DuplicateHostError, BinaryFileError)),
            "host-error-for-readable-file",
            f"{type(err).__name__}: {err}",
        )


def check_finding(f: Finding, sources: dict[str, tuple[str, ...]]) -> None:
    """Each property's name carries the code, so one bug in one rule is one signature."""
    code = f"[{f.code}]"
    require(f.severity in SEVERITIES, "finding-severity" + code, repr(f))
    require(bool(re.fullmatch(r"[A-Z]+[0-9]+", f.code)), "finding-code", repr(f))
    require(bool(f.message.strip()), "finding-empty-message" + code, repr(f))
    require("\n" not in f.message, "finding-message-newline" + code, repr(f))
    require(f.length >= 1, "finding-length" + code, repr(f))
    if f.loc is None or f.loc.file not in sources:
        return
    lines = sources[f.loc.file]
    require(1 <= f.loc.line <= len(lines) + 1, "finding-line-outside-file" + code, repr(f))
    require(f.loc.column >= 1, "finding-column" + code, repr(f))
    if f.loc.line <= len(lines):
        width = len(lines[f.loc.line - 1])
        require(
            f.loc.column <= width + 1,
            "finding-column-beyond-line" + code,
            f"{f!r} (width {width})",
        )


def check_model(c: CheckedHost) -> None:
    """The model is JSON-able and holds only vhids carp(4) would accept (carp.md §6).

    A vhid without an address is fine: FreeBSD's `ifconfig em0 vhid 1 pass x` makes one.
    """
    json.dumps(c.host.to_json())
    for v in c.host.vhids:
        detail = f"{c.loaded.path}: {v.to_json()}"
        require(1 <= v.vhid <= 255, "model-vhid-range", detail)
        require(0 <= v.advskew <= 254, "model-advskew-range", detail)
        require(1 <= v.advbase <= 255, "model-advbase-range", detail)
        require(len(v.key) == 20, "model-key-length", detail)


def check_json(r: Rendering) -> None:
    out = r.outputs.get("check-json")
    if out is None:
        return
    try:
        doc = json.loads(out)
    except ValueError as exc:
        raise PropertyViolation("check-json-invalid", f"{exc}: {out[:200]!r}") from None
    require(isinstance(doc, dict) and set(doc) == {"findings"}, "check-json-shape", out[:200])
    listed = doc["findings"]
    require(isinstance(listed, list), "check-json-shape", out[:200])
    for item in listed:
        require(isinstance(item, dict) and set(item) == JSON_KEYS, "check-json-keys", repr(item))
        line, column = item["line"], item["column"]
        placed = isinstance(line, int) and isinstance(column, int) and line >= 1 and column >= 1
        require(placed or (line is None and column is None), "check-json-place", repr(item))
        require(item["severity"] in SEVERITIES, "check-json-severity", repr(item))
    direct = sorted(json.dumps(f.to_json(), sort_keys=True) for f in r.findings)
    shown = sorted(json.dumps(item, sort_keys=True) for item in listed)
    require(direct == shown, "check-json-differs-from-findings", f"{direct} != {shown}")


def check_text(r: Rendering) -> None:
    out = r.outputs.get("check-text")
    if out is None:
        return
    # lines end at \n only: str.splitlines would also split at \x1c, \x85 ... from the file
    lines = out.removesuffix("\n").split("\n")
    require(bool(lines) and bool(_SUMMARY.match(lines[-1])), "check-text-summary", out[-200:])
    body = [ln for ln in lines[:-1] if not ln.startswith("    ")]
    require(len(body) == len(r.findings), "check-text-count", f"{len(body)} != {len(r.findings)}")
    for ln in body:
        require(bool(_FINDING_LINE.match(ln)), "check-text-line", repr(ln))


def expected_exit(r: Rendering) -> int:
    if r.errors:
        return 2
    return 1 if any(f.severity == "error" for f in r.findings) else 0


def check_exit(r: Rendering) -> None:
    want = expected_exit(r)
    for name, code in r.codes.items():
        if name.startswith("show-"):  # show refuses only a HOST it cannot read
            require(code == 0, "show-exit-status", f"{name}: {code}")
        else:
            require(code == want, "check-exit-status", f"{name}: {code}, expected {want}")


def check_show_json(r: Rendering) -> None:
    for c in r.checked:
        out = r.outputs.get(f"show-json-{c.loaded.path}")
        if out is None:
            continue
        try:
            doc = json.loads(out)
        except ValueError as exc:
            raise PropertyViolation("show-json-invalid", f"{exc}: {out[:200]!r}") from None
        keys = {"hostname", "interfaces", "vhids"}
        require(isinstance(doc, dict) and keys <= set(doc), "show-json-keys", out[:200])


def check_rendering(r: Rendering) -> None:
    check_errors(r)
    sources: dict[str, tuple[str, ...]] = {}
    for c in r.checked:
        sources.update(c.loaded.sources)
        check_model(c)
    for f in r.findings:
        check_finding(f, sources)
    check_json(r)
    check_text(r)
    check_show_json(r)
    check_exit(r)


# --- pass values ------------------------------------------------------------------------------


def pass_values(checked: Iterable[CheckedHost]) -> set[str]:
    """The pass of every vhid that has one, as the key holds it (first 19 bytes)."""
    out: set[str] = set()
    for c in checked:
        for v in c.host.vhids:
            if v.pass_set:
                out.add(v.key.split(b"\0", 1)[0].decode("utf-8", "ignore"))
    return out


def only_after_pass(secret: str, texts: Iterable[str]) -> bool:
    """Every occurrence of `secret` in the sources follows a `pass` keyword (quotes allowed)."""
    after = re.compile(r"\bpass[\s\"'\\]+" + re.escape(secret))
    return all(t.count(secret) == len(after.findall(t)) for t in texts)


def host_secrets(c: CheckedHost) -> set[str]:
    """This host's passes that only ever appear as passes in its files."""
    texts = ["\n".join(lines) for lines in c.loaded.sources.values()]
    return {s for s in pass_values([c]) if len(s) >= MIN_SECRET and only_after_pass(s, texts)}


@dataclass(frozen=True)
class Shown:
    """A line rcnet printed, and the host it speaks for (None: several or none)."""

    output: str
    host: str | None
    line: str


def shown_lines(r: Rendering) -> Iterator[Shown]:
    """Every printed line, attributed to its host: a host's findings may quote its own files,
    so a word that is a pass elsewhere (another host's) is no leak there."""
    owners = [
        (prefix + ":", c.name)
        for c in r.checked
        for prefix in (*c.loaded.sources, c.loaded.path, c.name)
    ]
    host: str | None = None
    for line in r.outputs.get("check-text", "").split("\n"):
        if not line.startswith("    "):  # a finding line; source and caret lines follow it
            host = next((h for p, h in owners if line.startswith(p)), None)
            if re.search(r"\[(CA05|CA06|CA07)\]$", line):
                host = None
        yield Shown("check-text", host, line)
    if "check-json" in r.outputs:
        for item in json.loads(r.outputs["check-json"])["findings"]:
            owner = None if item["code"] in CROSS_HOST else item["host"]
            yield Shown("check-json", owner, item["message"])
    for c in r.checked:
        for form in r.show_formats:
            for line in r.outputs[f"show-{form}-{c.loaded.path}"].split("\n"):
                yield Shown(f"show-{form}", c.name, line)
    for name, text in r.outputs.items():
        if name.endswith("-stderr"):
            yield from (Shown(name, None, line) for line in text.split("\n"))


def suspected_leaks(r: Rendering) -> list[tuple[str, Shown]]:
    """(pass, where it showed) for each pass that a line speaking for its host prints."""
    secrets = {c.name: host_secrets(c) for c in r.checked}
    everyone = set().union(*secrets.values())
    found: dict[str, Shown] = {}
    for shown in shown_lines(r):
        candidates = everyone if shown.host is None else secrets.get(shown.host, set())
        for s in candidates:
            if s in shown.line:
                found.setdefault(s, shown)
    return sorted(found.items())


def replace_secret(hosts: Sequence[HostInput], secret: str) -> list[HostInput]:
    raw = secret.encode()
    other = b"Q" * len(raw)
    return [
        HostInput(h.directory, tuple((n, b.replace(raw, other)) for n, b in h.files)) for h in hosts
    ]


def check_pass_leaks(r: Rendering, hosts: Sequence[HostInput], where: Path) -> None:
    """Confirm each suspected leak against the same input with that pass replaced.

    The control is written to the same place, so paths in the output stay the same.
    """
    for secret, shown in suspected_leaks(r):
        paths = materialize(replace_secret(hosts, secret), where)
        control = render(paths, r.formats, r.show_formats)
        if secret in control.all_output():
            continue
        raise PropertyViolation(
            f"pass-value-printed[{leak_kind(shown.output, shown.line)}]",
            f"{secret!r} in {shown.output} of {shown.host or 'the run'}: {shown.line!r}",
        )


def leak_kind(output: str, line: str) -> str:
    """Where a pass showed: a source line under a finding, a message, or the model."""
    if output.startswith("show-"):
        return "show"
    if output == "check-text" and line.startswith("    "):
        return "source-line"
    return "stderr" if output.endswith("stderr") else "message"


def check_hosts(
    hosts: Sequence[HostInput],
    root: Path,
    formats: Iterable[str] = ("json", "text"),
    show_formats: Iterable[str] = ("text", "json"),
) -> Rendering:
    """Write `hosts` under root, run everything on them and check every property."""
    r = render(materialize(hosts, root), formats, show_formats)
    check_rendering(r)
    check_pass_leaks(r, hosts, root)
    return r


def check_input(data: bytes, root: Path) -> Rendering:
    """A fuzz input: both check formats; the mode byte's top bit picks show's (each show
    reads the host again, so one form per input keeps the target fast)."""
    show = ("json",) if data[:1] and data[0] & 0x80 else ("text",)
    return check_hosts(decode_input(data), root, show_formats=show)
