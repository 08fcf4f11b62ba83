"""Periods of recurring tasks: created ahead of time, each with its own deadline, state and result.

The recurring task's own ``deadline`` follows its earliest open period, so lists, filters and the
overview treat it like any task; the Government Office figures count each period (see queries.units).
Plain Python; the caller commits.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.tasks.models import Occurrence, Task
from tracker.tasks.recurrence import RecurrenceError, parse_rule, periods_until

#: periods created beyond those already due
AHEAD = 1


def sync_deadline(task: Task, workflow) -> None:
    """Set a recurring task's deadline (and judged deadline) to its earliest open period's deadline."""
    if not task.occurrences:
        return
    open_ones = [o.deadline for o in task.occurrences if o.status in workflow.open_states]
    deadline = min(open_ones) if open_ones else max(o.deadline for o in task.occurrences)
    if task.deadline != deadline:
        task.deadline = deadline
    if task.judged_deadline != deadline:
        task.judged_deadline = deadline


def ensure_occurrences(session: Session, task: Task, today: dt.date, *, workflow=None, calendar=None) -> list[Occurrence]:
    """Create the periods of ``task`` due up to ``today`` and the next one; return those created.

    A task with a rule that cannot be read, or a cancelled or finished one, gets none.
    """
    from tracker.tasks.workflow import workflow_for

    workflow = workflow or workflow_for(session)
    if not task.recurrence or task.status not in workflow.open_states:
        return []
    try:
        rule = parse_rule(task.recurrence)
    except RecurrenceError:
        return []
    start = task.starts_on or task.letter.received_on
    existing = {o.period_start for o in task.occurrences}
    created = []
    initial = workflow.initial_state
    for period in periods_until(rule, start, today, ahead=AHEAD, until=task.recurrence_until, calendar=calendar):
        if period.start in existing:
            continue
        occurrence = Occurrence(task=task, period_start=period.start, period_end=period.end, label=period.label,
                                deadline=period.due, status=initial)
        session.add(occurrence)
        created.append(occurrence)
    if created:
        session.flush()
        sync_deadline(task, workflow)
    return created


def refresh_all(session: Session, today: dt.date, *, workflow=None, agency_id: int | None = None) -> int:
    """Create the due and next periods of every open recurring task (a daily job); return how many were made."""
    from tracker.tasks.workflow import workflow_for

    workflow = workflow or workflow_for(session)
    query = select(Task).where(Task.recurrence.is_not(None), Task.status.in_(sorted(workflow.open_states)))
    if agency_id is not None:
        query = query.where(Task.agency_id == agency_id)
    total = 0
    for task in session.scalars(query):
        total += len(ensure_occurrences(session, task, today, workflow=workflow))
    return total
