"""Read-only queries over tasks for lists, dashboards and reports. Plain SQLAlchemy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session, joinedload

from tracker.agencies.models import Agency
from tracker.intake.models import Letter
from tracker.tasks.models import Task


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


@dataclass
class Figures:
    """The Government Office's follow-up figures."""

    letters_with_tasks: int
    tasks: int
    due: int
    done: int
    done_on_time: int
    overdue_open: int
    open_not_due: int
    no_deadline_open: int

    @property
    def on_time_share(self) -> float | None:
        """Share of done tasks finished on time, 0-100, None when none is done."""
        return None if not self.done else round(100 * self.done_on_time / self.done, 1)


def figures(session: Session, today: dt.date, open_states: frozenset[str], agency_id: int | None = None) -> Figures:
    """Count tasks the way the Government Office reports them (cancelled tasks left out)."""
    base = select(Task).where(Task.status != "cancelled")
    if agency_id is not None:
        base = base.where(Task.agency_id == agency_id)
    sub = base.subquery()
    open_list = sorted(open_states)
    is_open = sub.c.status.in_(open_list)
    done = sub.c.status == "done"
    row = session.execute(select(
        func.count(func.distinct(sub.c.letter_id)),
        func.count(),
        func.sum(case((and_(sub.c.deadline.is_not(None), sub.c.deadline <= today), 1), else_=0)),
        func.sum(case((done, 1), else_=0)),
        func.sum(case((and_(done, (sub.c.deadline.is_(None)) | (sub.c.completed_on <= sub.c.deadline)), 1), else_=0)),
        func.sum(case((and_(is_open, sub.c.deadline < today), 1), else_=0)),
        func.sum(case((and_(is_open, sub.c.deadline >= today), 1), else_=0)),
        func.sum(case((and_(is_open, sub.c.deadline.is_(None)), 1), else_=0)),
    )).one()
    return Figures(*(int(v or 0) for v in row))


def per_agency(session: Session, today: dt.date, open_states: frozenset[str]) -> list[dict]:
    """Per agency: tasks, open, overdue, done, done on time, on-time rate; busiest first."""
    open_list = sorted(open_states)
    done = Task.status == "done"
    rows = session.execute(
        select(
            Agency.id, Agency.name, Agency.short_name,
            func.count(Task.id),
            func.sum(case((Task.status.in_(open_list), 1), else_=0)),
            func.sum(case((and_(Task.status.in_(open_list), Task.deadline < today), 1), else_=0)),
            func.sum(case((done, 1), else_=0)),
            func.sum(case((and_(done, (Task.deadline.is_(None)) | (Task.completed_on <= Task.deadline)),
                           1), else_=0)),
        )
        .join(Task, Task.agency_id == Agency.id)
        .where(Task.status != "cancelled")
        .group_by(Agency.id, Agency.name, Agency.short_name)
        .order_by(func.count(Task.id).desc(), Agency.name)
    ).all()
    result = []
    for agency_id, name, short, total, open_, late, done_, on_time in rows:
        done_ = int(done_ or 0)
        result.append(dict(agency_id=agency_id, name=short or name, total=int(total), open=int(open_ or 0),
                           overdue=int(late or 0), done=done_, done_on_time=int(on_time or 0),
                           on_time_rate=None if not done_ else round(100 * int(on_time or 0) / done_, 1)))
    return result


def letters_query() -> Select:
    """Top-level letters (not the ones enclosed in a cover letter)."""
    return select(Letter).where(Letter.enclosed_in_id.is_(None))
