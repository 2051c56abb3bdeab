"""The end of every `--help`: examples and exit statuses, one entry per command.

`rcnet.cli` adds these as epilogs; the man page rcnet(8) is generated from the same parser, so
help and manual never disagree. Exit statuses follow the CLI contract (cli.md).
"""

from __future__ import annotations

TOP = """\
examples:
  rcnet sysrc ifconfig_carp0="vhid 1 advskew 100 pass s3cret 192.168.1.50/24"
  rcnet check                       lint /etc the way FreeBSD's rc reads it
  rcnet reload                      apply it to the running daemon, or see why not
  rcnet status                      vhids, states and carp counters
  rcnet diff                        what differs between the file and the running system

exit status:
  0  success   1  the command's failure (findings, refused, drift)   2  usage error
  3  no daemon answers on the control socket
"""

EPILOGS: dict[str, str] = {
    "check": """\
examples:
  rcnet check                               /etc
  rcnet check hosta.conf hostb.conf provider.conf --format json
  rcnet check --strict /etc/rc.conf

exit status:
  0  no error   1  an error (with --strict, also a warning)   2  usage, or a HOST unreadable
""",
    "show": """\
examples:
  rcnet show /etc --json

exit status:
  0  printed   2  usage, or the HOST unreadable
""",
    "simulate": """\
examples:
  rcnet simulate hosta.conf hostb.conf provider.conf --event '5:kill hosta' --for 20
  rcnet simulate a.conf b.conf --event '3:partition a|b' --event '9:heal' --json

exit status:
  0  ran   2  usage
""",
    "decode": """\
examples:
  rcnet decode --pcap carp.pcap --rc /etc
  rcnet decode 2101640100...                 one advert as hex

exit status:
  0  every advert well-formed and authentic (or unchecked)
  1  an error, a bad checksum or bad authentication   2  usage
""",
    "start": """\
examples:
  rcnet start /etc                           what the systemd unit runs
  rcnet start hosta.conf --map fxp0=eth0 --dry-run
  rcnet start /etc --metrics 127.0.0.1:9842

signals: SIGHUP reloads (see rcnet reload), SIGTERM stops gracefully, SIGUSR1 logs the status.

exit status:
  0  stopped   1  refused (check errors) or could not apply   2  usage
""",
    "status": """\
examples:
  rcnet status
  rcnet status --json

exit status:
  0  printed   3  no daemon answers
""",
    "ifconfig": """\
examples:
  rcnet ifconfig                             every interface, like ifconfig -a
  rcnet ifconfig carp0                       one interface
  rcnet ifconfig carp0 down; rcnet ifconfig carp0 up
  rcnet ifconfig fxp0 vhid 1 state backup

exit status:
  0  done   1  refused, or no such interface   2  usage   3  no daemon answers
""",
    "sysctl": """\
examples:
  rcnet sysctl -a
  rcnet sysctl net.inet.carp.preempt=1
  rcnet sysctl net.inet.carp.demotion=240    demote (writing demotion adds to it)

exit status:
  0  done   1  refused   2  usage   3  no daemon answers
""",
    "stop": """\
examples:
  rcnet stop

exit status:
  0  stopped   3  no daemon answers
""",
    "explain": """\
examples:
  rcnet explain                    every finding code with its one-line summary
  rcnet explain CA02               what CA02 means and how to fix it

exit status:
  0  printed   2  no such code
""",
    "reload": """\
The daemon re-reads and checks its HOST; a configuration with errors is refused and the running
one kept. This is the unit's ExecReload (`systemctl reload rcnet`).

examples:
  rcnet reload
  rcnet reload --control /run/rcnet/lab.sock

exit status:
  0  applied (or nothing changed)   1  refused: the findings are printed   3  no daemon answers
""",
    "sysrc": """\
examples:
  rcnet sysrc ifconfig_carp0                      print a value
  rcnet sysrc ifconfig_carp0="vhid 1 advskew 100 pass s3cret 192.168.1.50/24"
  rcnet sysrc cloned_interfaces+=carp1            add a word to a list
  rcnet sysrc -x ifconfig_carp1 --diff            show what deleting would change

exit status:
  0  printed or written   1  unknown variable, or refused (check found a new error, the file
  could not be written)   2  usage error
""",
    "diff": """\
Each difference is printed as `IF: FILE -> RUNNING` (ifconfig's words on both sides).

examples:
  rcnet diff                       /etc against this namespace and the running daemon
  rcnet diff /etc/rc.conf --json   for monitoring

exit status:
  0  in sync   1  drift   2  usage error or unreadable HOST
  3  no daemon answers (and the kernel matches the file)
""",
    "metrics": """\
`rcnet start --metrics 9842` serves the same at http://HOST:9842/metrics.

examples:
  rcnet metrics                    for node_exporter's textfile collector: write to a temporary
                                   file in its directory, then rename it to rcnet.prom

exit status:
  0  printed   3  no daemon answers (nothing printed)
""",
}
