"""OpenMetrics for monitoring, built with prometheus-client from the daemon's answers.

`rcnet metrics` prints it (for node_exporter's textfile collector); `rcnet start --metrics
[ADDR:]PORT` serves it at /metrics (rcnet.daemon.exporter). Both read the daemon through its
control socket (the server from its own thread) with the one checked decoder of answers, so the
numbers are the ones `rcnet status` shows. Only these two paths import prometheus-client. This
module imports nothing of the daemon: imports go one way, the daemon imports it.

Label values (interface names come from rc.conf) are escaped by rcnet.text.escape (no control
character reaches a terminal or a scraper raw); prometheus-client's exposition then escapes
backslash, double quote and newline as OpenMetrics requires (tests/ops/test_metrics_text.py).

Per vhid (labels vhid, interface, parent): the state (a StateSet), advbase and advskew,
transitions by FreeBSD's reason, adverts sent and received, drops by carpstats counter. Per host:
the carpstats counters under their libxo keys, and the net.inet.carp sysctls (demotion among
them: FreeBSD keeps one demotion per host).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
    StateSetMetricFamily,
)
from prometheus_client.openmetrics.exposition import generate_latest
from prometheus_client.registry import Collector, CollectorRegistry

from rcnet.text import escape

STATES = ("INIT", "BACKUP", "MASTER")
VHID_LABELS = ["vhid", "interface", "parent"]

Snapshot = tuple[Mapping[str, Any], Sequence[str]]


def families(status: Mapping[str, Any], sysctl_lines: Sequence[str]) -> list[Metric]:
    """The metric families of one status answer and the `sysctl` answer's lines."""
    state = StateSetMetricFamily("rcnet_carp_state", "CARP state of the vhid", labels=VHID_LABELS)
    advbase = GaugeMetricFamily("rcnet_carp_advbase", "advbase (s)", labels=VHID_LABELS)
    advskew = GaugeMetricFamily("rcnet_carp_advskew", "configured advskew", labels=VHID_LABELS)
    transitions = CounterMetricFamily(
        "rcnet_carp_transitions", "state changes by reason", labels=[*VHID_LABELS, "reason"]
    )
    sent = CounterMetricFamily("rcnet_carp_adverts_sent", "adverts sent", labels=VHID_LABELS)
    received = CounterMetricFamily(
        "rcnet_carp_adverts_received", "CARP packets received for the vhid", labels=VHID_LABELS
    )
    drops = CounterMetricFamily(
        "rcnet_carp_drops", "adverts dropped, by counter", labels=[*VHID_LABELS, "counter"]
    )
    for v in status.get("vhids", []):
        labels = [str(v["vhid"]), escape(v["interface"]), escape(v.get("parent") or "")]
        state.add_metric(labels, {s: v["state"] == s for s in STATES})
        advbase.add_metric(labels, float(v["advbase"]))
        advskew.add_metric(labels, float(v["advskew"]))
        for reason, n in sorted(v.get("transitions", {}).items()):
            transitions.add_metric([*labels, escape(reason)], float(n))
        sent.add_metric(labels, float(v.get("adverts_sent", 0)))
        received.add_metric(labels, float(v.get("adverts_received", 0)))
        for counter, n in sorted(v.get("drops", {}).items()):
            drops.add_metric([*labels, escape(counter)], float(n))
    stats = CounterMetricFamily(
        "rcnet_carp_statistics", "netstat -s -p carp, by libxo key", labels=["counter"]
    )
    for key, n in status.get("counters", {}).items():
        stats.add_metric([escape(key)], float(n))
    sysctl = GaugeMetricFamily("rcnet_carp_sysctl", "net.inet.carp values", labels=["name"])
    for line in sysctl_lines:
        name, _, value = line.partition(": ")
        if value.strip().lstrip("-").isdigit():
            sysctl.add_metric([escape(name)], float(value))
    return [state, advbase, advskew, transitions, sent, received, drops, stats, sysctl]


class DaemonCollector(Collector):
    """Collects by asking `read()` for (status answer, sysctl lines) at each scrape."""

    def __init__(self, read: Callable[[], Snapshot]) -> None:
        self.read = read

    def collect(self) -> Iterator[Metric]:
        yield from families(*self.read())


def render(status: Mapping[str, Any], sysctl_lines: Sequence[str]) -> str:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DaemonCollector(lambda: (status, sysctl_lines)))
    text: bytes = generate_latest(registry)  # type: ignore[no-untyped-call]
    return text.decode()


def parse_listen(text: str) -> tuple[str, int]:
    """`[ADDR:]PORT` (an IPv6 ADDR in brackets); ValueError with the reason."""
    addr, sep, port = text.rpartition(":")
    if not sep:
        addr = "0.0.0.0"
    addr = addr.strip("[]") or "0.0.0.0"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--metrics takes [ADDR:]PORT with PORT 1-65535, not {text!r}")
    return addr, int(port)
