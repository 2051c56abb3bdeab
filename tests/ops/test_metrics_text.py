"""The OpenMetrics text on its own (no daemon): label values escaped, and rcnet.metrics imports
nothing of the daemon (imports go one way: the daemon imports it)."""

from __future__ import annotations

import ast
from pathlib import Path

from prometheus_client.openmetrics.parser import text_string_to_metric_families

from rcnet.metrics import render
from rcnet.text import escape

ROOT = Path(__file__).resolve().parents[2]

# an interface name can only come from rc.conf; `check` rejects such a name, but what reaches
# the exposition must still be well-formed and hold no raw control character
NAME = 'em"0\\x\nforged_metric 1\x1b[2J'


def vhid(interface: str) -> dict[str, object]:
    return {
        "vhid": 1,
        "interface": interface,
        "parent": interface,
        "state": "MASTER",
        "advbase": 1,
        "advskew": 0,
        "transitions": {"master timed out": 1},
        "drops": {'bad"auth\n': 2},
    }


def test_label_values_are_escaped() -> None:
    text = render({"vhids": [vhid(NAME)], "counters": {}}, ["net.inet.carp.preempt: 1"])
    assert "\x1b" not in text
    # prometheus-client escapes backslash, double quote and newline (OpenMetrics ABNF): every
    # sample is one line, and the parser gives back exactly the value rcnet labelled
    assert "\nforged_metric 1" not in text
    assert 'interface="em\\"0\\\\x\\\\nforged_metric 1\\\\x1b[2J"' in text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    advbase = families["rcnet_carp_advbase"].samples
    assert [s.labels["interface"] for s in advbase] == [escape(NAME)]
    drops = families["rcnet_carp_drops"].samples
    assert [s.labels["counter"] for s in drops] == ['bad"auth\\n']


def test_metrics_module_imports_nothing_of_the_daemon() -> None:
    tree = ast.parse((ROOT / "rcnet" / "metrics.py").read_text())
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    } | {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    outer = sorted(
        m for m in imported if m.startswith(("rcnet.daemon", "rcnet.linux", "rcnet.commands"))
    )
    assert outer == []
