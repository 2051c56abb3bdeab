"""SH10: control characters in a value (issue 12: a value must not drive a terminal or a log).

sh keeps every byte between the quotes, so `ifconfig_em0="... description up<ESC>[2J"` sets a
description that clears the screen of whoever runs `ifconfig`, and a newline in a description
starts a new line in every log that quotes it. rcnet itself escapes such characters wherever it
prints or logs them (rcnet.text); this rule says where they come from.

- networking variables (those rc's network scripts read): an error; ifconfig takes the
  character as part of a word (an unknown word: ifconfig exits before setting the address, or
  a description printed raw by every `ifconfig`), and a newline in `ifconfig_IF_descr` too;
- any other variable: a warning (every rc script sources the file; a program that prints the
  value sends the characters to its terminal raw).
The hostname has its own finding (GN04); tab, the newline of a multi-line value and CR (SH03)
are not reported here.
"""

from __future__ import annotations

from rcnet.findings import Finding
from rcnet.rcconf.env import LoadedHost, Value
from rcnet.text import control_characters, escape, has_control_characters

#: variables read by rc.d/netif, routing and rcnet (their prefixes)
NETWORK_PREFIXES = (
    "ifconfig_",
    "ipv6_",
    "route_",
    "static_routes",
    "cloned_interfaces",
    "network_interfaces",
    "defaultrouter",
    "create_args_",
    "vlans_",
    "rcnet_",
)


def control_findings(loaded: LoadedHost, *, quick: bool = True) -> list[Finding]:
    """SH10 per value with control characters. `quick`: first one search over all values
    (tab-joined: tab is no control character), as most hosts have none (the tests compare)."""
    out: list[Finding] = []
    seen: set[tuple[str, object]] = set()
    envs = {id(e): e for e in (loaded.base, *loaded.scopes.values())}  # scopes may share one
    if quick:
        texts = [v.text for env in envs.values() for v in env.values.values() if v.text]
        if not has_control_characters("\t".join(texts)):
            return out
    for env in envs.values():
        for value in env.values.values():
            if value.default or not value.text or value.name == "hostname":
                continue
            if len(envs) > 1:  # the same assignment seen through several scopes: once
                key = (value.name, value.loc)
                if key in seen:
                    continue
                seen.add(key)
            finding = _finding(value, value.text)
            if finding is not None:
                out.append(finding)
    return out


def _finding(value: Value, text: str) -> Finding | None:
    if not has_control_characters(text):
        return None  # one regex scan; the per-character test below was most of a big file's lint
    descr = value.name.endswith("_descr")
    bad = [i for i, c in enumerate(text) if c not in "\n\r" and control_characters(c)]
    if descr:
        bad = [i for i, c in enumerate(text) if c != "\r" and control_characters(c)]
    if not bad:
        return None
    shown = sorted({escape(text[i]) for i in bad})
    network = value.name.startswith(NETWORK_PREFIXES)
    if network:
        why = (
            "ifconfig takes them as part of a word (an unknown word makes it exit before the"
            " address is set; a description is printed raw by every `ifconfig` and log that"
            " shows it)"
        )
    else:
        why = (
            "every rc script sources this file, and a program that prints the value sends them"
            " to its terminal raw"
        )
    message = (
        f"{value.name} contains control characters ({', '.join(shown)}): {why}. rcnet shows"
        " them escaped; write the value without them"
    )
    loc = value.at(bad[0])
    return Finding("SH10", "error" if network else "warning", message, loc, 1)
