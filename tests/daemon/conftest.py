"""The `rig` fixture: the Handbook's segment plus a place for daemons, logs and sockets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lab.netns import Segment

from .rig import Rig


@pytest.fixture
def rig(handbook_segment: Segment, tmp_path: Path) -> Iterator[Rig]:
    made = Rig(handbook_segment, tmp_path)
    try:
        yield made
    finally:
        made.stop_all()  # graceful first; the lab then removes whatever is left
