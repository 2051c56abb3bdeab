"""`rcnet start --metrics [ADDR:]PORT`: /metrics served from a thread of the daemon, each scrape
asking the daemon over its control socket with the one checked decoder (answers.ask)."""

from __future__ import annotations

from rcnet.daemon.answers import BadAnswer, ask
from rcnet.metrics import DaemonCollector, Snapshot


def ask_daemon(control: str) -> Snapshot:
    """Status and sysctls over the control socket (OSError when nobody answers, BadAnswer when
    the answer is malformed or a refusal)."""
    status = ask(control, {"cmd": "status"})
    sysctls = ask(control, {"cmd": "sysctl"})
    if not (status.ok and sysctls.ok):
        raise BadAnswer("the daemon refused a status or sysctl request")
    return status.body, sysctls.body["lines"]


def serve(address: str, port: int, control: str) -> None:
    """/metrics on ADDR:PORT from a daemon thread (prometheus-client's server)."""
    from prometheus_client.exposition import start_http_server
    from prometheus_client.registry import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(DaemonCollector(lambda: ask_daemon(control)))
    start_http_server(port, addr=address, registry=registry)
