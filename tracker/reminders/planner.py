"""Which reminder each task is due for on a given day: plain Python over plain values, no database.

A task's stages are working-day offsets from its deadline: ``-5`` and ``-2`` (before), ``0`` (the
deadline day), then, while it is overdue, stages that back off: ``3``, ``6``, ``12``, ``24``, ``48``, ``96``,
then every ``60`` (``overdue_every``, ``overdue_backoff``, ``overdue_max_gap`` of the policy). On a given day a task is due for its
*latest* stage whose date has come; earlier stages that were missed (a scheduler down for days) are
not sent any more, so a catch-up sends one mail per task, not a burst. Whether the stage already went
out is the caller's business (a unique key in the database); the planner only says which one is due.

Stage dates, with ``add`` the calendar's working-day walk:

* before the deadline: ``add(last, -k)``, a working day, counted back from ``last``, the deadline or the last
  working day before it when it is a day off (from a Sunday, "5 working days before" is the Friday a week
  earlier, with 5 working days left);
* the deadline day: the deadline itself, or the last working day before it when it is a day off
  (a reminder on a Sunday would be read on Monday, too late);
* overdue: ``add(deadline, n)`` for ``n`` one of the backed-off overdue stages; the stage is escalated
  (leaders copied) when ``n >= escalate_after``. With ``overdue_every = 0`` and ``escalate_after``
  set, a single escalation stage falls at ``escalate_after``.

Because the stages are a function of the deadline alone, "when was the last reminder or escalation" needs
no column of its own: the sent-reminder log's (task, stage, deadline) says whether the latest stage went out.

For the database, :meth:`Planner.stage_ranges` turns the same function into a few ranges of deadlines
sharing one stage offset (the latest stage only grows as a deadline gets older), so that SQL can pick the
due tasks and leave out those whose stage is in the log without Python seeing every task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from tracker.reminders.policy import ReminderPolicy, Stages


@dataclass(frozen=True, slots=True)
class Stage:
    """One reminder of a task: its offset from the deadline, the day it falls due, whether leaders hear too."""

    #: working days relative to the deadline: negative before it, 0 on it, positive when overdue
    offset: int
    #: the day the reminder falls due
    due_on: dt.date
    #: the leaders are copied
    escalated: bool

    @property
    def name(self) -> str:
        """A short English name for logs and keys: before-5, on-day, overdue-3."""
        if self.offset < 0:
            return f"before-{-self.offset}"
        return "on-day" if self.offset == 0 else f"overdue-{self.offset}"


def signed_days(deadline: dt.date, today: dt.date, calendar) -> int:
    """Working days left until ``deadline`` (positive), 0 on it, or minus the working days overdue."""
    if today > deadline:
        return -calendar.working_days_between(deadline, today)
    return calendar.working_days_between(today, deadline)


def on_day_date(deadline: dt.date, calendar) -> dt.date:
    """The day of the deadline-day reminder: the deadline, or the last working day before it."""
    return deadline if calendar.is_working_day(deadline) else calendar.add_working_days(deadline, -1)


def latest_stage(deadline: dt.date, today: dt.date, stages: Stages, calendar) -> Stage | None:
    """The latest stage of a task with ``deadline`` whose day has come by ``today``; None if none has."""
    if today > deadline:
        offset = stages.latest_overdue(calendar.working_days_between(deadline, today))
        if offset > 0:
            return Stage(offset, calendar.add_working_days(deadline, offset), stages.escalated(offset))
    if stages.on_day:
        day = on_day_date(deadline, calendar)
        if day <= today:
            return Stage(0, day, False)
    # counted back from the last working day on or before the deadline: from a Sunday deadline, "5 working days
    # before" counted from the Sunday fell a working day late (Monday instead of Friday), with 4 days left
    last_working_day = on_day_date(deadline, calendar)
    for before in sorted(stages.before):
        day = calendar.add_working_days(last_working_day, -before)
        if day <= today:
            return Stage(-before, day, False)
    return None


class Planner:
    """Plans one day's reminders for many tasks; stage computations are shared between equal deadlines."""

    def __init__(self, policy: ReminderPolicy, calendar, today: dt.date):
        """Plan for ``today`` with the ``policy``'s stages and the working ``calendar``."""
        self.policy = policy
        self.calendar = calendar
        self.today = today
        self._memo: dict[tuple[dt.date, str], Stage | None] = {}

    def stage(self, deadline: dt.date, task_type: str) -> Stage | None:
        """The stage due today for a task of ``task_type`` with ``deadline`` (memoised)."""
        key = (deadline, task_type)
        try:
            return self._memo[key]
        except KeyError:
            found = latest_stage(deadline, self.today, self.policy.stages_for(task_type), self.calendar)
            self._memo[key] = found
            return found

    def horizon(self) -> dt.date:
        """No deadline after this day can have a reminder due today (a cheap pre-filter for queries)."""
        return self.calendar.add_working_days(self.today, self.policy.horizon + 1)

    def stage_ranges(self, task_type: str, oldest: dt.date) -> list[tuple[dt.date | None, dt.date, int]]:
        """``(first, last, offset)``: the deadlines from ``first`` to ``last`` share the stage ``offset`` today.

        Covers the deadlines from ``oldest`` to :meth:`horizon`, oldest first; deadlines with no stage due are
        left out, and the first range starts at None (any older deadline). Consecutive deadlines with the same
        offset form one range, so a pass over ten years of deadlines gives a few dozen ranges.
        """
        ranges: list[list] = []
        day, last = oldest, self.horizon()
        one = dt.timedelta(days=1)
        while day <= last:
            found = self.stage(day, task_type)
            offset = None if found is None else found.offset
            if ranges and ranges[-1][2] == offset and ranges[-1][1] == day - one:
                ranges[-1][1] = day
            else:
                ranges.append([day, day, offset])
            day += one
        kept = [(first, end, offset) for first, end, offset in ranges if offset is not None]
        if kept and kept[0][0] == oldest:
            kept[0] = (None, kept[0][1], kept[0][2])
        return kept

    def plan(self, tasks: Iterable[tuple[int, dt.date | None, str]],
             sent: set[tuple[int, int, dt.date]] | frozenset = frozenset()) -> Iterator[tuple[int, Stage]]:
        """``(task_id, stage)`` for every ``(task_id, deadline, task_type)`` due today and not in ``sent``.

        ``sent`` holds ``(task_id, offset, due_on)`` keys of reminders that went out already.
        """
        stage_of = self.stage
        for task_id, deadline, kind in tasks:
            if deadline is None:
                continue
            found = stage_of(deadline, kind)
            if found is not None and (task_id, found.offset, found.due_on) not in sent:
                yield task_id, found


def weekly_note_week(today: dt.date, weekday: int, calendar) -> tuple[int, int] | None:
    """The ISO (year, week) whose note about tasks without a deadline is due by ``today``, or None.

    The note may go out from the first working day on or after ``weekday`` (1 = Monday) of the week;
    a week without such a day (the Tết break) has no note.
    """
    year, week, _ = today.isocalendar()
    monday = today - dt.timedelta(days=today.weekday())
    first = calendar.next_working_day(monday + dt.timedelta(days=weekday - 1))
    if first.isocalendar()[:2] != (year, week) or today < first:
        return None
    return year, week
