"""The control socket: one JSON request per line, one JSON answer per line.

Requests: {"cmd": "status"}, {"cmd": "ifconfig", "if": "carp0", "action": "down"},
{"cmd": "ifconfig", "if": "fxp0", "vhid": 1, "state": "master"},
{"cmd": "sysctl", "name": "net.inet.carp.preempt", "value": "1"} (value optional),
{"cmd": "stop"}. Answers: {"ok": true, ...} or {"ok": false, "error": "..."}.
The socket is created mode 0600 in a checked directory of mode 0700 (rundir): root only;
clients trust an answer only from a daemon running as root or as themselves (SO_PEERCRED).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import os
import socket
import struct
import time
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("rcnet.control")

DEFAULT_CONTROL = "/run/rcnet/rcnet.sock"
MAX_REQUEST = 64 * 1024

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def control_path(explicit: str | None) -> str:
    return explicit or os.environ.get("RCNET_CONTROL") or DEFAULT_CONTROL


def daemon_answers(path: str, timeout: float = 1.0) -> bool:
    """True when something accepts connections on the control socket."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(path)
        except OSError:
            return False
    return True


#: the longest answer a client reads (a status of 255 vhids is about 100 KB)
MAX_ANSWER = 16 * 1024 * 1024


class UntrustedSocket(OSError):
    """The control socket is served by a process of another user: not rcnet's daemon."""


def peer_uid(sock: socket.socket) -> int:
    """The uid of the process serving a connected unix socket (SO_PEERCRED)."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


def request(path: str, message: dict[str, Any], timeout: float = 10.0) -> Any:
    """Send one request and return the answer's JSON value (unchecked: answers.ask checks it).
    OSError when no daemon answers, or when the one answering is not root or the caller (a fake
    socket put in the daemon's place); ValueError when the answer is not one line of JSON of at
    most MAX_ANSWER bytes within `timeout` seconds (in all, not per read)."""
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(path)
        uid = peer_uid(sock)
        if uid not in (0, os.geteuid()):
            raise UntrustedSocket(
                errno.EPERM, f"the socket is served by uid {uid}, not root: not rcnet's daemon"
            )
        sock.sendall(json.dumps(message).encode() + b"\n")
        data = _read_line(sock, deadline)
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("the answer is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"the answer is not JSON ({exc.msg} at byte {exc.pos})") from None


def _read_line(sock: socket.socket, deadline: float) -> bytes:
    """The answer's one line (without its newline), read within MAX_ANSWER bytes by `deadline`."""
    buffer = bytearray()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(errno.ETIMEDOUT, "no complete answer in time")
        sock.settimeout(left)
        data = sock.recv(65536)
        end = data.find(b"\n")
        if end >= 0:
            data = data[:end]
        if len(buffer) + len(data) > MAX_ANSWER:
            raise ValueError(f"the answer is longer than {MAX_ANSWER} bytes")
        buffer += data
        if end >= 0 or not data:
            return bytes(buffer)


class ControlServer:
    def __init__(self, path: str, handler: Handler) -> None:
        self.path = path
        self.handler = handler
        self._server: asyncio.base_events.Server | None = None
        self._dir_fd: int | None = None
        self._name = ""
        self._inode = (0, 0)

    async def start(self) -> None:
        """Bind in the checked runtime directory (rundir), through its fd: the socket is made
        mode 0600 by the umask before it exists, and no path is resolved after the check."""
        from rcnet.daemon import rundir

        directory, self._name = os.path.split(os.path.abspath(self.path))
        self._dir_fd = rundir.open_dir(directory)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._name, dir_fd=self._dir_fd)  # stale: nobody answers there (checked)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)
        try:
            sock.bind(rundir.fd_path(self._dir_fd, self._name))
        except BaseException:
            sock.close()
            raise
        finally:
            os.umask(old_umask)
        st = os.stat(self._name, dir_fd=self._dir_fd, follow_symlinks=False)
        self._inode = (st.st_dev, st.st_ino)
        self._server = await asyncio.start_unix_server(self._serve, sock=sock, limit=MAX_REQUEST)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self._dir_fd is not None:
            # only our own socket: whatever else was put at the name stays
            with contextlib.suppress(OSError):
                st = os.stat(self._name, dir_fd=self._dir_fd, follow_symlinks=False)
                if (st.st_dev, st.st_ino) == self._inode:
                    os.unlink(self._name, dir_fd=self._dir_fd)
            os.close(self._dir_fd)
            self._dir_fd = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), 5.0)
            try:
                message = json.loads(line)
                if not isinstance(message, dict):
                    raise ValueError("not an object")
                answer = await self.handler(message)
            except (ValueError, json.JSONDecodeError) as exc:
                answer = {"ok": False, "error": f"bad request: {exc}"}
            writer.write(json.dumps(answer).encode() + b"\n")
            await writer.drain()
        except (TimeoutError, ConnectionError, asyncio.LimitOverrunError, ValueError):
            pass
        except Exception:  # a bug in one request must not take the daemon down
            log.exception("control request failed")
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
