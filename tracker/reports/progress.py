"""How far a report has got, told by the code that builds it and read by the run that stores it. Plain Python.

The builders call :func:`stage` at each step and the document's tables call :func:`advance` as they write
rows; outside a :func:`tracking` block both do nothing, so the CLI and the tests build reports unchanged.
The run (tracker.reports.runs) reads :class:`Progress` from another thread and writes it to the database
every few seconds with a heartbeat, so the archive page shows a bar that moves and a stage in words.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from contextvars import ContextVar

#: the share of the bar given to writing the document's tables; the rest is reading data and saving
TABLES_END = 90


class Progress:
    """Percent done (never going back) and the current stage in Vietnamese; safe to read from another thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0
        self.stage = ""
        self._span = (0, 0)

    def set_stage(self, value: int, label: str, until: int | None = None) -> None:
        """Enter a stage at ``value`` percent; :meth:`advance` then moves within [value, until]."""
        with self._lock:
            self.value = max(self.value, min(100, value))
            self.stage = label
            self._span = (self.value, until if until is not None else self.value)

    def advance(self, done: int, total: int) -> None:
        """``done`` of ``total`` items of the current stage are written."""
        start, end = self._span
        if total <= 0 or end <= start:
            return
        with self._lock:
            self.value = max(self.value, start + (end - start) * min(done, total) // total)

    def snapshot(self) -> tuple[int, str]:
        """(percent, stage) as they are now."""
        with self._lock:
            return self.value, self.stage


_current: ContextVar[Progress | None] = ContextVar("tracker_report_progress", default=None)


@contextmanager
def tracking(progress: Progress):
    """Within the block, :func:`stage` and :func:`advance` of this thread report to ``progress``."""
    token = _current.set(progress)
    try:
        yield progress
    finally:
        _current.reset(token)


def stage(value: int, label: str, until: int | None = None) -> None:
    """Tell the tracked run that a stage begins (no-op when nothing is tracking)."""
    progress = _current.get()
    if progress is not None:
        progress.set_stage(value, label, until)


def advance(done: int, total: int) -> None:
    """Tell the tracked run how many items of the current stage are done (no-op when nothing is tracking)."""
    progress = _current.get()
    if progress is not None:
        progress.advance(done, total)
