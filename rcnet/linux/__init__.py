"""The Linux adapter's lower layers: frames, raw-socket transport, netlink plan/apply, link events.

Must not import the protocol core (rcnet.carp), the front end (rcnet.rcconf, rcnet.build,
rcnet.lint), the CLI, or scapy. It moves bytes and applies `rcnet.model` objects.
"""
