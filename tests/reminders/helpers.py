"""Small helpers shared by the reminder tests."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select

from tracker.db import transaction

_numbers = itertools.count(100)


def register(sessions, clerk_id: int, tasks: list[tuple[int, str, dt.date | None]], *, received_on: dt.date,
             number: str | None = None, subject: str = "triển khai nhiệm vụ thử nghiệm", urgency: str | None = None,
             issued_on: dt.date | None = None) -> list[int]:
    """Register a letter with ``tasks`` = [(agency id, role, deadline)]; return the task ids."""
    from tracker.accounts.models import User
    from tracker.intake.operations import LetterSpec, register_letter
    from tracker.tasks.operations import TaskSpec

    number = number or f"{next(_numbers)}/UBND-VX"
    with transaction(sessions) as s:
        clerk = s.get(User, clerk_id)
        spec = LetterSpec(number=number, doc_type="Công văn", issuer="Ủy ban nhân dân tỉnh Kiên Giang",
                          place="Kiên Giang", issued_on=issued_on or received_on - dt.timedelta(days=1),
                          subject=subject, recipients=[], urgency=urgency, full_text=subject)
        letter = register_letter(s, spec, [
            TaskSpec(agency_id=agency, role=role, summary=f"Nhiệm vụ {role} của văn bản {number}", deadline=deadline)
            for agency, role, deadline in tasks], actor=clerk, received_on=received_on)
        return [t.id for t in letter.tasks]


def set_status(sessions, task_id: int, status: str) -> None:
    """Move a task to another state directly (the workflow's own rules are tested elsewhere)."""
    from tracker.tasks.models import Task

    with transaction(sessions) as s:
        task = s.get(Task, task_id)
        task.status = status


def events(sessions, task_id: int, kind: str = "reminder") -> list[str]:
    """Comments of a task's events of ``kind``."""
    from tracker.tasks.models import TaskEvent

    with sessions() as s:
        return list(s.scalars(select(TaskEvent.comment).where(TaskEvent.task_id == task_id, TaskEvent.kind == kind)
                              .order_by(TaskEvent.id)))


def outbox(sessions):
    """Every outbox row, oldest first."""
    from tracker.reminders.models import OutboxMessage

    with sessions() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
