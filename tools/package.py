"""rcnet installed the Debian way: everything of rcnet's own under /opt/rcnet, never the system
Python.

    python -m tools.package stage ROOT [--prefix /usr] [--unit-dir /lib/systemd/system]
    python -m tools.package deb OUTDIR        -> OUTDIR/rcnet_VERSION_all.deb
    python -m tools.package uninstall ROOT    (what `stage` installed, by its manifest)

`stage` lays out, under ROOT:
- /opt/rcnet/lib: rcnet and its dependencies (pip --target from this checkout and the package
  index; pure Python), /opt/rcnet/bin/rcnet: a launcher that runs /usr/bin/python3 isolated
  (-I: no user site, no PYTHONPATH) on that directory and writes no bytecode next to it;
- PREFIX/sbin/rcnet: a relative symlink to the launcher (so an extracted tree runs too);
- PREFIX/share/man/man8/rcnet.8.gz and man7/rcnet-rules.7.gz (tools.manpages);
- PREFIX/share/bash-completion/completions/rcnet (shtab, from the argument parser);
- UNIT_DIR/rcnet.service (contrib/rcnet.service with the PREFIX's path);
- /opt/rcnet/MANIFEST: every path installed outside /opt/rcnet, for `uninstall`.
The package's postinst byte-compiles /opt/rcnet/lib; its postrm removes /opt/rcnet (the
bytecode dpkg does not know), the cache rcnet keeps for its parser and the control directory.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from rcnet import __version__

REPO = Path(__file__).resolve().parents[1]
OPT = "opt/rcnet"
LAUNCHER = '''#!/usr/bin/python3 -I
"""rcnet from /opt/rcnet: its own packages, isolated from the system's, no bytecode written."""
import os
import sys

sys.dont_write_bytecode = True
here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
sys.path.insert(0, os.path.join(here, "lib"))
from rcnet.cli import main  # noqa: E402

sys.exit(main())
'''
CONTROL = """Package: rcnet
Version: {version}
Architecture: all
Maintainer: rcnet maintainers <rcnet@example.invalid>
Depends: python3 (>= 3.11)
Recommends: man-db
Section: net
Priority: optional
Installed-Size: {size}
Homepage: https://example.invalid/rcnet
Description: FreeBSD rc.conf networking and CARP on Linux
 rcnet reads FreeBSD rc.conf files as they are (nothing in them is executed), lints them
 (rcnet check), edits them safely (rcnet sysrc) and runs their network setup, CARP included,
 on Linux as a systemd service (rcnet start; systemctl reload runs rcnet reload).
"""
POSTINST = """#!/bin/sh
set -e
if [ "$1" = configure ]; then
    python3 -m compileall -q /opt/rcnet/lib >/dev/null 2>&1 || true
    if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
fi
"""
PRERM = """#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
    systemctl stop rcnet.service 2>/dev/null || true
fi
"""
POSTRM = """#!/bin/sh
set -e
case "$1" in
remove|purge)
    # what rcnet made at run time: bytecode, its parser cache, the control directory
    rm -rf /opt/rcnet /var/cache/rcnet ~root/.cache/rcnet /run/rcnet
    if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
    ;;
esac
"""


def _install_python(lib: Path) -> None:
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile"]
    pip += ["--no-warn-script-location", "--target", str(lib), str(REPO)]
    subprocess.run(pip, check=True, cwd=tempfile.gettempdir())
    shutil.rmtree(lib / "bin", ignore_errors=True)  # scripts with the build venv's #!
    for cache in lib.rglob("__pycache__"):
        shutil.rmtree(cache)


def _gzip(text: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(text.encode())


def stage(root: Path, prefix: str = "/usr", unit_dir: str = "/lib/systemd/system") -> list[str]:
    """Lay rcnet out under `root`; the paths installed outside /opt/rcnet."""
    from tools.manpages import rcnet_8, rcnet_rules_7

    opt = root / OPT
    _install_python(opt / "lib")
    launcher = opt / "bin" / "rcnet"
    launcher.parent.mkdir(parents=True, exist_ok=True)
    launcher.write_text(LAUNCHER)
    launcher.chmod(0o755)
    pre = prefix.strip("/")
    placed: list[str] = []

    def place(rel: str) -> Path:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        placed.append("/" + rel)
        return path

    link = place(f"{pre}/sbin/rcnet")
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(f"/{OPT}/bin/rcnet", f"/{pre}/sbin"))
    _gzip(rcnet_8(), place(f"{pre}/share/man/man8/rcnet.8.gz"))
    _gzip(rcnet_rules_7(), place(f"{pre}/share/man/man7/rcnet-rules.7.gz"))
    completion = subprocess.run(
        [sys.executable, "-m", "shtab", "--shell=bash", "--prog=rcnet", "rcnet.cli.build_parser"],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    ).stdout
    place(f"{pre}/share/bash-completion/completions/rcnet").write_text(completion)
    unit = (REPO / "contrib" / "rcnet.service").read_text().replace("/usr/sbin/", f"/{pre}/sbin/")
    place(f"{unit_dir.strip('/')}/rcnet.service").write_text(unit)
    (opt / "MANIFEST").write_text("".join(p + "\n" for p in placed))
    return placed


def uninstall(root: Path) -> None:
    manifest = root / OPT / "MANIFEST"
    for line in manifest.read_text().splitlines():
        path = root / line.lstrip("/")
        if path.is_symlink() or path.is_file():
            path.unlink()
    shutil.rmtree(root / OPT)


def deb(outdir: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="rcnet-deb-") as tmp:
        root = Path(tmp) / "root"
        stage(root)
        (root / OPT / "MANIFEST").unlink()  # dpkg keeps the list
        debian = root / "DEBIAN"
        debian.mkdir()
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) // 1024
        (debian / "control").write_text(CONTROL.format(version=__version__, size=size))
        for name, text in (("postinst", POSTINST), ("prerm", PRERM), ("postrm", POSTRM)):
            (debian / name).write_text(text)
            (debian / name).chmod(0o755)
        for path in root.rglob("*"):
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
        outdir.mkdir(parents=True, exist_ok=True)
        target = outdir / f"rcnet_{__version__}_all.deb"
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(target)],
            check=True,
            capture_output=True,
        )
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.package")
    sub = parser.add_subparsers(dest="what", required=True)
    st = sub.add_parser("stage")
    st.add_argument("root", type=Path)
    st.add_argument("--prefix", default="/usr")
    st.add_argument("--unit-dir", default="/lib/systemd/system")
    sub.add_parser("deb").add_argument("outdir", type=Path)
    sub.add_parser("uninstall").add_argument("root", type=Path)
    args = parser.parse_args(argv)
    if args.what == "stage":
        for path in stage(args.root, args.prefix, args.unit_dir):
            print(f"installed {path}")
    elif args.what == "deb":
        print(deb(args.outdir))
    else:
        uninstall(args.root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
