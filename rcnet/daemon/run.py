"""`rcnet start` after the check: dry run, single instance, apply, then the asyncio service.

The host's configuration (addresses, routes, bridges, forwarding) is applied once before the
event loop starts (pyroute2's synchronous calls must not run inside the loop). The CARP
macvlans are created down with their addresses; the service brings them up only while MASTER.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rcnet.daemon.control import control_path, daemon_answers
from rcnet.daemon.options import StartOptions
from rcnet.model import Host
from rcnet.text import escape

log = logging.getLogger("rcnet")


class StartError(Exception):
    """start cannot go on: one line, exit 1."""


def escape_message(record: logging.LogRecord) -> bool:
    """Every log line is one line of text: a message quoting file content (a hostname, a
    description, a file name), a hook's output or an error is escaped (rcnet.text), so that no
    newline or escape sequence in it can start a forged line or drive the terminal showing the
    log. A filter on the handler, whatever its formatter (plain or the journal's)."""
    record.msg = escape(record.getMessage())
    record.args = None
    return True


def setup_logging(level: str) -> None:
    from rcnet.journal import formatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(sys.stderr))
    handler.addFilter(escape_message)
    root = logging.getLogger("rcnet")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False


def effective_ifmap(host: Host, options: StartOptions) -> dict[str, str]:
    """rcnet_ifmap from the rc.conf, overridden by --map."""
    return {**dict(host.ifmap), **options.ifmap}


LOCK_DIR = "/run/rcnet"


@contextmanager
def single_instance(path: str, host: Host) -> Iterator[None]:
    """Refuse a second daemon in this network namespace (it would take the first one's
    macvlans for leftovers), or on the same control socket. The locks are fixed names in
    checked directories (rundir): `netns-INODE.lock` in /run/rcnet and `SOCKET.lock` beside
    the socket; a killed daemon's lock is taken over, never accumulated."""
    with contextlib.ExitStack() as stack:
        _take_locks(stack, path, host)
        if daemon_answers(path):
            raise StartError(f"another rcnet daemon answers on {path}")
        yield


def _take_locks(stack: contextlib.ExitStack[bool | None], path: str, host: Host) -> None:
    from rcnet.daemon import rundir

    host_lock = f"netns-{os.stat('/proc/self/ns/net').st_ino}.lock"
    directory, sock = os.path.split(os.path.abspath(path))
    try:
        lock_fd = rundir.open_dir(LOCK_DIR)
        stack.callback(os.close, lock_fd)
        try:
            stack.enter_context(rundir.held(lock_fd, host_lock))
        except rundir.LockBusy:
            raise StartError(
                f"another rcnet start is running for {host.name} in this network namespace"
            ) from None
        rundir.prune_locks(lock_fd, "netns-", host_lock)
        dir_fd = rundir.open_dir(directory)
        stack.callback(os.close, dir_fd)
        try:
            stack.enter_context(rundir.held(dir_fd, sock + ".lock"))
        except rundir.LockBusy:
            raise StartError(f"another rcnet start is running with control socket {path}") from None
    except rundir.UnsafeRuntimeDir as exc:
        raise StartError(f"{exc}; nothing was changed") from None
    except OSError as exc:  # the directory (named in full) or a lock in it
        name = str(exc.filename or "")
        what = os.path.join(directory, name) if name else directory
        raise StartError(f"{what}: {exc.strerror or exc}; nothing was changed") from None


#: sun_path of struct sockaddr_un holds 108 bytes, the terminating NUL included
SUN_PATH_MAX = 107


def check_control_path(path: str) -> None:
    """Refuse, before changing anything, a control socket path no unix socket can bind."""
    size = len(os.fsencode(path))
    if size > SUN_PATH_MAX:
        raise StartError(
            f"control socket path is {size} bytes, more than a unix socket takes"
            f" ({SUN_PATH_MAX}): {path}"
        )


def dry_run(host: Host, ifmap: dict[str, str]) -> int:
    from rcnet.linux import netlink

    try:
        changes = netlink.plan(host, ifmap)
    except netlink.PlanError as exc:
        raise StartError(str(exc)) from None
    for change in changes:
        print(change.describe())
    if not changes:
        print("# nothing to change")
    print(f"# {len(changes)} change(s); --dry-run made none")
    return 0


def delete_vhid_links(names: set[str] | None = None) -> tuple[list[str], list[str]]:
    """Delete rcnet's vhid macvlans (their addresses go with them): those named, or every one
    in the namespace. Returns (what was deleted, one line per failure)."""
    from rcnet.linux import netlink
    from rcnet.linux.changes import DeleteLink
    from rcnet.linux.owned import is_vhid_macvlan

    state = netlink.snapshot()
    ours = {lk.name for lk in state.links if is_vhid_macvlan(lk.name, lk.kind, lk.mac, lk.alias)}
    wanted = ours if names is None else ours & names
    gone = [
        c
        for c in netlink.leftovers(state=state)
        if isinstance(c, DeleteLink) and c.ifname in wanted
    ]
    failures = netlink.apply(gone, best_effort=True)
    return [c.describe() for c in gone], failures


def clear_leftovers() -> None:
    """The vhid macvlans (and their addresses) of an earlier run that did not stop cleanly."""
    deleted, failures = delete_vhid_links()
    for failure in failures:
        log.warning("rcnet: could not clear a leftover: %s", failure)
    for line in deleted:
        log.info("rcnet: cleared leftover of an earlier run: %s", line)


def apply_host(host: Host, ifmap: dict[str, str]) -> None:
    from rcnet.linux import netlink

    try:
        changes = netlink.plan(host, ifmap)
    except netlink.PlanError as exc:
        raise StartError(str(exc)) from None
    try:
        netlink.apply(changes)
    except netlink.ApplyError as exc:
        raise StartError(f"{exc}; the changes before it stay applied") from None
    for change in changes:
        log.debug("rcnet: applied: %s", change.describe())
    log.info("rcnet: applied %d change(s) for %s", len(changes), host.name)


def log_left_to_system(host: Host) -> None:
    for iface in host.interfaces:
        for item in iface.left_to_system:
            log.info("rcnet: %s: %s is left to the Linux system", iface.name, item)


def run_host(host: Host, options: StartOptions) -> int:
    setup_logging(options.log_level)
    ifmap = effective_ifmap(host, options)
    try:
        if options.dry_run:
            return dry_run(host, ifmap)
        if os.geteuid() != 0:
            raise StartError("rcnet start needs root (CAP_NET_ADMIN and CAP_NET_RAW)")
        path = control_path(options.control)
        check_control_path(path)
        with single_instance(path, host):
            if options.metrics is not None:  # before any change: a port in use changes nothing
                from rcnet.daemon.exporter import serve

                serve(*options.metrics, path)
                log.info("rcnet: metrics at http://%s:%d/metrics", *options.metrics)
            clear_leftovers()
            apply_host(host, ifmap)
            if options.set_hostname and host.hostname:
                socket.sethostname(host.hostname)
                log.info("rcnet: hostname %s", host.hostname)
            log_left_to_system(host)
            from rcnet.daemon.service import Service

            service = Service(host, options, ifmap, path)
            return asyncio.run(service.run())
    except StartError as exc:
        print(escape(f"rcnet start: {exc}"), file=sys.stderr)
        return 1
    except OSError as exc:  # a control directory that cannot be made, a socket that cannot bind
        where = f": {exc.filename}" if exc.filename else ""
        print(escape(f"rcnet start: {exc.strerror or exc}{where}"), file=sys.stderr)
        return 1
