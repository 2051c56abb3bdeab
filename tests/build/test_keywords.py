"""The keyword registry: one table for parsing and for near-miss suggestions."""

from __future__ import annotations

import pytest

from rcnet.ifconfig.keywords import FAMILIES, KEYWORDS, lookup, suggest


def test_registry_entries_are_consistent() -> None:
    for name, kw in KEYWORDS.items():
        assert kw.name == name
        assert kw.nargs == len(kw.args)
        assert kw.help
        assert not (kw.optional and kw.nargs != 1)
    assert not set(FAMILIES) & set(KEYWORDS), "a family word is parsed before keywords"


@pytest.mark.parametrize(
    ("name", "nargs"),
    [("vhid", 1), ("advskew", 1), ("pass", 1), ("tunnel", 2), ("up", 0), ("-rxcsum", 0),
     ("netmask", 1), ("prefixlen", 1), ("laggport", 1), ("addm", 1), ("vlandev", 1),
     ("-alias", 0), ("ifpriority", 2), ("accept_rtadv", 0), ("-accept_rtadv", 0)],
)  # fmt: skip
def test_argument_counts(name: str, nargs: int) -> None:
    kw = lookup(name)
    assert kw is not None and kw.nargs == nargs


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("advksew", "advskew"), ("advbsae", "advbase"), ("laggprot", "laggproto"), ("UP", "up"),
     ("netmsk", "netmask"), ("Vhid", "vhid")],
)  # fmt: skip
def test_near_misses(typo: str, meant: str) -> None:
    assert suggest(typo) == meant


@pytest.mark.parametrize("word", ["192.0.2.1", "zz", "frobnicate", "up", "web1"])
def test_no_suggestion_for_known_or_far_words(word: str) -> None:
    assert suggest(word) is None
