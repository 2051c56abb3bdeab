"""Models FreeBSD would build, over the real rc.conf corpus and the fixtures; and
`start --dry-run` plans exactly the model.

The corpus is ../shared/corpus from the repository's root (lab.corpus); an absent corpus is
one case that skips and says where it looked, never silently fewer cases.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from pathlib import Path

import pytest
from lab import corpus

from rcnet.hosts import CheckedHost, read_host
from rcnet.linux import netlink
from rcnet.linux.changes import AddAddress, CreateMacvlan
from rcnet.linux.plan import PlanError
from rcnet.linux.system import Link, SystemState
from rcnet.model import APPLIED_CLONERS, Host
from rcnet.startable import startable

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "fixtures").glob("*/*.conf"))
CORPUS = [pytest.param(p, id=f"corpus/{p.name[:2]}") for p in corpus.FILES] or [
    pytest.param(None, id="corpus", marks=pytest.mark.skip(reason=corpus.ABSENT))
]
CASES = [pytest.param(p, id=f"{p.parent.name}/{p.stem}") for p in FIXTURES] + CORPUS

#: <driver><unit> followed by a suffix: a variable name, not an interface
_VARIABLE_LIKE = re.compile(r"[A-Za-z]+[0-9]+_(?![0-9]+$).*")


def test_the_corpus_is_all_there() -> None:
    if not corpus.FILES:
        pytest.skip(corpus.ABSENT)
    assert len(corpus.FILES) == 47


def model_problems(checked: CheckedHost) -> list[str]:
    """What FreeBSD's rc could not have built from the files."""
    host, loaded = checked.host, checked.loaded
    out: list[str] = []
    if loaded.unparseable and (host.interfaces or host.vhids or host.routes):
        out.append("a file sh cannot parse, yet the model configures something")
    hostname = loaded.scopes["hostname"].get("hostname")
    if host.hostname is not None and (hostname is None or hostname.text != host.hostname):
        out.append(f"hostname {host.hostname!r} that no hostname= sets")
    for iface in host.interfaces:
        if _VARIABLE_LIKE.fullmatch(iface.name):
            out.append(f"interface {iface.name} is a variable name")
        seen = Counter(a.address for a in iface.addresses)
        out += [f"{a} twice on {iface.name}" for a, n in seen.items() if n > 1]
    for v in host.vhids:
        if not (1 <= v.vhid <= 255 and 0 <= v.advskew <= 254 and 1 <= v.advbase <= 255):
            out.append(f"vhid {v.vhid} advskew {v.advskew} advbase {v.advbase} out of range")
        if v.parent is None and startable(checked.findings, host):
            out.append(f"vhid {v.vhid} without a parent, yet startable")
        if not v.addresses:
            out.append(f"vhid {v.vhid} without an address")
    for f in checked.findings:
        lost = "is set" in f.message or "not applied" in f.message
        if "ifconfig exits here" in f.message and lost and f.severity != "error":
            out.append(f"{f.code}: a failing call that loses something is not an error")
    return out


def _written_addresses(text: str) -> list[str]:
    out = []
    for word in text.split():
        head = word.strip("\"';").split("/")[0]
        try:
            out.append(str(ipaddress.ip_address(head)))
        except ValueError:
            continue
    return out


def wording_problems(checked: CheckedHost) -> list[str]:
    """A finding that says a call sets no address comes with none of its addresses in the
    model (unless another line of the files writes the same address)."""
    model = {str(a.address) for i in checked.host.interfaces for a in i.addresses}
    model |= {str(a.ip) for v in checked.host.vhids for a in v.addresses}
    lines = [line for src in checked.loaded.sources.values() for line in src]
    out: list[str] = []
    for f in checked.findings:
        if "ifconfig exits here" not in f.message or "no address" not in f.message:
            continue
        assert f.loc is not None
        line = checked.loaded.sources[f.loc.file][f.loc.line - 1]
        for addr in _written_addresses(line):
            elsewhere = sum(addr in other for other in lines) > 1
            if addr in model and not elsewhere:
                out.append(f"{f.code} at {f.loc}: says no address, but {addr} is in the model")
    return out


@pytest.mark.parametrize("path", CASES)
def test_findings_say_what_the_model_holds(path: Path) -> None:
    assert wording_problems(read_host(str(path))) == []


@pytest.mark.parametrize("path", CASES)
def test_no_model_freebsd_would_not_build(path: Path) -> None:
    checked = read_host(str(path))  # no traceback
    assert model_problems(checked) == []


def fresh_nics(host: Host) -> SystemState:
    names = [i.name for i in host.interfaces if not i.cloned and i.name != "lo0"]
    links = [Link(n + 2, name, up=True, carrier=True) for n, name in enumerate(names)]
    return SystemState(links=(Link(1, "lo", up=True), *links))


def model_addresses(host: Host) -> Counter[str]:
    """Every address the model puts on Linux: own ones and each vhid's VIPs."""
    mapping = {"lo0": "lo", **dict(host.ifmap)}
    own = Counter(
        f"{mapping.get(i.name, i.name)} {a.interface}"
        for i in host.interfaces
        if i.kind != "carp" and i.kind not in i.left_to_system  # LX01 says so
        for a in i.addresses
        if a.vhid is None
    )
    vips = Counter(f"vhid{v.vhid} {a}" for v in host.vhids for a in v.addresses)
    return own + vips


def planned_addresses(host: Host) -> Counter[str]:
    changes = netlink.plan(host, state=fresh_nics(host))  # what start --dry-run prints
    vhid_links = {c.ifname for c in changes if isinstance(c, CreateMacvlan)}
    out: Counter[str] = Counter()
    for c in changes:
        if not isinstance(c, AddAddress):
            continue
        vhid = next((v.vhid for v in host.vhids if c.interface in v.addresses), None)
        on_vhid = vhid is not None and c.ifname in vhid_links
        out[f"vhid{vhid} {c.interface}" if on_vhid else f"{c.ifname} {c.interface}"] += 1
    return out


@pytest.mark.parametrize("path", CASES)
def test_start_dry_run_plans_exactly_the_model(path: Path) -> None:
    checked = read_host(str(path))
    if not startable(checked.findings, checked.host):
        return  # start refuses it (tests/build/test_startable.py): nothing is planned
    try:
        planned = planned_addresses(checked.host)
    except PlanError as refused:  # a kind this kernel may lack: one clear line each
        assert refused.problems and all("\n" not in p for p in refused.problems)
        return
    assert planned == model_addresses(checked.host)


def test_the_model_and_the_linux_adapter_agree_on_what_start_creates() -> None:
    from rcnet.linux.plan import _CLONERS

    assert set(_CLONERS) | {"carp"} == APPLIED_CLONERS
