"""Fuzz target: packet bytes through the decoders, the engine's input pipeline and `rcnet decode`.

The input format and the properties are `oracle_packet`'s: the first byte picks the engine
(the Handbook's provider or a modern host), MASTER or not, the receiving interface and how
`rcnet decode` reads the bytes; the rest is the packet.

    python -m tools.fuzz.fuzz_decoder -max_total_time=60 CORPUS_DIR
"""

from __future__ import annotations

from collections.abc import Callable

from tools.fuzz.driver import Target, main, scratch_directory


def load() -> Callable[[bytes], object]:
    from tools.fuzz.oracle_packet import check_packet, hosts

    hosts()  # read the fixtures once, before the first input
    scratch = scratch_directory("decoder")

    def one(data: bytes) -> object:
        return check_packet(data, scratch)

    return one


TARGET = Target(
    name="decoder",
    load=load,
    modules=("rcnet.carp", "rcnet.commands.decode"),
    covered=(
        "rcnet/carp/wire.py",
        "rcnet/carp/packet.py",
        "rcnet/carp/engine.py",
        "rcnet/carp/vhost.py",
        "rcnet/carp/counters.py",
        "rcnet/carp/describe.py",
        "rcnet/commands/decode.py",
    ),
)

if __name__ == "__main__":
    raise SystemExit(main(TARGET))
