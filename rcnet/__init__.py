"""rcnet: read FreeBSD rc.conf files as they are and run their network setup, CARP included, on Linux.

Import direction: front end (rcconf, build, lint) -> model <- protocol core (carp) <- Linux adapter.
"""

__version__ = "0.1.0"
