"""Write the generated references (`make rules`): docs/rules.md from rcnet.rules, docs/variables.md
from rcnet.rcconf.variables.

`python -m tools.gen_docs --check` exits 1 when a file is stale (the tests call it too).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from rcnet.rcconf import variables
from rcnet.rules import reference_markdown

ROOT = Path(__file__).resolve().parents[1]

#: generated file -> what generates it
GENERATED: dict[str, Callable[[], str]] = {
    "docs/rules.md": reference_markdown,
    "docs/variables.md": variables.reference_markdown,
}


def stale() -> list[str]:
    return [
        name
        for name, make in GENERATED.items()
        if not (ROOT / name).is_file() or (ROOT / name).read_text(encoding="utf-8") != make()
    ]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        old = stale()
        for name in old:
            print(f"{name} is stale: run `make rules`", file=sys.stderr)
        return 1 if old else 0
    for name, make in GENERATED.items():
        (ROOT / name).parent.mkdir(parents=True, exist_ok=True)
        (ROOT / name).write_text(make(), encoding="utf-8")
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
