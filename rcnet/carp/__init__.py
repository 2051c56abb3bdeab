"""The CARP protocol core, sans-IO: bytes and time in, actions out.

`wire` encodes and decodes advertisements (CARP v2 and FreeBSD's VRRPv3 mode) and the IP and
link-layer framing around them; `counters` holds the carpstats counters; `vhost` is the per-vhid
state machine with its transition table; `engine` runs one host's vhids (the input pipeline,
demotion, sysctls); `sim` runs several engines on a virtual segment with a virtual clock.

Time is an argument everywhere: integer microseconds (see `timing`), so results are exact and the
simulator covers hours in a second. Randomness (the initial replay counter) comes from a
`random.Random` the caller passes in.

This package imports only `rcnet.model` and the standard library. It must not import the front
end (`rcnet.rcconf`, `rcnet.build`, `rcnet.lint`, `rcnet.hosts`), sockets, netlink, `time`,
scapy, pyroute2 or the CLI.
"""
