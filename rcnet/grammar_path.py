"""Where rcnet's Lark grammars are, both in a checkout and after `pip install .`.

setup.cfg installs the top-level `grammar/` folder as the package `rcnet.grammar`, so an
installed rcnet has `rcnet/grammar/*.lark` next to its modules; a checkout has them in
`<checkout>/grammar/`. Imports nothing of rcnet.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def grammar_file(name: str) -> Path:
    """The grammar file `name` (e.g. "rcconf.lark"): installed copy first, then the checkout's.

    Raises FileNotFoundError, naming both places, when neither has it (a broken install).
    """
    candidates = (_PACKAGE / "grammar" / name, _PACKAGE.parent / "grammar" / name)
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"rcnet grammar {name!r} not found in {candidates[0].parent} or {candidates[1].parent}"
    )
