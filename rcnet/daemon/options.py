"""What `rcnet start` asks of the daemon."""

from __future__ import annotations

from dataclasses import field

from rcnet.frozen import record


@record
class StartOptions:
    host_path: str
    #: FreeBSD interface name -> Linux name (--map; rc.conf rcnet_ifmap fills the rest)
    ifmap: dict[str, str] = field(default_factory=dict)
    set_hostname: bool = True
    dry_run: bool = False
    notify: tuple[str, ...] = ()
    control: str | None = None
    log_level: str = "info"
    #: --metrics [ADDR:]PORT: serve OpenMetrics at /metrics there
    metrics: tuple[str, int] | None = None
