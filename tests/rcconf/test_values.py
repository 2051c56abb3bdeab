"""What the reader evaluates: every accepted construct, its text and its positions."""

from __future__ import annotations

import pytest

from rcnet.findings import Location
from rcnet.rcconf.defaults import NETWORK_DEFAULTS

from .helpers import FILE, codes, columns, findings, read, text, value


def test_defaults_are_there_and_marked() -> None:
    host = read("")
    for name, default in NETWORK_DEFAULTS:
        v = value(host, name)
        assert v.text == default and v.default, name
    assert host.base.get("ifconfig_DEFAULT") is None
    assert host.base.get("ifconfig_lo0") is None


def test_assignment_positions_raw_and_locations() -> None:
    host = read('  hostname="gw1.example.net"   # uplink')
    v = value(host, "hostname")
    assert v.text == "gw1.example.net"
    assert v.loc == Location(FILE, 1, 3)
    assert v.value_loc == Location(FILE, 1, 12)
    assert v.raw == '"gw1.example.net"'
    assert columns(v) == [(1, c) for c in range(13, 28)]
    assert not v.default and not v.conditional
    assert v.at(3) == Location(FILE, 1, 16)


def test_several_per_line_with_blanks_and_semicolons() -> None:
    host = read("a=1 b='two' c=\"three\"; d=4;e=5")
    assert [text(host, n) for n in "abcde"] == ["1", "two", "three", "4", "5"]
    assert value(host, "e").loc == Location(FILE, 1, 28)


def test_quoting_forms() -> None:
    host = read(
        r"""sq='a "b" $c \d'""",
        r'''dq="a\$b\"c\\d\`e\nf 'g'"''',
        r"""un=a\ b\$c""",
        r"""mix='x y'"$sq"z""",
        """dollar=$ d2="$" d3=a$""",
    )
    assert text(host, "sq") == 'a "b" $c \\d'
    assert text(host, "dq") == "a$b\"c\\d`e\\nf 'g'"
    assert text(host, "un") == "a b$c"
    assert text(host, "mix") == 'x ya "b" $c \\dz'
    assert [text(host, n) for n in ("dollar", "d2", "d3")] == ["$", "$", "a$"]


def test_hash_starts_a_comment_only_at_the_start_of_a_word() -> None:
    host = read("x=a#b # comment", "y=#not-a-comment", "# z=1", "w=1;#c")
    assert text(host, "x") == "a#b"
    assert text(host, "y") == "#not-a-comment"
    assert host.base.get("z") is None
    assert text(host, "w") == "1"


def test_backslash_newline_outside_quotes_and_inside_double_quotes() -> None:
    host = read("a=one\\", "two", 'b="x\\', 'y"', "c='s\\", "q'")
    v = value(host, "a")
    assert v.text == "onetwo"
    assert columns(v) == [(1, 3), (1, 4), (1, 5), (2, 1), (2, 2), (2, 3)]
    assert v.raw == "one\\\ntwo"
    assert text(host, "b") == "xy"
    assert text(host, "c") == "s\\\nq"  # single quotes keep it


def test_double_quoted_value_spanning_lines_keeps_the_newline() -> None:
    host = read('ifconfig_em1_aliases="\\', "\tinet 192.0.2.20-22/28 \\", '\tinet 192.0.2.40/32"')
    assert text(host, "ifconfig_em1_aliases") == "\tinet 192.0.2.20-22/28 \tinet 192.0.2.40/32"
    host = read('a="one', 'two"', "b=3")
    v = value(host, "a")
    assert v.text == "one\ntwo"
    assert v.positions[4] == Location(FILE, 2, 1)
    assert text(host, "b") == "3"
    assert findings(host) == []


def test_expansions_map_to_their_dollar() -> None:
    host = read('net="10.9.8"; ifconfig_em3="inet ${net}.1/24"')
    v = value(host, "ifconfig_em3")
    assert v.text == "inet 10.9.8.1/24"
    dollar = Location(FILE, 1, 34)
    assert v.positions[:5] == tuple(Location(FILE, 1, c) for c in range(29, 34))
    assert v.positions[5:11] == (dollar,) * 6
    assert v.positions[11] == Location(FILE, 1, 40)
    assert v.at(7) == dollar


def test_unset_and_set_but_empty_expand_to_empty() -> None:
    host = read('cloned_interfaces="${cloned_interfaces} gif0"')
    assert text(host, "cloned_interfaces") == " gif0"


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("${x-d}", "X"),
        ("${u-d}", "d"),
        ("${e-d}", ""),
        ("${e:-d}", "d"),
        ("${x:-d}", "X"),
        ("${x+p}", "p"),
        ("${u+p}", ""),
        ("${e+p}", "p"),
        ("${e:+p}", ""),
        ("${#x}", "1"),
        ("${#u}", "0"),
        ("${x}${x}", "XX"),
        ("$x.$x", "X.X"),
        ('${u:-"a b"}', "a b"),
        ("${u:-${x}y}", "Xy"),
        ("${x?}", "X"),
    ],
)
def test_parameter_expansion_forms(expr: str, expected: str) -> None:
    host = read("x=X e=", f"r={expr}")
    assert text(host, "r") == expected


def test_assigning_expansions_set_the_variable() -> None:
    host = read(": ${a:=one} ${b=two}", "c=${a}${b}", "e=", ": ${e:=filled} ${e=no}")
    assert text(host, "a") == "one"
    assert value(host, "a").loc == Location(FILE, 1, 5)
    assert value(host, "a").value_loc == Location(FILE, 1, 8)
    assert text(host, "b") == "two"
    assert text(host, "c") == "onetwo"
    assert text(host, "e") == "filled"


def test_export_readonly_unset() -> None:
    host = read("export a=1 b", "readonly c=2", "x=9", "unset x b", "unset -v c")
    assert text(host, "a") == "1"
    assert host.base.get("b") is None
    assert host.base.get("x") is None
    assert host.base.get("c") is None
    assert [v.text for v in host.base.history["x"]] == ["9"]


def test_last_assignment_wins_and_history_keeps_all() -> None:
    host = read("ifconfig_re0=DHCP", "ifconfig_re0=SYNCDHCP", 'ifconfig_re0="ether 00:11"')
    assert text(host, "ifconfig_re0") == "ether 00:11"
    assert [v.loc.line for v in host.base.history["ifconfig_re0"]] == [1, 2, 3]


def test_command_substitution_makes_the_variable_unknown() -> None:
    host = read("hostname=`cat /etc/myname`", "a=$(uname -n).lan", "b=$((1 + 2))", "c=${hostname}x")
    for name in ("hostname", "a", "b", "c"):
        v = value(host, name)
        assert v.text is None and not v.known and v.positions == (), name
    assert codes(host) == ["SH04", "SH04", "SH04"]
    assert "hostname" in findings(host)[0].message
    assert "arithmetic" in findings(host)[2].message


def test_unknown_value_stays_unknown_through_default_forms() -> None:
    host = read("h=`hostname`", "a=${h:-x}", "b=${h-x}", "c=${h:+x}", "d=${h+x}", "e=${#h}")
    assert [text(host, n) for n in "abce"] == [None, None, None, None]
    assert text(host, "d") == "x"  # set, whatever its value


def test_special_parameters_and_pattern_removal_are_not_evaluated() -> None:
    host = read("a=$1", "b=${hostname%%.*}", "c=$$")
    assert [text(host, n) for n in "abc"] == [None, None, None]
    assert codes(host) == ["SH04", "SH04", "SH04"]


def test_template_values_are_unknown() -> None:
    host = read("hostname=\"{{ ansible_facts['hostname'] }}\"")
    assert text(host, "hostname") is None
    assert codes(host) == ["SH04"]


def test_empty_value_location() -> None:
    host = read("ifconfig_eth0=", 'b=""')
    v = value(host, "ifconfig_eth0")
    assert v.text == "" and v.positions == () and v.raw == ""
    assert v.value_loc == Location(FILE, 1, 15)
    assert text(host, "b") == ""


def test_handbook_worked_example() -> None:
    host = read(
        'hostname="gw1.example.net"',
        'ifconfig_em0="inet 198.51.100.10 netmask 0xffffff00"   # uplink',
        'defaultrouter="198.51.100.1"',
    )
    assert text(host, "ifconfig_em0") == "inet 198.51.100.10 netmask 0xffffff00"
    assert text(host, "defaultrouter") == "198.51.100.1"
    assert findings(host) == []


def test_section_9_sh_level_examples() -> None:
    host = read(
        'net="10.9.8"; ifconfig_em3="inet ${net}.1/24"',
        'cloned_interfaces="${cloned_interfaces} gif0"',
        "hostname=`cat /etc/myname`",
        "ifconfig_em4=inet 10.4.0.1/24",
        'ifconfig_em0.101="inet 10.101.0.1/24"',
        'gateway_enable = "YES"',
    )
    assert text(host, "ifconfig_em3") == "inet 10.9.8.1/24"
    assert text(host, "cloned_interfaces") == " gif0"
    assert text(host, "hostname") is None
    assert host.base.get("ifconfig_em4") is None
    assert host.base.get("ifconfig_em0_101") is None
    assert text(host, "gateway_enable") == "NO"
    by_line = {f.loc.line: f.code for f in host.findings if f.loc}
    assert by_line == {3: "SH04", 4: "SH01", 5: "SH02", 6: "SH01"}
    assert all(f.severity == "error" for f in host.findings if f.code in ("SH01", "SH02"))
