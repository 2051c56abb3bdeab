"""`rcnet start` run the way a user runs it, in network namespaces (issue 4).

Each test starts real daemons (`ip netns exec NS unshare --uts python -m rcnet start ...`) on
the Handbook's segment from tests/lab and watches them through their control sockets, their logs
and captures on the bridge. Nothing here touches the root namespace's network or hostname.
"""
