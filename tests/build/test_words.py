"""Splitting a value as rc's `eval ifconfig <if> ...` does, with every word's place."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rcnet.findings import Location
from rcnet.ifconfig.words import eval_split, metachar_findings, split_fields, strip_pseudo

from .rcenv import env_from


def words_of(text: str, var: str = "ifconfig_em0") -> list[str]:
    kept, _ = strip_pseudo(split_fields(text))
    return [w.text for w in eval_split(kept, var).words]


def test_fields_keep_offsets() -> None:
    words = split_fields("  inet\t10.0.0.1/24 \n up")
    assert [(w.text, w.start, w.end) for w in words] == [
        ("inet", 2, 6),
        ("10.0.0.1/24", 7, 18),
        ("up", 21, 23),
    ]


def test_quotes_are_honoured_only_by_eval() -> None:
    assert words_of("description 'uplink   port' up") == ["description", "uplink port", "up"]
    assert words_of('descr "a \\"b\\" c"') == ["descr", 'a "b" c']
    assert words_of("descr x\\ y") == ["descr", "x y"]


def test_pseudo_keywords_any_case_and_vnet_with_its_jail() -> None:
    kept, pseudo = strip_pseudo(split_fields("dhcp SyncDHCP NOAUTO wpa HostAP vnet jail1 up"))
    assert [w.text for w in kept] == ["up"]
    assert [p.name for p in pseudo] == ["DHCP", "SYNCDHCP", "NOAUTO", "WPA", "HOSTAP", "VNET"]
    assert pseudo[-1].arg is not None and pseudo[-1].arg.text == "jail1"


def test_a_quoted_pseudo_keyword_is_not_removed() -> None:
    # rc removes pseudo-keywords before eval, so the quotes are still part of the word then
    assert words_of("description 'DHCP' up") == ["description", "DHCP", "up"]


def test_control_operator_is_sh07_and_truncates() -> None:
    kept, _ = strip_pseudo(split_fields("inet 10.0.0.1/24; reboot"))
    split = eval_split(kept, "ifconfig_em0")
    assert [w.text for w in split.words] == ["inet", "10.0.0.1/24"]
    assert split.truncated
    assert [(f.code, f.severity) for f in split.findings] == [("SH07", "error")]


def test_quoted_operator_is_fine() -> None:
    kept, _ = strip_pseudo(split_fields("description 'a;b|c' up"))
    assert eval_split(kept, "v").findings == ()


def test_command_substitution_and_dollar() -> None:
    kept, _ = strip_pseudo(split_fields("description $(hostname) mtu $MTU"))
    codes = [(f.code, f.severity) for f in eval_split(kept, "v").findings]
    assert codes == [("SH07", "error"), ("SH07", "warning")]


def test_unterminated_quote_runs_nothing() -> None:
    kept, _ = strip_pseudo(split_fields("inet 10.0.0.1/24 description 'oops"))
    split = eval_split(kept, "ifconfig_em0")
    assert split.words == ()
    assert split.findings[0].code == "SH07"


def test_comment_inside_the_value_ends_it() -> None:
    assert words_of("inet 10.0.0.1/24 # uplink") == ["inet", "10.0.0.1/24"]


def test_word_locations_point_into_the_file() -> None:
    env = env_from("ifconfig_em0=\"inet  10.0.0.1/24 description 'up link'\"\n")
    value = env.values["ifconfig_em0"]
    words = eval_split(split_fields(value.text or "", value), value.name).words
    assert words[1].loc() == Location("rc.conf", 1, 21)
    assert words[3].text == "up link"
    assert words[3].loc() == Location("rc.conf", 1, 45)  # the opening quote
    assert words[3].loc_of(3) == Location("rc.conf", 1, 49)  # the blank inside the quotes


def test_metachars_in_alias_values() -> None:
    found = metachar_findings(split_fields("inet 10.0.0.1/32;ls"), "ifconfig_em0_alias0")
    assert [f.code for f in found] == ["SH07"]
    assert metachar_findings(split_fields("inet 10.0.0.1/32"), "x") == []


@settings(deadline=None, max_examples=200)
@given(st.text(alphabet=st.sampled_from(list("ab 'x\"\\;$`(#\t\n")), max_size=30))
def test_eval_split_never_crashes_and_offsets_stay_inside(text: str) -> None:
    kept, _ = strip_pseudo(split_fields(text))
    split = eval_split(kept, "v")
    for w in split.words:
        assert all(0 <= o < len(text) for o in w.offsets)
        assert len(w.offsets) == len(w.text)
