"""Clients do not trust a control socket blindly (issue 12): a fake server (owned by the caller,
so the owner check passes) sends malformed JSON, wrong types, a huge answer or control
characters, and every client command answers with one line naming the socket and what was wrong
(exit 3, spec/cli.md: no rcnet daemon answers there), never a traceback or a repr."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from rcnet.daemon.answers import BadAnswer, decode
from rcnet.daemon.control import MAX_ANSWER, request

ROOT = Path(__file__).resolve().parents[2]

GOOD_VHID = {
    "vhid": 1,
    "interface": "carp0",
    "parent": "fxp0",
    "state": "MASTER",
    "carpver": 2,
    "advbase": 1,
    "advskew": 0,
    "peer": None,
    "peer6": None,
    "addresses": ["192.168.1.50/24"],
    "since": 1.5,
}


def status_with(**fields: object) -> bytes:
    vhid = {**GOOD_VHID, **fields}
    return answer({"ok": True, "host": "a", "vhids": [vhid], "counters": {}, "links": {}})


def answer(doc: object) -> bytes:
    return json.dumps(doc).encode() + b"\n"


class FakeDaemon:
    """A unix socket server of this test's own uid that answers each request's `cmd` with
    canned bytes (then closes), until stopped; every wait in it is bounded."""

    def __init__(self, path: Path, replies: Mapping[str, bytes]) -> None:
        self.replies = replies
        self.path = path
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(8)
        self.server.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn, contextlib.suppress(OSError):
                conn.settimeout(5)
                line = conn.makefile("rb").readline(65536)
                cmd = json.loads(line).get("cmd", "")
                conn.sendall(self.replies.get(cmd, b"{}\n"))

    def stop(self) -> None:
        self.running = False
        self.thread.join(5)
        self.server.close()
        self.path.unlink()


@contextlib.contextmanager
def fake(tmp_path: Path, replies: Mapping[str, bytes]) -> Iterator[Path]:
    path = tmp_path / "fake.sock"
    daemon = FakeDaemon(path, replies)
    try:
        yield path
    finally:
        daemon.stop()


def rcnet(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rcnet", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


# (command line, the request the fake answers, its answer, what the error line must say)
MALFORMED = [
    # the defects found in review: status KeyError, ifconfig/reload/diff TypeError, stop a repr
    (
        ["status"],
        "status",
        answer({"ok": True, "vhids": [{"vhid": 1}]}),
        "vhids[0].interface: missing",
    ),
    (["status"], "status", status_with(advbase="x"), "vhids[0].advbase: not an integer, not 'x'"),
    (["status"], "status", status_with(state="PWNED"), "vhids[0].state: not one of"),
    (
        ["status"],
        "status",
        status_with(addresses=["nope"]),
        "vhids[0].addresses[0]: not an address",
    ),
    (
        ["status", "--json"],
        "status",
        answer({"ok": True, "vhids": 3, "counters": {}}),
        "vhids: not a list",
    ),
    (["status"], "status", b"this is not json\n", "not JSON"),
    (["status"], "status", b"\xff\xfe\n", "not UTF-8"),
    (["status"], "status", answer([1, 2]), "not a JSON object"),
    (["status"], "status", answer({"vhids": []}), "ok: not true or false"),
    (
        ["ifconfig", "carp0", "down"],
        "ifconfig",
        answer({"ok": True, "lines": 5}),
        "lines: not a list",
    ),
    (["ifconfig"], "status", status_with(vhid=None), "vhids[0].vhid: not an integer"),
    (["reload"], "reload", answer({"ok": True, "changes": 5}), "changes: not a list"),
    (
        ["reload"],
        "reload",
        answer({"ok": False, "error": "no", "findings": [5]}),
        "findings[0]: not an object",
    ),
    (
        ["stop"],
        "stop",
        answer({"ok": True, "lines": [{"a": 1}]}),
        'lines[0]: not a string, not {"a": 1}',
    ),
    (["sysctl", "-a"], "sysctl", answer({"ok": True, "lines": [None]}), "lines[0]: not a string"),
    (["metrics"], "status", status_with(since="soon"), "vhids[0].since: not a number"),
    # JSON allows any number of digits: float() of this one raised OverflowError (a traceback)
    (["status"], "status", status_with(since=10**400), "vhids[0].since: out of range"),
    (["status"], "status", status_with(advbase=10**30), "vhids[0].advbase: out of range"),
    (["stop"], "stop", answer({"ok": False, "error": 7}), "error: not a string"),
    # control characters in a malformed value are escaped in the error line
    (
        ["status"],
        "status",
        answer({"ok": True, "vhids": "\x1b]0;x\x07", "counters": {}}),
        "\\x1b]0;x\\x07",
    ),
]


@pytest.mark.parametrize(("argv", "cmd", "reply", "said"), MALFORMED)
def test_malformed_answer_is_one_line_exit_3(
    tmp_path: Path, argv: list[str], cmd: str, reply: bytes, said: str
) -> None:
    with fake(tmp_path, {"sysctl": answer({"ok": True, "lines": []}), cmd: reply}) as path:
        out = rcnet(*argv, "--control", str(path))
    assert out.returncode == 3, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert str(path) in lines[0] and f"malformed answer to {cmd}" in lines[0]
    assert said in lines[0]
    assert "\x1b" not in out.stderr + out.stdout and "\x07" not in out.stderr + out.stdout


def test_diff_with_a_malformed_daemon_compares_the_kernel_only(tmp_path: Path) -> None:
    # diff's TypeError came from `"links": 5`; with no daemon diff still compares the kernel
    rc = tmp_path / "h.conf"
    rc.write_text('hostname="h"\n')  # configures nothing: no kernel difference
    bad = answer({"ok": True, "vhids": [], "counters": {}, "links": 5})
    with fake(tmp_path, {"status": bad}) as path:
        out = rcnet("diff", str(rc), "--control", str(path))
    assert out.returncode == 3, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert f"{path}: malformed answer to status: links: not an object, not 5" in out.stderr


def test_control_characters_in_a_good_answer_are_escaped(tmp_path: Path) -> None:
    forged = "\x1b]0;owned\x07\nrcnet: forged line"
    with fake(tmp_path, {"stop": answer({"ok": True, "lines": [forged]})}) as path:
        out = rcnet("stop", "--control", str(path))
    assert out.returncode == 0, out.stderr
    assert out.stdout == "\\x1b]0;owned\\x07\\nrcnet: forged line\n"
    with fake(tmp_path, {"stop": answer({"ok": False, "error": forged})}) as path:
        out = rcnet("stop", "--control", str(path))
    assert out.returncode == 1
    assert out.stderr == "rcnet stop: \\x1b]0;owned\\x07\\nrcnet: forged line\n"


def test_a_huge_answer_is_refused_after_the_bound(tmp_path: Path) -> None:
    endless = b'{"ok": true, "lines": ["' + b"a" * (MAX_ANSWER + 10)
    with fake(tmp_path, {"status": endless}) as path:
        out = rcnet("status", "--control", str(path))
    assert out.returncode == 3
    assert len(out.stderr.strip().splitlines()) == 1
    assert f"the answer is longer than {MAX_ANSWER} bytes" in out.stderr


def test_a_dripping_server_cannot_hold_the_client_past_its_timeout(tmp_path: Path) -> None:
    path = tmp_path / "drip.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    stop = threading.Event()

    def drip() -> None:
        server.settimeout(5)
        with contextlib.suppress(OSError):
            conn, _ = server.accept()
            with conn:
                deadline = time.monotonic() + 5  # bounded, even against a client that waits
                while not stop.wait(0.1) and time.monotonic() < deadline:
                    conn.sendall(b" ")  # one byte every 0.1 s, never a newline

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    try:
        with pytest.raises(TimeoutError):
            request(str(path), {"cmd": "status"}, timeout=1.0)
    finally:
        stop.set()
        thread.join(5)
        server.close()


def test_the_decoder_keeps_only_known_fields() -> None:
    got = decode("stop", {"ok": True, "lines": ["x"], "extra": object()})
    assert (got.ok, got.body) == (True, {"lines": ["x"]})
    with pytest.raises(BadAnswer, match="advskew: not an integer, not true"):
        decode("status", json.loads(status_with(advskew=True)))
