"""Read-only queries over tasks for lists, dashboards and reports. Plain SQLAlchemy.

The Government Office figures count *units*: a one-off task is one unit, and each period of a recurring
task is one unit with its own deadline and state, so a late monthly report counts as late. Tasks that
are cancelled or not yet distributed (awaiting a leader's approval) are left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, exists, func, select, union_all
from sqlalchemy.orm import Session, joinedload

from tracker.agencies.models import Agency
from tracker.intake.models import Letter
from tracker.tasks.models import Occurrence, Task


def tasks_query(*, agency_id: int | None = None, states: frozenset[str] | None = None) -> Select:
    """Tasks with their letter and agency loaded, optionally of one agency and some states."""
    query = select(Task).options(joinedload(Task.letter), joinedload(Task.agency))
    if agency_id is not None:
        query = query.where(Task.agency_id == agency_id)
    if states is not None:
        query = query.where(Task.status.in_(sorted(states)))
    return query


def overdue(query: Select, today: dt.date, open_states: frozenset[str]) -> Select:
    """Restrict to open tasks whose deadline has passed."""
    return query.where(Task.status.in_(sorted(open_states)), Task.deadline < today)


def due_between(query: Select, start: dt.date, end: dt.date, open_states: frozenset[str]) -> Select:
    """Restrict to open tasks due from ``start`` to ``end`` inclusive."""
    return query.where(Task.status.in_(sorted(open_states)), Task.deadline >= start, Task.deadline <= end)


def end_of_week(day: dt.date) -> dt.date:
    """The Sunday of ``day``'s week."""
    return day + dt.timedelta(days=6 - day.weekday())


@dataclass
class TaskFilters:
    """What a task list is narrowed to; every field optional.

    ``status``: a state, ``open``, ``finished`` (done) or ``closed`` (done or cancelled); ``due``: ``overdue``,
    ``soon`` (within the due-soon window), ``week`` (by Sunday), ``none`` (no deadline), ``reached`` (deadline
    on or before today, whatever the state).
    """

    status: str = ""
    due: str = ""
    role: str = ""
    letter_id: int | None = None
    agency_id: int | None = None
    assignee_id: int | None = None
    text: str = ""


def apply_filters(query: Select, filters: TaskFilters, *, workflow, today: dt.date, soon_end: dt.date) -> Select:
    """Narrow a task query by the filters of the list pages and the API (unknown values are ignored)."""
    if filters.status in workflow.states:
        query = query.where(Task.status == filters.status)
    elif filters.status == "open":
        query = query.where(Task.status.in_(sorted(workflow.open_states - workflow.hidden_states)))
    elif filters.status == "closed":
        query = query.where(Task.status.not_in(sorted(workflow.open_states)))
    elif filters.status == "finished":
        query = query.where(Task.status.in_(sorted(workflow.final_states)))
    if filters.due == "overdue":
        query = overdue(query, today, workflow.open_states)
    elif filters.due == "soon":
        query = due_between(query, today, soon_end, workflow.open_states)
    elif filters.due == "week":
        query = due_between(query, today, end_of_week(today), workflow.open_states)
    elif filters.due == "none":
        query = query.where(Task.deadline.is_(None))
    elif filters.due == "reached":
        query = query.where(Task.deadline <= today, Task.status != "cancelled")
    if filters.role in {"lead", "cooperate"}:
        query = query.where(Task.role == filters.role)
    if filters.letter_id is not None:
        query = query.where(Task.letter_id == filters.letter_id)
    if filters.agency_id is not None:
        query = query.where(Task.agency_id == filters.agency_id)
    if filters.assignee_id is not None:
        query = query.where(Task.assignee_id == filters.assignee_id)
    if filters.text:
        # the letter's folded text holds its number, subject and full text (the query must join Task.letter)
        from tracker.text import fold

        for word in fold(filters.text).split()[:8]:
            query = query.where(Letter.search_text.contains(word))
    return query


def state_counts(session: Session, *, agency_id: int | None = None, hidden: frozenset[str] = frozenset()) -> dict:
    """Number of tasks per state (of one agency), leaving out the states in ``hidden``."""
    query = select(Task.status, func.count()).group_by(Task.status)
    if agency_id is not None:
        query = query.where(Task.agency_id == agency_id)
    if hidden:
        query = query.where(Task.status.not_in(sorted(hidden)))
    return dict(session.execute(query).all())


def deadline_counts(session: Session, *, today: dt.date, soon_end: dt.date, open_states: frozenset[str],
                    agency_id: int | None = None) -> dict:
    """Open tasks overdue, due soon and due this week (of one agency)."""
    base = select(Task.id)
    if agency_id is not None:
        base = base.where(Task.agency_id == agency_id)

    def count(query) -> int:
        return session.scalar(select(func.count()).select_from(query.subquery())) or 0

    return {"overdue": count(overdue(base, today, open_states)),
            "soon": count(due_between(base, today, soon_end, open_states)),
            "week": count(due_between(base, today, end_of_week(today), open_states))}


def units(excluded: frozenset[str]):
    """One row per unit of work: one-off tasks, and each period of recurring tasks (see the module docstring).

    Columns: task_id, letter_id, agency_id, status, deadline, judged (the deadline on-time is judged by),
    completed_on.
    """
    has_periods = exists(select(Occurrence.id).where(Occurrence.task_id == Task.id))
    excluded_list = sorted(excluded)
    one_off = select(Task.id.label("task_id"), Task.letter_id, Task.agency_id, Task.status, Task.deadline,
                     func.coalesce(Task.judged_deadline, Task.deadline).label("judged"), Task.completed_on) \
        .where(~has_periods, Task.status.not_in(excluded_list))
    periodic = select(Task.id.label("task_id"), Task.letter_id, Task.agency_id, Occurrence.status,
                      Occurrence.deadline, Occurrence.deadline.label("judged"), Occurrence.completed_on) \
        .join(Occurrence, Occurrence.task_id == Task.id) \
        .where(Task.status.not_in(excluded_list), Occurrence.status.not_in(excluded_list))
    return union_all(one_off, periodic).subquery("units")


@dataclass
class Figures:
    """The Government Office's follow-up figures (counted in units, see the module docstring)."""

    letters_with_tasks: int
    tasks: int
    due: int
    done: int
    done_on_time: int
    overdue_open: int
    open_not_due: int
    no_deadline_open: int
    #: tasks the agencies do not see yet: the distribution awaits a leader's approval
    awaiting_approval: int = 0
    #: open units due within the due-soon window (filled when ``soon_end`` is given)
    due_soon: int = 0

    @property
    def on_time_share(self) -> float | None:
        """Share of done tasks finished on time, 0-100, None when none is done."""
        return None if not self.done else round(100 * self.done_on_time / self.done, 1)

    @property
    def done_late(self) -> int:
        """Done, but after the deadline in force."""
        return self.done - self.done_on_time

    @property
    def open(self) -> int:
        """Units not finished yet."""
        return self.overdue_open + self.open_not_due + self.no_deadline_open


def _workflow(session: Session):
    from tracker.tasks.workflow import workflow_for

    return workflow_for(session)


def figures(session: Session, today: dt.date, open_states: frozenset[str], agency_id: int | None = None,
            soon_end: dt.date | None = None) -> Figures:
    """Count units the way the Government Office reports them (cancelled and undistributed tasks left out)."""
    workflow = _workflow(session)
    hidden = workflow.hidden_states
    sub = units(frozenset({"cancelled"}) | hidden)
    open_list = sorted(open_states - hidden)
    final_list = sorted(workflow.final_states)
    is_open = sub.c.status.in_(open_list)
    done = sub.c.status.in_(final_list)
    query = select(
        func.count(func.distinct(sub.c.letter_id)),
        func.count(),
        func.sum(case((and_(sub.c.deadline.is_not(None), sub.c.deadline <= today), 1), else_=0)),
        func.sum(case((done, 1), else_=0)),
        func.sum(case((and_(done, sub.c.judged.is_(None) | (sub.c.completed_on <= sub.c.judged)), 1), else_=0)),
        func.sum(case((and_(is_open, sub.c.deadline < today), 1), else_=0)),
        func.sum(case((and_(is_open, sub.c.deadline >= today), 1), else_=0)),
        func.sum(case((and_(is_open, sub.c.deadline.is_(None)), 1), else_=0)),
        func.sum(case((and_(is_open, sub.c.deadline >= today, sub.c.deadline <= (soon_end or today)), 1),
                      else_=0)),
    )
    if agency_id is not None:
        query = query.where(sub.c.agency_id == agency_id)
    row = session.execute(query).one()
    values = [int(v or 0) for v in row]
    awaiting = 0
    if hidden:
        waiting = select(func.count()).select_from(Task).where(Task.status.in_(sorted(hidden)))
        if agency_id is not None:
            waiting = waiting.where(Task.agency_id == agency_id)
        awaiting = session.scalar(waiting) or 0
    return Figures(*values[:8], awaiting_approval=awaiting, due_soon=values[8] if soon_end else 0)


def per_agency(session: Session, today: dt.date, open_states: frozenset[str]) -> list[dict]:
    """Per agency: units, open, overdue, done, done on time, on-time rate; most overdue first, then busiest."""
    workflow = _workflow(session)
    hidden = workflow.hidden_states
    sub = units(frozenset({"cancelled"}) | hidden)
    open_list = sorted(open_states - hidden)
    is_open = sub.c.status.in_(open_list)
    done = sub.c.status.in_(sorted(workflow.final_states))
    late = func.sum(case((and_(is_open, sub.c.deadline < today), 1), else_=0))
    rows = session.execute(
        select(
            Agency.id, Agency.name, Agency.short_name,
            func.count(),
            func.sum(case((is_open, 1), else_=0)),
            late,
            func.sum(case((done, 1), else_=0)),
            func.sum(case((and_(done, sub.c.judged.is_(None) | (sub.c.completed_on <= sub.c.judged)), 1), else_=0)),
        )
        .join(sub, sub.c.agency_id == Agency.id)
        .group_by(Agency.id, Agency.name, Agency.short_name)
        .order_by(late.desc(), func.count().desc(), Agency.name)
    ).all()
    result = []
    for agency_id, name, short, total, open_, overdue_, done_, on_time in rows:
        done_ = int(done_ or 0)
        result.append(dict(agency_id=agency_id, name=short or name, full_name=name, total=int(total),
                           open=int(open_ or 0), overdue=int(overdue_ or 0), done=done_,
                           done_on_time=int(on_time or 0), done_late=done_ - int(on_time or 0),
                           on_time_rate=None if not done_ else round(100 * int(on_time or 0) / done_, 1)))
    return result


def letters_query() -> Select:
    """Top-level letters (not the ones enclosed in a cover letter)."""
    return select(Letter).where(Letter.enclosed_in_id.is_(None))


def awaiting_letters(session: Session, approval_state: str | None) -> list[Letter]:
    """Letters with tasks whose distribution awaits a leader's approval, oldest first."""
    if not approval_state:
        return []
    return list(session.scalars(
        select(Letter).where(exists().where(Task.letter_id == Letter.id, Task.status == approval_state))
        .order_by(Letter.received_on, Letter.id)))

