"""Reading a HOST: FreeBSD's file order, rc_conf_files, rc.conf.d scopes, sysctl.conf."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rcnet.findings import Location
from rcnet.rcconf.env import HostError
from rcnet.rcconf.load import load_host, path_name


def etc(root: Path, files: dict[str, str]) -> Path:
    """An etc directory under root holding `files` (relative path -> content)."""
    base = root / "etc"
    for rel, content in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    base.mkdir(exist_ok=True)
    return base


def test_rc_conf_then_rc_conf_local(tmp_path: Path) -> None:
    d = etc(tmp_path / "gw1", {"rc.conf": "a=1\nb=1\n", "rc.conf.local": "b=2\n"})
    host = load_host(str(d))
    assert host.base.text("a") == "1"
    assert host.base.text("b") == "2"
    assert host.files == (str(d / "rc.conf"), str(d / "rc.conf.local"))
    assert host.path_name == "gw1"
    assert host.sources[str(d / "rc.conf")] == ("a=1", "b=1")
    sh05 = [f for f in host.findings if f.code == "SH05"]
    assert [f.loc for f in sh05] == [Location(str(d / "rc.conf"), 2, 1)]


def test_rc_conf_files_second_pass_and_no_third(tmp_path: Path) -> None:
    d = etc(
        tmp_path,
        {
            "rc.conf": 'rc_conf_files="/etc/rc.conf /etc/extra.conf /etc/rc.conf.local"\n'
            "order=rc\n",
            "rc.conf.local": 'order="$order local"\n',
            "extra.conf": 'order="$order extra"\nrc_conf_files="$rc_conf_files /etc/third"\n',
            "third": "order=third\n",
        },
    )
    host = load_host(str(d))
    # pass 1 uses the list as it was when it started (the defaults): rc.conf, rc.conf.local;
    # pass 2 the changed list: extra.conf; the list extra.conf changes is never read again
    assert host.base.text("order") == "rc local extra"
    assert [Path(f).name for f in host.files] == ["rc.conf", "rc.conf.local", "extra.conf"]


def test_rc_conf_files_duplicates_and_missing(tmp_path: Path) -> None:
    d = etc(
        tmp_path,
        {"rc.conf": 'rc_conf_files="/etc/rc.conf /etc/rc.conf /etc/missing"\nn="${n}x"\n'},
    )
    host = load_host(str(d))
    assert host.base.text("n") == "x"
    assert [f for f in host.findings if f.severity != "info"] == []


def test_rc_conf_files_outside_etc_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "usr" / "local" / "etc"
    outside.mkdir(parents=True)
    (outside / "rc.conf").write_text("leak=1\n")
    d = etc(
        tmp_path,
        {"rc.conf": 'rc_conf_files="/etc/rc.conf /usr/local/etc/rc.conf /etc/../usr/x"\n'},
    )
    host = load_host(str(d))
    assert host.base.get("leak") is None
    infos = [f for f in host.findings if "not under /etc" in f.message]
    assert len(infos) == 2
    assert all(f.severity == "info" and f.loc is not None and f.loc.line == 1 for f in infos)


def test_defaults_files_come_first_and_stay_defaults(tmp_path: Path) -> None:
    d = etc(
        tmp_path,
        {
            "defaults/rc.conf": 'gateway_enable="NO"\nvendor_thing="x"\n'
            'if [ -z "$x" ]; then y=1; fi\n',
            "defaults/vendor.conf": 'vendor_thing="vendor"\n',
            "rc.conf": 'gateway_enable="YES"\n',
        },
    )
    host = load_host(str(d))
    assert host.base.text("gateway_enable") == "YES"
    v = host.base.get("vendor_thing")
    assert v is not None and v.text == "vendor" and v.default
    assert not [f for f in host.findings if f.code == "SH05"]
    # findings in the system's own defaults are information only
    assert [f.severity for f in host.findings] == ["info"]
    assert [Path(f).name for f in host.files] == ["rc.conf", "vendor.conf", "rc.conf"]


def test_rc_conf_d_scopes(tmp_path: Path) -> None:
    d = etc(
        tmp_path,
        {
            "rc.conf": 'ifconfig_em0="inet 10.0.0.2/24"\n',
            "rc.conf.d/netif": 'defaultrouter="10.0.0.1"\nifconfig_em1="up"\n',
            "rc.conf.d/network": 'ifconfig_em1="down"\nnet_only=1\n',
            "rc.conf.d/routing/b": 'static_routes="b"\n',
            "rc.conf.d/routing/a": 'static_routes="a"\n',
            "rc.conf.d/routing/.hidden": 'static_routes="hidden"\n',
            "rc.conf.d/hostname": 'hostname="gw1"\n',
        },
    )
    host = load_host(str(d))
    netif, routing, hostname = (host.scopes[n] for n in ("netif", "routing", "hostname"))
    # defaultrouter only in rc.conf.d/netif: routing (which uses it) never sees it
    assert routing.text("defaultrouter") == "NO"
    assert host.base.text("defaultrouter") == "NO"
    assert netif.text("defaultrouter") == "10.0.0.1"
    # network first, then netif
    assert netif.text("ifconfig_em1") == "up"
    assert netif.text("net_only") == "1"
    assert routing.get("net_only") is None
    # a directory's files in sorted order, dot files skipped
    assert routing.text("static_routes") == "b"
    assert hostname.text("hostname") == "gw1"
    assert host.base.text("hostname") == ""
    assert host.netif is netif
    for scope in (netif, routing, hostname):
        assert scope.text("ifconfig_em0") == "inet 10.0.0.2/24"


def test_sysctl_conf(tmp_path: Path) -> None:
    d = etc(
        tmp_path,
        {
            "rc.conf": "",
            "sysctl.conf": "# carp\n"
            "net.inet.carp.preempt=1   # take the VIP back\n"
            "\n"
            "  net.inet.carp.log=2\n"
            "net.inet.carp.demotion=-240\n"
            "net.inet.carp.allow=yes\n"
            "net.inet.carp.prempt=1\n"
            "net.inet.carp.senderr_demotion_factor = 5\n"
            "kern.ipc.somaxconn=1024\n",
            "sysctl.conf.local": "net.inet.carp.log=0\n",
        },
    )
    host = load_host(str(d))
    assert {k: v.text for k, v in host.sysctls.items()} == {
        "preempt": "1",
        "log": "0",
        "demotion": "-240",
    }
    preempt = host.sysctls["preempt"]
    sysctl_conf = str(d / "sysctl.conf")
    assert preempt.name == "net.inet.carp.preempt"
    assert preempt.value_loc == Location(sysctl_conf, 2, 23)
    bad = {(f.code, f.loc.line if f.loc else 0) for f in host.findings}
    assert bad == {("SY01", 6), ("SY02", 7), ("SY01", 8)}
    assert sysctl_conf in host.files and sysctl_conf in host.sources


def test_single_file_host_reads_only_itself(tmp_path: Path) -> None:
    (tmp_path / "rc.conf.local").write_text("neighbour=1\n")
    f = tmp_path / "hosta.conf"
    f.write_text('hostname="hosta"\n')
    host = load_host(str(f))
    assert host.files == (str(f),)
    assert host.base.get("neighbour") is None
    assert host.path_name == "hosta"
    assert host.findings == ()
    assert host.sysctls == {}
    assert set(host.scopes) == {"hostname", "netif", "routing"}


def test_single_file_host_with_changed_rc_conf_files(tmp_path: Path) -> None:
    f = tmp_path / "hosta.conf"
    f.write_text('rc_conf_files="/etc/rc.conf /etc/rc.conf.local /etc/site.conf"\n')
    host = load_host(str(f))
    (info,) = host.findings
    assert info.severity == "info" and "/etc/site.conf" in info.message
    assert "/etc/rc.conf.local" not in info.message


@pytest.mark.parametrize(
    ("rel", "is_dir", "expected"),
    [
        ("fixtures/hosta.conf", False, "hosta"),
        ("x/provider/rc.conf", False, "provider"),
        ("x/provider/etc/rc.conf", False, "provider"),
        ("x/provider/etc", True, "provider"),
        ("x/backup", True, "backup"),
        ("x/odd.name", False, "odd.name"),
        ("x/rc.conf.local", False, "rc.conf.local"),
    ],
)
def test_path_name(tmp_path: Path, rel: str, is_dir: bool, expected: str) -> None:
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if is_dir:
        path.mkdir()
    else:
        path.write_text("")
    assert path_name(str(path)) == expected


def test_path_name_of_root_etc() -> None:
    assert path_name("/etc") == "localhost"


def test_host_errors(tmp_path: Path) -> None:
    with pytest.raises(HostError) as missing:
        load_host(str(tmp_path / "nope.conf"))
    assert missing.value.path == str(tmp_path / "nope.conf")
    assert "no such file" in missing.value.reason
    with pytest.raises(HostError, match=r"no rc\.conf"):
        load_host(str(tmp_path))
    (tmp_path / "d" / "rc.conf").mkdir(parents=True)
    with pytest.raises(HostError, match="not a readable file"):
        load_host(str(tmp_path / "d"))
    with pytest.raises(HostError, match="not a regular file"):
        load_host("/dev/null")
    with pytest.raises(HostError):
        load_host("bad\0path")


def test_unreadable_included_file_is_a_warning(tmp_path: Path) -> None:
    d = etc(tmp_path, {"rc.conf": "a=1\n"})
    (d / "rc.conf.local").mkdir()
    host = load_host(str(d))
    (f,) = host.findings
    assert f.severity == "warning" and "rc.conf.local" in f.message
    assert host.base.text("a") == "1"


@pytest.mark.skipif(os.path.exists("/etc/rc.conf"), reason="this machine has an /etc/rc.conf")
def test_the_machines_own_etc_without_rc_conf() -> None:
    with pytest.raises(HostError, match=r"no rc\.conf"):
        load_host("/etc")


def test_unknown_rc_conf_files_stops_reading(tmp_path: Path) -> None:
    d = etc(
        tmp_path,
        {"rc.conf": "rc_conf_files=`ls /etc/*.conf`\n", "rc.conf.local": "local=1\n"},
    )
    host = load_host(str(d))
    assert host.base.text("local") == "1"  # pass 1 still used the default list
    assert any("rc_conf_files is unknown" in f.message for f in host.findings)
