"""rcnet: read FreeBSD rc.conf files as they are and run their network setup on Linux.

CARP included. Imports go one way: front end (rcconf, ifconfig, netsubr, build, lint)
-> model <- protocol core (carp) <- Linux adapter (linux) <- daemon.
"""

__version__ = "0.1.0"
