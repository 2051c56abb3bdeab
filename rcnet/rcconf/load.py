"""Read a HOST the way FreeBSD's rc does (rcconf.md §1, cli.md "Hosts").

A HOST is a file (that host's rc.conf) or an etc directory. For a directory, in order:
1. the built-in network defaults, then `defaults/rc.conf` and `defaults/vendor.conf` if the
   directory has them (their values are defaults too);
2. each file of `rc_conf_files`, in order, skipping names already seen (read or not, as
   rc's source_rc_confs does) and unreadable files; then a second pass over the (possibly
   changed) `rc_conf_files` reading only names not seen yet. No third pass;
3. per rc.d script, on a copy of that environment: `rc.conf.d/<name>` (a file, or a
   directory whose files are read in sorted order): hostname <- hostname; netif <- network
   then netif; routing <- routing;
4. `sysctl.conf` (and `sysctl.conf.local`) for `net.inet.carp.*`.

Paths in `rc_conf_files` under `/etc` are taken relative to the directory; other paths are
not read (info finding). Only the HOST `/etc` itself reads the machine's own /etc.

A single-file HOST plays the role of /etc/rc.conf and is the only file read: a file passed
on its own is a whole host (fixtures often sit side by side, so a neighbouring
`rc.conf.local` may well belong to another host). When the file changes `rc_conf_files` to
name other files, an info finding says they were not read and to pass the directory.
"""

from __future__ import annotations

import os
import posixpath
import stat
from pathlib import Path
from typing import BinaryIO

from rcnet.findings import Finding, Location, Severity
from rcnet.rcconf.defaults import NETWORK_DEFAULTS, default_environment
from rcnet.rcconf.duplicates import duplicate_findings
from rcnet.rcconf.env import SCOPES, BinaryFileError, Environment, HostError, LoadedHost, Value
from rcnet.rcconf.evaluate import evaluate_file
from rcnet.rcconf.scan import UNPARSEABLE
from rcnet.rcconf.source import SourceFile
from rcnet.rcconf.sysctl import read_sysctl

#: rc.conf files are a few KB; anything this big is not one (and would only cost time and
#: memory: every character of a value gets its own Location)
MAX_FILE_BYTES = 1024 * 1024

#: per rc.d script, the rc.conf.d names it reads (rcconf.md §1)
SCOPE_FILES: dict[str, tuple[str, ...]] = {
    "hostname": ("hostname",),
    "netif": ("network", "netif"),
    "routing": ("routing",),
}
_DEFAULT_RC_CONF_FILES = dict(NETWORK_DEFAULTS)["rc_conf_files"]


def load_host(path: str) -> LoadedHost:
    """Read HOST `path` (a file or an etc directory); HostError when it cannot be read."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise HostError(path, "no such file or directory") from None
    except (OSError, ValueError) as exc:
        raise HostError(path, _reason(exc)) from None
    if stat.S_ISDIR(st.st_mode):
        return _Loader(path, Path(path)).load_directory()
    if not stat.S_ISREG(st.st_mode):
        raise HostError(path, "not a regular file or a directory")
    src = _read_host_file(path, path)
    return _Loader(path, None).load_single(src)


#: how standard input is named in locations (`rcnet check -`)
STDIN = "<stdin>"


def load_stdin(stream: BinaryIO) -> LoadedHost:
    """Read a single-file HOST from standard input (`check -`: a pre-commit hook's staged
    content); its file is named `<stdin>` in locations."""
    try:
        data = stream.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise HostError(STDIN, _reason(exc)) from None
    if len(data) > MAX_FILE_BYTES:
        raise HostError(STDIN, f"more than {MAX_FILE_BYTES} bytes: too big for an rc.conf file")
    if binary(data):  # the same refusal as a binary HOST file
        raise BinaryFileError(STDIN, binary(data))
    return _Loader(STDIN, None).load_single(SourceFile.from_bytes(STDIN, data))


def load_text(text: str, name: str = "rc.conf") -> LoadedHost:
    """Read rc.conf text as a single-file host named `name` (for tests and tools)."""
    return _Loader(name, None).load_single(SourceFile(name, text))


def path_name(path: str) -> str:
    """The host name a path gives (cli.md): file stem without `.conf`; `rc.conf` and a
    directory named `etc` take their parent directory's name."""
    p = Path(os.path.abspath(path))
    is_dir = os.path.isdir(p)
    if not is_dir:
        if p.name != "rc.conf":
            return p.name[:-5] if p.name.endswith(".conf") and len(p.name) > 5 else p.name
        p = p.parent
    if p.name == "etc":
        p = p.parent
    return p.name or "localhost"


class _Loader:
    def __init__(self, host: str, root: Path | None) -> None:
        self.host = host
        #: the etc directory (None for a single-file HOST)
        self.root = root
        self.files: list[str] = []
        self.sources: dict[str, tuple[str, ...]] = {}
        self.findings: list[Finding] = []
        #: files sh cannot parse
        self.unparseable: list[str] = []

    # --- the two kinds of HOST ---------------------------------------------------------------

    def load_single(self, src: SourceFile) -> LoadedHost:
        env = default_environment()
        self._evaluate(src, env)
        default = _DEFAULT_RC_CONF_FILES.split()
        extra = [w for w in _rc_conf_files(env) if w not in default]
        value = env.get("rc_conf_files")
        if value is not None and not value.default and extra:
            self._info(
                f"rc_conf_files names {' '.join(extra)}: a single-file HOST reads only "
                f"itself, so {'it is' if len(extra) == 1 else 'they are'} not read; pass the "
                "etc directory instead",
                value.loc,
            )
        scopes = {name: env for name in SCOPES}
        return self._result(env, scopes, {})

    def load_directory(self) -> LoadedHost:
        assert self.root is not None
        main = _kind(self.root / "rc.conf")
        if main is None:
            raise HostError(self.host, "not an etc directory: it has no rc.conf")
        if main != "file" or not os.access(self.root / "rc.conf", os.R_OK):
            raise HostError(self.host, "its rc.conf is not a readable file")
        env = default_environment()
        for name in ("defaults/rc.conf", "defaults/vendor.conf"):
            src = self._read(self.root / name)
            if src is not None:
                self._evaluate(src, env, defaults=True)
        self._source_rc_confs(env)
        scopes = {name: self._scope(env, name) for name in SCOPES}
        sysctls: dict[str, Value] = {}
        for name in ("sysctl.conf", "sysctl.conf.local"):
            src = self._read(self.root / name)
            if src is not None:
                self.files.append(src.name)
                self.sources[src.name] = src.lines()
                read_sysctl(src, sysctls, self.findings)
        return self._result(env, scopes, sysctls)

    # --- rc's order ------------------------------------------------------------------------

    def _source_rc_confs(self, env: Environment) -> None:
        seen: set[str] = set()
        for _ in range(2):  # rc's source_rc_confs: a second pass, never a third
            value = env.get("rc_conf_files")
            if value is not None and value.text is None:
                self._info("rc_conf_files is unknown to rcnet: no more files are read", value.loc)
                return
            for word in _rc_conf_files(env):
                if word in seen:
                    continue
                seen.add(word)
                target = self._under_etc(word, value)
                if target is not None:
                    self._evaluate_path(target, env)

    def _scope(self, base: Environment, scope: str) -> Environment:
        env = Environment(
            values=dict(base.values), history={k: list(v) for k, v in base.history.items()}
        )
        assert self.root is not None
        for name in SCOPE_FILES[scope]:
            path = self.root / "rc.conf.d" / name
            kind = _kind(path)
            if kind is not None and self._outside(path, os.path.realpath(path)):
                continue
            if kind == "dir":  # like rc's `for _rc in dir/*`: sorted, no dot files
                try:
                    entries = sorted(os.listdir(path))
                except OSError as exc:
                    self._info(f"{path}: not read ({_reason(exc)})", None, "warning")
                    continue
                for entry in entries:
                    if not entry.startswith(".") and _kind(path / entry) == "file":
                        self._evaluate_path(path / entry, env)
            elif kind is not None:
                self._evaluate_path(path, env)
        return env

    def _under_etc(self, word: str, value: Value | None) -> Path | None:
        """Where a `rc_conf_files` entry is inside the HOST directory, or None (info)."""
        assert self.root is not None
        norm = posixpath.normpath(posixpath.join("/", word))
        if norm == "/etc" or not norm.startswith("/etc/"):
            where = value.loc if value is not None and not value.default else None
            self._info(
                f"rc_conf_files names {word}, which is not under /etc: rcnet reads only the "
                "HOST's etc directory, so it is not read",
                where,
            )
            return None
        return self.root / norm[len("/etc/") :]

    # --- files ---------------------------------------------------------------------------

    def _evaluate_path(self, path: Path, env: Environment) -> None:
        src = self._read(path)
        if src is not None:
            self._evaluate(src, env)

    def _evaluate(self, src: SourceFile, env: Environment, *, defaults: bool = False) -> None:
        self.files.append(src.name)
        self.sources[src.name] = src.lines()
        found: list[Finding] = []
        evaluate_file(src, env, found, defaults=defaults)
        if any(f.code == "SH03" and UNPARSEABLE in f.message for f in found):
            self.unparseable.append(src.name)
        if defaults:  # the system's own file: not the user's to fix
            found = [_as_info(f) for f in found]
        self.findings.extend(found)

    def _read(self, path: Path) -> SourceFile | None:
        """A file's text; None when it is missing (silently, as rc), unreadable (warning) or,
        through a symlink, outside the HOST directory (warning at the link, never read)."""
        name = str(path)
        if self._outside(path, os.path.realpath(path)):
            return None
        try:
            # non-blocking: a FIFO put in the tree must not hang the reader
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            self._info(f"{name}: not read ({_reason(exc)})", None, "warning")
            return None
        try:
            # what was opened, not what the path says now (a link swapped after the check)
            if self._outside(path, os.readlink(f"/proc/self/fd/{fd}")):
                return None
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise IsADirectoryError("not a regular file")
            if st.st_size > MAX_FILE_BYTES:
                raise OSError(f"{st.st_size} bytes, too big for an rc.conf file")
            with os.fdopen(os.dup(fd), "rb") as f:
                data = f.read(MAX_FILE_BYTES + 1)
            if binary(data):
                raise ValueError(binary(data))
        except (OSError, ValueError) as exc:
            self._info(f"{name}: not read ({_reason(exc)})", None, "warning")
            return None
        finally:
            os.close(fd)
        return SourceFile.from_bytes(name, data)

    def _outside(self, path: Path, real: str) -> bool:
        """True, with an error at `path`, when a symlink takes `path` (its real path `real`)
        out of the HOST directory. sh's `.` would follow it, but the file is not the HOST's:
        rcnet neither models nor quotes it (rc.conf.d/netif -> /etc/shadow). An error, not a
        warning: the model then lacks what rc would read, and a reload of such a host would
        prune the addresses and vhids the unread file configures."""
        assert self.root is not None
        root = os.path.realpath(self.root)
        if real == root or real.startswith(root.rstrip("/") + "/"):
            return False
        self.findings.append(
            Finding(
                "SH04",
                "error",
                f"{path} leads to {real}, outside the HOST directory {self.root}"
                " (a symlink): not read",
                Location(str(path), 1, 1),
            )
        )
        return True

    def _info(self, message: str, loc: Location | None, severity: Severity = "info") -> None:
        self.findings.append(Finding("SH04", severity, message, loc))

    def _result(
        self, base: Environment, scopes: dict[str, Environment], sysctls: dict[str, Value]
    ) -> LoadedHost:
        findings = [*self.findings, *duplicate_findings([base, *scopes.values()])]
        return LoadedHost(
            path=self.host,
            path_name=path_name(self.host),
            files=tuple(self.files),
            base=base,
            scopes=scopes,
            sysctls=sysctls,
            findings=tuple(findings),
            sources=self.sources,
            unparseable=tuple(self.unparseable),
        )


def _read_host_file(host: str, path: str) -> SourceFile:
    try:
        data = read_host_bytes(host, path)
    except FileNotFoundError:  # gone since load_host's stat
        raise HostError(host, "no such file or directory") from None
    return SourceFile.from_bytes(path, data)


def read_host_bytes(host: str, path: str) -> bytes:
    """A HOST file's bytes, refused as `check` refuses them (also for `sysrc`): HostError when
    it cannot be read or is over MAX_FILE_BYTES, BinaryFileError when it holds a NUL byte;
    FileNotFoundError when nothing is there (the caller decides what that means)."""
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            raise HostError(host, f"{size} bytes: too big for an rc.conf file")
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as exc:
        raise HostError(host, _reason(exc)) from None
    if len(data) > MAX_FILE_BYTES:  # grew since the stat
        raise HostError(host, f"more than {MAX_FILE_BYTES} bytes: too big for an rc.conf file")
    if binary(data):
        raise BinaryFileError(host, binary(data))
    return data


def binary(data: bytes) -> str:
    """Why `data` is no rc.conf: a NUL byte (an executable, an image given by mistake), whose
    "lines" would be hundreds of findings quoting binary garbage; "" for text."""
    nul = data.find(b"\0")
    return f"a binary file (NUL byte at offset {nul}), not an rc.conf" if nul >= 0 else ""


def _kind(path: Path) -> str | None:
    """`file`, `dir`, `other`, or None when there is nothing there (or it cannot be seen)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    return "file" if stat.S_ISREG(mode) else "dir" if stat.S_ISDIR(mode) else "other"


def _rc_conf_files(env: Environment) -> list[str]:
    text = env.text("rc_conf_files")
    return text.split() if text else []


def _as_info(finding: Finding) -> Finding:
    if finding.severity == "info":
        return finding
    return Finding(finding.code, "info", finding.message, finding.loc, finding.length)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__
