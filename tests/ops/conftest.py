"""The daemon rig of tests/daemon, for the operator commands that talk to a daemon."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from daemon.rig import Rig
from lab.netns import Segment


@pytest.fixture
def rig(handbook_segment: Segment, tmp_path: Path) -> Iterator[Rig]:
    made = Rig(handbook_segment, tmp_path)
    try:
        yield made
    finally:
        made.stop_all()
