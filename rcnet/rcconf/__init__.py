"""The rc.conf reader: FreeBSD's sh subset, read without executing anything.

`load.load_host(path)` reads a HOST (a file or an etc directory) in FreeBSD's order and
returns an `env.LoadedHost`: variables with their source positions, per-script scopes, the
CARP sysctls and the reader's own findings (SH01-SH06). The pieces: `scan` splits a file
into logical statements, `parse` reads one statement's words with the Lark grammar in
`grammar/rcconf.lark`, `evaluate` applies statements to an `env.Environment`, `defaults`
holds the network defaults rcnet carries, `sysctl` reads sysctl.conf.

Front end: imports `rcnet.findings`, `rcnet.grammar_path` and lark only. It must not import
the model builder, lint, the protocol core (`rcnet.carp`), the Linux adapter, sockets,
netlink, scapy or pyroute2, and must never run anything a file contains. This `__init__`
imports nothing, so `rcnet.rcconf.env` stays free of lark.
"""
