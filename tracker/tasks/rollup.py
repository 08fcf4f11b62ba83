"""A letter's status rolled up from its tasks (and the periods of its recurring tasks). Plain Python."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker.tasks.status import DeadlineStatus, status_of


@dataclass(frozen=True)
class LetterRollup:
    """How a letter stands: a code for filters and styles, a Vietnamese label and the counts behind it.

    Codes, most urgent first: ``overdue`` (some open task past its deadline), ``awaiting`` (the distribution
    awaits a leader's approval), ``due_soon``, ``in_progress``, ``done`` (every task finished, all on time),
    ``done_late`` (finished, some late), ``cancelled`` (every task cancelled), ``none`` (no task).
    """

    code: str
    label: str
    css: str
    total: int = 0
    done: int = 0
    done_late: int = 0
    overdue: int = 0
    due_soon: int = 0
    awaiting: int = 0


def _units(task):
    """A one-off task is its own unit; a recurring one counts its periods."""
    return list(task.occurrences) if task.recurrence and task.occurrences else [task]


def letter_rollup(tasks, workflow, today: dt.date, calendar=None) -> LetterRollup:
    """Roll the statuses of a letter's ``tasks`` up into one (see LetterRollup for the codes)."""
    live = [t for t in tasks if t.status != "cancelled"]
    if not tasks:
        return LetterRollup("none", "Không có nhiệm vụ", "st-nodeadline")
    if not live:
        return LetterRollup("cancelled", "Các nhiệm vụ đã hủy", "st-cancelled", total=len(tasks))
    awaiting = sum(1 for t in live if not workflow.agency_sees(t.status))
    views = [status_of(u, workflow, today, calendar) for t in live if workflow.agency_sees(t.status)
             for u in _units(t) if u.status != "cancelled"]
    total = len(views)
    overdue = sum(1 for v in views if v.status == DeadlineStatus.OVERDUE)
    due_soon = sum(1 for v in views if v.status == DeadlineStatus.DUE_SOON)
    done = sum(1 for v in views if v.status in (DeadlineStatus.DONE_ON_TIME, DeadlineStatus.DONE_LATE))
    late = sum(1 for v in views if v.status == DeadlineStatus.DONE_LATE)
    counts = dict(total=total, done=done, done_late=late, overdue=overdue, due_soon=due_soon, awaiting=awaiting)
    if overdue:
        return LetterRollup("overdue", f"Có {overdue} nhiệm vụ quá hạn", "st-overdue", **counts)
    if awaiting:
        return LetterRollup("awaiting", "Chờ lãnh đạo duyệt phân công", "st-nodeadline", **counts)
    if total and done == total:
        if late:
            return LetterRollup("done_late", f"Đã hoàn thành ({late} nhiệm vụ quá hạn)", "st-donelate", **counts)
        return LetterRollup("done", "Đã hoàn thành đúng hạn", "st-done", **counts)
    if due_soon:
        return LetterRollup("due_soon", f"Sắp đến hạn ({done}/{total} hoàn thành)", "st-duesoon", **counts)
    return LetterRollup("in_progress", f"Đang thực hiện ({done}/{total} hoàn thành)", "st-ontrack", **counts)


def rollup_of_letter(letter, workflow, today: dt.date, calendar=None) -> LetterRollup:
    """The roll-up of ``letter``'s tasks."""
    return letter_rollup(letter.tasks, workflow, today, calendar)
