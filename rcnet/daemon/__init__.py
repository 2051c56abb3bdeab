"""The running daemon: asyncio glue around the protocol core and the Linux adapter.

It owns the sockets, timers, signals, the control socket, notification hooks and
systemd readiness. It may import the model, the protocol core and the Linux
adapter; nothing imports it but the `start` command.
"""
