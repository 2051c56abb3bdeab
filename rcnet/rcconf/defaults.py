"""The network defaults rcnet carries (rcconf.md §8), for hosts without /etc/defaults/rc.conf.

FreeBSD's `/etc/defaults/rc.conf` is usually absent on Linux; these are the values of it
that the networking scripts read. `ifconfig_DEFAULT` and `ifconfig_lo0` are unset on purpose.
"""

from __future__ import annotations

from rcnet.findings import Location
from rcnet.rcconf.env import Environment, Value
from rcnet.rcconf.variables import CARRIED_DEFAULTS

#: where built-in defaults "are" in messages; never a real file
DEFAULTS_FILE = "(rcnet defaults)"

#: derived from the variable registry (rcnet/rcconf/variables.py), in its order
NETWORK_DEFAULTS: tuple[tuple[str, str], ...] = CARRIED_DEFAULTS


def default_environment() -> Environment:
    """A fresh Environment holding only the built-in defaults (each `default=True`)."""
    env = Environment()
    for line, (name, text) in enumerate(NETWORK_DEFAULTS, start=1):
        loc = Location(DEFAULTS_FILE, line, 1)
        value = Value(name, text, loc, loc, (), f'"{text}"', default=True)
        env.values[name] = value
        env.history[name] = [value]
    return env
