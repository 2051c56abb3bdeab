"""The `matrix` fixture: the Handbook's segment, a user's address on every host, the rig."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lab.netns import Segment

from .harness import FaultRig


@pytest.fixture
def matrix(handbook_segment: Segment, tmp_path: Path) -> Iterator[FaultRig]:
    made = FaultRig(handbook_segment, tmp_path)
    try:
        yield made
    finally:
        made.stop_all()  # graceful first; the lab then removes whatever is left
