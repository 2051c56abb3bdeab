"""The Linux adapter's lower layers: frames, raw-socket transport, netlink plan/apply, link events.

It moves bytes and applies `rcnet.model` objects. It must not import the protocol core
(`rcnet.carp`), the front end (`rcnet.rcconf`, `rcnet.build`, `rcnet.lint`), the CLI or scapy;
pyroute2 is imported only when `netlink` is used. Every call takes `netns=None` (the namespace
this process runs in, as the daemon under `ip netns exec`) or a namespace name (tests).

What the daemon calls, in order:

Before the event loop (or via `loop.run_in_executor`: pyroute2's sync API cannot run in a loop):
    netlink.apply(netlink.leftovers())             remove a crashed run's macvlans/addresses/routes
    changes = netlink.plan(host, ifmap)            list[Change]; PlanError(problems) if impossible
    print(c.describe() for c in changes)           --dry-run: `ip ...`/`sysctl ...` lines
    netlink.apply(changes)                         ApplyError(change, reason, done) on failure
    owned.macvlan_name(vhid, parent, legacy_name)  the link that carries a vhid's VIPs

In the loop, per parent interface and per vhid:
    t = transport.ParentTransport(parent, inet=..., inet6=...)
    t.attach(loop, on_packets)                     [Received(src, dst, ttl, payload, ifname)]
    t.send_advert(vhid, parent_addr, payload, peer=None)   SendError -> count a send error
    t.announce(vhid, vips)                         gratuitous ARP / unsolicited NA, virtual MAC
    switch = rtnl.LinkSwitch()
    switch.set_up(macvlan, True)                   MASTER: one RTM_NEWLINK (~0.1 ms)
    switch.set_up(macvlan, False)                  BACKUP / INIT
    w = links.LinkWatcher(parents, owned_links)    LinkState / LinkRemoved / AddressRemoved
    w.attach(loop, on_link_event); w.current()

On a graceful stop: bow-out adverts, then `netlink.teardown()` (returns failures, one line each).

Modules: `frames` (struct-built Ethernet frames), `transport` (sockets), `changes`, `plan`,
`system` (snapshot), `netlink` (facade), `owned` (names and marks), `rtnl` (stdlib rtnetlink),
`links` (watcher), `nsenter` (namespace entry and sysctls).
"""
