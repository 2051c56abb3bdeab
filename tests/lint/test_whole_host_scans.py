"""The per-host passes over every value (SH10 control characters, the pass values to mask)
take the quick way on a large file: one search first, comprehensions. These tests prove
they find what the value-by-value walk finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rcnet.lint.control import control_findings
from rcnet.rcconf.env import LoadedHost
from rcnet.rcconf.load import load_text
from rcnet.redact import PASS_WORD, secrets_of


def _secrets_value_by_value(loaded: LoadedHost) -> frozenset[str]:
    """secrets_of as first written: every text, raw and line, then `pass` in each."""
    found: set[str] = set()
    texts: list[str] = []
    envs = {id(e): e for e in (loaded.base, *loaded.scopes.values())}
    for env in envs.values():
        for values in env.history.values():
            texts.extend(v.text for v in values if v.text)
            texts.extend(v.raw for v in values if v.raw)
    for lines in loaded.sources.values():
        texts.extend(lines)
    for text in texts:
        if "pass" in text:
            found.update(m.group(3) for m in PASS_WORD.finditer(text))
    return frozenset(found)


_piece = st.sampled_from(
    ["a", " ", "\t", "pass", "pass x", "pass \"s3\"", "pa", "ss y", "$v", "${v}", "\\\n", "\n",
     "\x1b", "\x07", "\x7f", "\r", "é", "#", "'", '"', "10.0.0.1/24 vhid 1"]
)  # fmt: skip
_line = st.tuples(
    st.sampled_from(["v", "w", "ifconfig_em0", "ifconfig_em0_descr", "hostname", "svc_flags"]),
    st.sampled_from(['"', "'", ""]),
    st.lists(_piece, max_size=5).map("".join),
).map(lambda t: f"{t[0]}={t[1]}{t[2]}{t[1]}")


@settings(deadline=None, max_examples=400)
@given(st.lists(_line, min_size=1, max_size=6))
def test_quick_whole_host_scans_find_what_the_walk_finds(lines: list[str]) -> None:
    loaded = load_text("\n".join(lines) + "\n")
    assert control_findings(loaded) == control_findings(loaded, quick=False)
    assert secrets_of(loaded) == _secrets_value_by_value(loaded)


def test_the_scans_still_find() -> None:
    loaded = load_text('ifconfig_em0="inet 10.0.0.1/24 vhid 1 pass s3cr3t \x1b[2J"\nv=1\n')
    assert [f.code for f in control_findings(loaded)] == ["SH10"]
    assert secrets_of(loaded) == {"s3cr3t"}
    assert control_findings(load_text("v=1\n")) == []
