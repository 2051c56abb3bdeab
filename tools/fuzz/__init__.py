"""Fuzzing rcnet: atheris (libFuzzer) targets for the rc.conf front end and the packet decoder.

`fuzz_rcconf` feeds read_host, `rcnet check` (JSON and text) and the model's renderings;
`fuzz_decoder` feeds the wire/packet decoders, `Engine.handle_ip_packet` and, when the command
exists, `rcnet decode`. `oracles` holds the properties both check (tests/fuzz reuses them),
`seeds` builds the seed corpus at run time, `driver` runs a target under atheris or, without it,
a plain mutation loop, `linecov` replays a corpus for line coverage, and `run` (`make fuzz`)
runs every target for FUZZ_SECONDS and writes bench/results/fuzz.json.

A tool, outside the package's import rule: it may import any part of rcnet. Nothing in rcnet
may import it, and it never touches the machine's network (no sockets, no namespaces).
"""
