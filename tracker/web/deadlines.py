"""Deadline status of tasks for templates."""

from __future__ import annotations

import datetime as dt

from tracker.calendar.workdays import default_calendar
from tracker.tasks.status import DeadlineView, status_of
from tracker.web import workflow
from tracker.web.clock import today


def view_of(task) -> DeadlineView:
    """The deadline status of one task as of today."""
    return status_of(task, workflow(), today())


def annotate(tasks) -> list[tuple]:
    """(task, deadline view) pairs."""
    return [(t, view_of(t)) for t in tasks]


def due_soon_end(day: dt.date) -> dt.date:
    """The last day that counts as "sắp đến hạn" from ``day``."""
    return default_calendar().add_working_days(day, workflow().due_soon_working_days)
