"""Log lines for the systemd journal: a syslog priority prefix (`<3>`) when stderr is the journal.

systemd sets JOURNAL_STREAM to the device and inode (`DEV:INODE`) of the stream it connected
to the journal; a program whose stderr is that stream may start each line with `<N>`, the
syslog priority (sd-daemon(3)). Anywhere else, lines stay plain text. rcnet's priorities:
3 (err) for a refused reload or a send error, 4 (warning), 5 (notice) for CARP transitions,
6 (info) otherwise.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

ERR, WARNING, NOTICE, INFO, DEBUG = 3, 4, 5, 6, 7
#: a logging level for notices (transitions), between INFO and WARNING
NOTICE_LEVEL = 25
logging.addLevelName(NOTICE_LEVEL, "NOTICE")


def to_journal(stream: TextIO | None = None) -> bool:
    """Whether `stream` (default stderr) is the journal stream systemd connected."""
    value = os.environ.get("JOURNAL_STREAM", "")
    dev, _, ino = value.partition(":")
    if not (dev.isdigit() and ino.isdigit()):
        return False
    try:
        st = os.fstat((stream or sys.stderr).fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return (st.st_dev, st.st_ino) == (int(dev), int(ino))


def prefix(priority: int, stream: TextIO | None = None) -> str:
    return f"<{priority}>" if to_journal(stream) else ""


def priority(level: int) -> int:
    if level >= logging.ERROR:
        return ERR
    if level >= logging.WARNING:
        return WARNING
    if level >= NOTICE_LEVEL:
        return NOTICE
    return INFO if level >= logging.INFO else DEBUG


class JournalFormatter(logging.Formatter):
    """Every line of a record with the record's priority (the journal splits at newlines)."""

    def format(self, record: logging.LogRecord) -> str:
        tag = f"<{priority(record.levelno)}>"
        return "\n".join(tag + line for line in super().format(record).split("\n"))


def formatter(stream: TextIO | None = None) -> logging.Formatter:
    """The daemon's log format: priorities for the journal, else a time stamp and the text."""
    if to_journal(stream):
        return JournalFormatter("%(message)s")
    return logging.Formatter("%(asctime)s.%(msecs)03d %(message)s", "%H:%M:%S")
