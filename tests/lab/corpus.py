"""Where the tests find the real rc.conf corpus: `../shared/corpus` from the repository's root
(RCNET_CORPUS overrides it). A test that needs it and finds none skips with ABSENT, which says
where it looked; a root run then fails unless RCNET_ALLOW_SKIP names that test."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("RCNET_CORPUS", ROOT.parent / "shared" / "corpus"))
FILES = sorted(CORPUS.glob("*.conf")) if CORPUS.is_dir() else []
ABSENT = f"no rc.conf corpus at {CORPUS} (../shared/corpus from the repository; RCNET_CORPUS=DIR)"
