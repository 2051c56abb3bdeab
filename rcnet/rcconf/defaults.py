"""The network defaults rcnet carries (rcconf.md §8), for hosts without /etc/defaults/rc.conf.

FreeBSD's `/etc/defaults/rc.conf` is usually absent on Linux; these are the values of it
that the networking scripts read. `ifconfig_DEFAULT` and `ifconfig_lo0` are unset on purpose.
"""

from __future__ import annotations

from rcnet.findings import Location
from rcnet.rcconf.env import Environment, Value

#: where built-in defaults "are" in messages; never a real file
DEFAULTS_FILE = "(rcnet defaults)"

NETWORK_DEFAULTS: tuple[tuple[str, str], ...] = (
    ("hostname", ""),
    ("network_interfaces", "auto"),
    ("cloned_interfaces", ""),
    ("netif_enable", "YES"),
    ("netif_ipexpand_max", "2048"),
    ("defaultrouter", "NO"),
    ("static_routes", ""),
    ("gateway_enable", "NO"),
    ("ipv6_network_interfaces", "auto"),
    ("ipv6_activate_all_interfaces", "NO"),
    ("ipv6_defaultrouter", "NO"),
    ("ipv6_static_routes", ""),
    ("ipv6_gateway_enable", "NO"),
    ("synchronous_dhclient", "NO"),
    ("rc_conf_files", "/etc/rc.conf /etc/rc.conf.local"),
    ("local_startup", "/usr/local/etc/rc.d"),
)


def default_environment() -> Environment:
    """A fresh Environment holding only the built-in defaults (each `default=True`)."""
    env = Environment()
    for line, (name, text) in enumerate(NETWORK_DEFAULTS, start=1):
        loc = Location(DEFAULTS_FILE, line, 1)
        value = Value(name, text, loc, loc, (), f'"{text}"', default=True)
        env.values[name] = value
        env.history[name] = [value]
    return env
