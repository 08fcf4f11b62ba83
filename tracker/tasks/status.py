"""Deadline status of a task, derived (never stored) from its deadline, its state and the calendar.

Open tasks are trong hạn, sắp đến hạn (within N working days), quá hạn or không có hạn;
finished ones đúng hạn or quá hạn (late), judged against the deadline in force when they finished.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class DeadlineStatus(str, enum.Enum):
    """How a task stands against its deadline."""

    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NO_DEADLINE = "no_deadline"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """Vietnamese label as offices write it."""
        return _LABELS[self]

    @property
    def css(self) -> str:
        """CSS class: red overdue, orange due soon, grey no deadline, green done on time."""
        return _CSS[self]


_LABELS = {
    DeadlineStatus.ON_TRACK: "Trong hạn",
    DeadlineStatus.DUE_SOON: "Sắp đến hạn",
    DeadlineStatus.OVERDUE: "Quá hạn",
    DeadlineStatus.NO_DEADLINE: "Không có hạn",
    DeadlineStatus.DONE_ON_TIME: "Hoàn thành đúng hạn",
    DeadlineStatus.DONE_LATE: "Hoàn thành quá hạn",
    DeadlineStatus.CANCELLED: "Đã hủy",
}
_CSS = {
    DeadlineStatus.ON_TRACK: "st-ontrack",
    DeadlineStatus.DUE_SOON: "st-duesoon",
    DeadlineStatus.OVERDUE: "st-overdue",
    DeadlineStatus.NO_DEADLINE: "st-nodeadline",
    DeadlineStatus.DONE_ON_TIME: "st-done",
    DeadlineStatus.DONE_LATE: "st-donelate",
    DeadlineStatus.CANCELLED: "st-cancelled",
}


@dataclass(frozen=True)
class DeadlineView:
    """The status with the number of working days left (negative when overdue)."""

    status: DeadlineStatus
    days: int | None = None

    @property
    def text(self) -> str:
        """e.g. "Quá hạn 3 ngày", "Còn 2 ngày làm việc"."""
        if self.status == DeadlineStatus.OVERDUE and self.days is not None:
            return f"Quá hạn {abs(self.days)} ngày làm việc"
        if self.status in (DeadlineStatus.ON_TRACK, DeadlineStatus.DUE_SOON) and self.days is not None:
            return "Đến hạn hôm nay" if self.days == 0 else f"Còn {self.days} ngày làm việc"
        return self.status.label


def _calendar():
    from tracker.calendar.workdays import default_calendar

    return default_calendar()


def deadline_status(*, deadline: dt.date | None, state: str, open_states: frozenset[str], today: dt.date,
                    completed_on: dt.date | None = None, due_soon_days: int = 3, calendar=None,
                    judged_deadline: dt.date | None = None) -> DeadlineView:
    """Classify a task. ``completed_on`` is the day it reached a final state (done).

    Open tasks are measured against ``deadline``, the date the agency now works to. Finished ones are judged
    against ``judged_deadline`` when given: an extension granted after the deadline had passed moves
    ``deadline`` but not ``judged_deadline``, so the task still counts as done late.
    """
    calendar = calendar or _calendar()
    if state == "cancelled":
        return DeadlineView(DeadlineStatus.CANCELLED)
    if state not in open_states:
        judged = judged_deadline or deadline
        if judged is None or completed_on is None or completed_on <= judged:
            return DeadlineView(DeadlineStatus.DONE_ON_TIME)
        return DeadlineView(DeadlineStatus.DONE_LATE, -calendar.working_days_between(judged, completed_on))
    if deadline is None:
        return DeadlineView(DeadlineStatus.NO_DEADLINE)
    if today > deadline:
        return DeadlineView(DeadlineStatus.OVERDUE, -calendar.working_days_between(deadline, today))
    left = calendar.working_days_between(today, deadline)
    if left <= due_soon_days:
        return DeadlineView(DeadlineStatus.DUE_SOON, left)
    return DeadlineView(DeadlineStatus.ON_TRACK, left)


def status_of(item, workflow, today: dt.date, calendar=None) -> DeadlineView:
    """The deadline status of a task or of one period of a recurring task, as of ``today``."""
    return deadline_status(deadline=item.deadline, state=item.status, open_states=workflow.open_states, today=today,
                           completed_on=item.completed_on, due_soon_days=workflow.due_soon_working_days,
                           calendar=calendar, judged_deadline=getattr(item, "judged_deadline", None))
