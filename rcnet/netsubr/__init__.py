"""FreeBSD's network.subr and rc.d/{netif,routing,hostname} semantics, one concern per module.

`rcnet.build.build_host` drives these: `interfaces` (which interfaces, names, order),
`configure` (one interface's ifconfig calls), `aliases` and `ranges` (alias assembly and
range expansion), `vhids` (CARP), `routing`, `system` (hostname, sysctls, scopes) and
`rules` (findings across calls or interfaces).

Front end: imports the reader's contract (`rcnet.rcconf.env`), `rcnet.ifconfig`,
`rcnet.findings` and the model; never the protocol core (`rcnet.carp`), the Linux adapter,
sockets, scapy or pyroute2.
"""
