"""The rc.conf reader: FreeBSD's sh subset, read without executing anything.

`load.load_host(path)` reads a HOST (a file or an etc directory) in FreeBSD's order and
returns an `env.LoadedHost`: variables with their source positions, per-script scopes, the
CARP sysctls and the reader's own findings (SH01-SH06, SY01-SY02). The pieces: `source`
decodes a file, `scan` splits it into logical statements, `parse` reads one statement's
words with the Lark grammar `grammar/rcconf.lark`, `evaluate` and `expand` apply statements
to an `env.Environment`, `explain` says what sh would do with what is not applied,
`defaults` holds the network defaults rcnet carries, `sysctl` reads sysctl.conf.

Front end: imports `rcnet.findings`, `rcnet.grammar_path` and lark only. It must not import
the model, the builder, lint, the protocol core (`rcnet.carp`), the Linux adapter, sockets,
netlink, scapy or pyroute2, and it never runs anything a file contains. This `__init__`
imports nothing, so `rcnet.rcconf.env` stays free of lark.
"""
