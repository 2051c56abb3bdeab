"""The reader's findings SH01-SH06: each one firing where sh misbehaves, and staying quiet."""

from __future__ import annotations

import pytest

from rcnet.findings import Location

from .helpers import FILE, codes, findings, read, text, value

QUIET = [
    'hostname="a b"',
    "hostname='a b'",
    "hostname=a\\ b",
    "a=1 b=2",
    "a=1; b=2",
    'kld_list="${kld_list} aesni"',
    'cron_flags="$cron_flags -J 15"',
    'x="${undefined_but_defaulted:-1}"',
    "export a=1",
    "unset nothing_here",
    ": ${a:=1}",
    'cloned_interfaces="${cloned_interfaces} lo1"',
    "   # only a comment",
    "",
]


@pytest.mark.parametrize("line", QUIET)
def test_quiet(line: str) -> None:
    assert findings(read(line)) == []


# --- SH01 ---------------------------------------------------------------------------------


def test_sh01_unquoted_value_with_blanks() -> None:
    host = read("ifconfig_em4=inet 10.4.0.1/24")
    (f,) = findings(host)
    assert (f.code, f.severity, f.loc) == ("SH01", "error", Location(FILE, 1, 1))
    assert f.length == len("ifconfig_em4=inet 10.4.0.1/24")
    assert "10.4.0.1/24" in f.message and "stays unset" in f.message
    assert 'ifconfig_em4="inet 10.4.0.1/24"' in f.message
    assert host.base.get("ifconfig_em4") is None


@pytest.mark.parametrize(
    ("line", "fix"),
    [
        ('gateway_enable = "YES"', 'gateway_enable="YES"'),
        ("gateway_enable =YES", "gateway_enable=YES"),
        ("gateway_enable= YES", 'gateway_enable="YES"'),
    ],
)
def test_sh01_blanks_around_equals(line: str, fix: str) -> None:
    host = read(line)
    (f,) = findings(host)
    assert (f.code, f.severity, f.loc) == ("SH01", "error", Location(FILE, 1, 1))
    assert fix in f.message
    assert text(host, "gateway_enable") == "NO"


# --- SH02 ---------------------------------------------------------------------------------


def test_sh02_name_with_a_dot_suggests_the_sanitized_name() -> None:
    host = read('ifconfig_em0.101="inet 10.101.0.1/24"')
    (f,) = findings(host)
    assert (f.code, f.severity, f.loc, f.length) == ("SH02", "error", Location(FILE, 1, 1), 16)
    assert 'ifconfig_em0_101="inet 10.101.0.1/24"' in f.message
    assert host.base.get("ifconfig_em0_101") is None


@pytest.mark.parametrize("name", ["ifconfig_lagg-0", "ifconfig_a/b", "ifconfig_x+y"])
def test_sh02_other_characters(name: str) -> None:
    (f,) = findings(read(f"{name}=up"))
    assert f.code == "SH02"
    assert name.replace("-", "_").replace("/", "_").replace("+", "_") in f.message


def test_sh02_in_export() -> None:
    (f,) = findings(read("export a.b=1"))
    assert f.code == "SH02" and "bad variable name" in f.message


# --- SH03 ---------------------------------------------------------------------------------


def test_sh03_unterminated_quote_reports_and_recovers() -> None:
    host = read(
        'hostname="mfsbsd"',
        'sshd_flags="-oUseDNS=no -oPermitRootLogin=no',
        'sshd_ecdsa_enable="NO"',
        "ifconfig_em4=inet 10.4.0.1/24",
    )
    sh03 = findings(host, "SH03")
    assert len(sh03) == 1
    f = sh03[0]
    assert (f.severity, f.loc) == ("error", Location(FILE, 2, 12))
    assert "line 2" in f.message and "swallows" in f.message and "sshd_flags" in f.message
    # everything else is still known and checked
    assert text(host, "sshd_flags") == "-oUseDNS=no -oPermitRootLogin=no"
    assert text(host, "sshd_ecdsa_enable") == "NO"
    assert "SH01" in codes(host)


def test_sh03_unterminated_quote_on_the_last_line() -> None:
    host = read("a=1", "b='open")
    (f,) = findings(host)
    assert (f.code, f.loc) == ("SH03", Location(FILE, 2, 3))
    assert "single quote" in f.message
    assert text(host, "b") == "open"


@pytest.mark.parametrize("opener", ["$(echo", "${x", "`echo"])
def test_sh03_unterminated_expansion(opener: str) -> None:
    host = read(f"a={opener}", "b=2")
    assert codes(host)[0] == "SH03"
    assert text(host, "b") == "2"


def test_sh03_quote_swallowing_an_assignment_looking_line() -> None:
    host = read('a="one', 'b="two"', 'c="three', 'd="four"')
    (f,) = findings(host, "SH03")
    assert (f.severity, f.loc) == ("warning", Location(FILE, 1, 3))
    assert "line 2" in f.message


def test_sh03_cr_line_ends() -> None:
    host = read('hostname="a"\r', 'gateway_enable="YES"\r')
    (f,) = findings(host)
    assert (f.code, f.severity, f.loc) == ("SH03", "error", Location(FILE, 1, 13))
    assert "2 lines" in f.message
    assert text(host, "gateway_enable") == "YES"  # read as if the lines ended with LF


def test_sh03_bom() -> None:
    host = read('\ufeffhostname="a"', "b=1")
    (f,) = findings(host)
    assert (f.code, f.severity, f.loc) == ("SH03", "error", Location(FILE, 1, 1))
    assert text(host, "hostname") == "a"
    assert value(host, "b").loc == Location(FILE, 2, 1)


def test_sh03_typographic_quotes() -> None:
    host = read("hostname=“gw1”", 'a="“fine inside quotes”"')
    (f,) = findings(host)
    assert (f.code, f.severity, f.loc) == ("SH03", "error", Location(FILE, 1, 10))
    assert text(host, "hostname") == "“gw1”"


# --- SH04 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "kind", "assigned"),
    [
        (["if [ -f /etc/x ]; then", "  a=1", "else", "  b=2", "fi"], "`if`", ["a", "b"]),
        (["case $x in", "  y) a=1;;", "  *) b=2;;", "esac"], "`case`", ["a", "b"]),
        (["for i in 1 2; do a=$i; done"], "`for`", ["a"]),
        (["while false; do", "a=1", "done"], "`while`", ["a"]),
        (["until true; do a=1; done"], "`until`", ["a"]),
        (["{ a=1; b=2; }"], "`{`", ["a", "b"]),
        (["( a=1 )"], "`(`", ["a"]),
        (["setup() {", "  a=1", "}"], "function `setup`", ["a"]),
        (["f() ( a=1 )"], "function `f`", ["a"]),
        (["if true; then if true; then a=1; fi; b=2; fi"], "`if`", ["a", "b"]),
    ],
)
def test_sh04_compound_commands_are_skipped(
    lines: list[str], kind: str, assigned: list[str]
) -> None:
    host = read(*lines, "after=1")
    (f,) = findings(host)
    assert (f.code, f.severity, f.loc) == ("SH04", "warning", Location(FILE, 1, 1))
    assert f.message.startswith(kind)
    assert "Conditional, not applied: " in f.message
    assert all(f"{n} (line" in f.message for n in assigned)
    for name in assigned:
        assert host.base.get(name) is None
        (v,) = host.base.history[name][-1:]
        assert v.conditional
    assert text(host, "after") == "1"


def test_sh04_unclosed_if_is_an_error() -> None:
    host = read("if true; then", "a=1")
    (f,) = findings(host)
    assert (f.code, f.severity) == ("SH04", "error")
    assert "never closed" in f.message and "a (line 2)" in f.message


def test_sh04_stray_closer_is_an_error() -> None:
    (f,) = findings(read("fi"))
    assert (f.code, f.severity) == ("SH04", "error")


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("root@barokah:~ # cat /etc/rc.conf", "pasted shell prompt"),
        ('sysrc devd_enable="YES"', 'write devd_enable="YES" instead'),
        ("echo hello", "as a command"),
        ("[ -f /x ] && hostname=x", "as a command"),
    ],
)
def test_sh04_commands(line: str, words: str) -> None:
    host = read(line, "b=1")
    first = findings(host)[0]
    assert (first.code, first.severity, first.loc) == ("SH04", "warning", Location(FILE, 1, 1))
    assert words in first.message
    assert text(host, "b") == "1"


def test_sh04_chained_assignments_are_conditional() -> None:
    host = read("[ -f /x ] && hostname=x", "true || a=1", "b=2 | cat", "c=3 &")
    for name in ("a", "b", "c"):
        assert host.base.get(name) is None
    assert text(host, "hostname") == ""
    assert sum("not applied: hostname" in f.message for f in findings(host)) == 1


@pytest.mark.parametrize("line", [". /usr/local/etc/rc.conf", "source /etc/rc.conf.site"])
def test_sh04_includes_are_not_followed(line: str) -> None:
    (f,) = findings(read(line))
    assert (f.code, f.severity) == ("SH04", "warning")
    assert line.split()[1] in f.message and "does not follow" in f.message


def test_sh04_redirection() -> None:
    host = read("a=1 > /tmp/x")
    (f,) = findings(host)
    assert f.code == "SH04" and "/tmp/x" in f.message
    assert text(host, "a") == "1"


def test_sh04_unreadable_statement() -> None:
    host = read("a=${}", "b=1")
    (f,) = findings(host)
    assert f.code == "SH04" and "cannot read" in f.message
    assert text(host, "b") == "1"


def test_sh04_jinja_blocks_and_expressions() -> None:
    host = read(
        "{% if gw is defined %}",
        'ipv6_defaultrouter="{{ gw }}"',
        "{%- else -%}",
        'ipv6_defaultrouter="fe80::1%em0"',
        "{% endif -%}",
        "ifconfig_{{ interface }}=up",
        "{# a comment #}",
    )
    block = [f for f in findings(host) if "block" in f.message]
    assert len(block) == 1 and block[0].loc == Location(FILE, 1, 1)
    assert "ipv6_defaultrouter (line 2), ipv6_defaultrouter (line 4)" in block[0].message
    assert text(host, "ipv6_defaultrouter") == "NO"
    lines = sorted(f.loc.line for f in findings(host) if f.loc)
    assert lines == [1, 2, 6, 7]
    assert all(f.code == "SH04" for f in findings(host))


# --- SH05 ---------------------------------------------------------------------------------


def test_sh05_every_overridden_assignment() -> None:
    host = read("ifconfig_re0=DHCP", "ifconfig_re0=DHCP", 'ifconfig_re0="ether 00:11"')
    sh05 = findings(host, "SH05")
    assert [f.loc.line for f in sh05 if f.loc] == [1, 2]
    assert all(f.severity == "info" for f in sh05)
    assert "line 1, line 2, line 3" in sh05[0].message and "(line 3) wins" in sh05[0].message


def test_sh05_quiet_for_extensions_and_defaults() -> None:
    host = read('kld_list="a"', 'kld_list="${kld_list} b"', 'kld_list="$kld_list c"')
    assert findings(host) == []
    assert text(host, "kld_list") == "a b c"
    assert findings(read("gateway_enable=YES")) == []


# --- SH06 ---------------------------------------------------------------------------------


def test_sh06_unset_variable() -> None:
    host = read('ifconfig_em0="inet ${my_addr}/24"')
    (f,) = findings(host)
    assert (f.code, f.severity, f.loc, f.length) == ("SH06", "warning", Location(FILE, 1, 20), 10)
    assert "my_addr" in f.message


def test_sh06_quiet_for_defaults_set_variables_and_conditionals() -> None:
    host = read(
        "a=1",
        'b="$a ${hostname} ${defaultrouter}"',
        'c="${nope-default} ${nope:+x}"',
        "if true; then d=$nope; fi",
    )
    assert codes(host) == ["SH04"]


def test_sh04_template_expression_with_shell_syntax_inside_is_one_finding() -> None:
    host = read("{{ render(interfaces) | join(' ') }}", "a=1")
    (f,) = findings(host)
    assert f.code == "SH04" and "template" in f.message
    assert text(host, "a") == "1"


def test_sh03_every_unterminated_expansion_is_reported() -> None:
    # after the first one, each is given up within a bounded number of lines, so a file full
    # of them stays linear to read
    host = read(*(f"a{i}=$(hostname" for i in range(300)), "last=1")
    assert len(findings(host, "SH03")) == 300
    assert text(host, "last") == "1"
    assert value(host, "a299").text is None
