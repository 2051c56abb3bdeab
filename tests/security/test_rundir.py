"""Issue 12, attack 1 (the runtime directory), on the file system alone: the checks of
rcnet.daemon.rundir and the client's check of who serves the socket. The daemon-level tests
are in tests/daemon/test_hostile.py."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from lab import nobody

from rcnet.daemon import rundir
from rcnet.daemon.control import UntrustedSocket, request

NOBODY = nobody.NOBODY
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (chown to nobody)")


@pytest.fixture
def nobodys_home() -> Iterator[Path]:
    with nobody.nobodys_home() as home:
        yield home


def test_a_directory_of_another_user_or_too_open_is_refused(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, NOBODY, NOBODY)
    with pytest.raises(rundir.UnsafeRuntimeDir, match="owned by uid 65534"):
        rundir.open_dir(str(theirs))
    with pytest.raises(rundir.UnsafeRuntimeDir, match="owned by uid 65534"):
        rundir.open_dir(str(theirs / "below"))  # an ancestor of theirs: they could rename it
    wide = tmp_path / "wide"
    wide.mkdir()
    wide.chmod(0o755)
    with pytest.raises(rundir.UnsafeRuntimeDir, match="has mode 0755"):
        rundir.open_dir(str(wide))
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "real").mkdir(mode=0o700)
    with pytest.raises(rundir.UnsafeRuntimeDir, match="symbolic link"):
        rundir.open_dir(str(tmp_path / "link"))


def test_a_missing_directory_is_created_0700(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        fd = rundir.open_dir(str(tmp_path / "a" / "b"))
    finally:
        os.umask(old)
    os.close(fd)
    assert (tmp_path / "a" / "b").stat().st_mode & 0o777 == 0o700


def test_a_symlinked_lock_is_never_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    d = tmp_path / "run"
    d.mkdir(mode=0o700)
    (d / "rcnet.sock.lock").symlink_to(victim)
    fd = rundir.open_dir(str(d))
    try:
        with pytest.raises(OSError):
            rundir.take_lock(fd, "rcnet.sock.lock")
    finally:
        os.close(fd)
    assert victim.read_text() == "precious\n"


def test_a_killed_holders_lock_is_taken_over_and_pruned(tmp_path: Path) -> None:
    d = tmp_path / "run"
    d.mkdir(mode=0o700)
    fd = rundir.open_dir(str(d))
    ready, tell = os.pipe()
    pid = os.fork()
    if pid != 0:
        os.close(tell)
    else:  # a daemon that holds the lock and is killed
        try:
            rundir.take_lock(fd, "netns-1.lock")
            os.write(tell, b"1")
            signal.pause()
        finally:
            os._exit(0)
    assert os.read(ready, 1) == b"1"
    with pytest.raises(rundir.LockBusy):
        rundir.take_lock(fd, "netns-1.lock")
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    lock = rundir.take_lock(fd, "netns-1.lock")  # the stale lock, reused
    assert (d / "netns-1.lock").read_text() == f"{os.getpid()}\n"
    (d / "netns-2.lock").write_text("1\n")  # a killed daemon's, in a namespace gone
    assert rundir.prune_locks(fd, "netns-", "netns-1.lock") == ["netns-2.lock"]
    rundir.release_lock(fd, "netns-1.lock", lock)
    assert sorted(p.name for p in d.iterdir()) == []
    os.close(fd)


def test_the_client_trusts_no_socket_of_another_user(nobodys_home: Path) -> None:
    path = nobodys_home / "rcnet.sock"
    with (
        nobody.served_by_nobody(path, {"ok": True, "lines": ["stopped"]}),
        pytest.raises(UntrustedSocket, match="served by uid 65534"),
    ):
        request(str(path), {"cmd": "stop"}, timeout=5)


def test_the_control_server_binds_0600_through_the_directory_and_removes_its_socket(
    tmp_path: Path,
) -> None:
    import asyncio
    import stat

    from rcnet.daemon.control import ControlServer

    d = tmp_path / "run"
    d.mkdir(mode=0o700)
    path = str(d / "rcnet.sock")

    async def handler(message: dict[str, object]) -> dict[str, object]:
        return {"ok": True, "lines": [f"got {message['cmd']}"]}

    async def main() -> dict[str, object]:
        server = ControlServer(path, handler)
        await server.start()
        assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600
        answer = await asyncio.to_thread(request, path, {"cmd": "status"}, 5)
        await server.close()
        return answer

    old = os.umask(0o022)
    try:
        assert asyncio.run(main()) == {"ok": True, "lines": ["got status"]}
    finally:
        os.umask(old)
    assert not os.path.lexists(path)


def test_single_instance_locks_without_file_content_and_leaves_nothing(tmp_path: Path) -> None:
    from rcnet.daemon.run import LOCK_DIR, StartError, single_instance
    from rcnet.model import Host

    d = tmp_path / "run"
    path = str(d / "rcnet.sock")
    host = Host(name="h" * 300, hostname=None, source="t.conf")  # was in the lock name
    netns = f"netns-{os.stat('/proc/self/ns/net').st_ino}.lock"
    with single_instance(path, host):
        assert sorted(p.name for p in d.iterdir()) == ["rcnet.sock.lock"]
        assert (Path(LOCK_DIR) / netns).exists()
        with (
            pytest.raises(StartError, match="in this network namespace"),
            single_instance(str(tmp_path / "other.sock"), host),
        ):
            pass
    assert sorted(p.name for p in d.iterdir()) == []
    assert not (Path(LOCK_DIR) / netns).exists()
