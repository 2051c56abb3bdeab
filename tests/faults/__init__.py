"""The fault matrix of `rcnet start` (issue 4): the Handbook's three hosts under faults.

Each scenario runs real daemons in lab namespaces (tests/lab, tests/daemon's rig), injects one
fault (a killed or stopped master, a parent down or without carrier, random loss, a partition, a
restarted daemon, a broken reload, a second start) and then checks the same invariants: each VIP
held by exactly one host, no stray links, the user's own addresses untouched, and nothing left
after a graceful stop of everything. Test code only: it imports rcnet's daemon client, never
anything that would touch the root namespace.
"""
